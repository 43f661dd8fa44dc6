import {
	NodeConnectionTypes,
	type INodeTypeBaseDescription,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

import { hitlStoreTest } from '../../shared/store/credentialTest';
import { feedbackLogProperties, router } from '../actions/router';

/** Version 1 of the node: its shape as first released (see ../FeedbackLog.node.ts). */
// eslint-disable-next-line @n8n/community-nodes/icon-validation -- the icon is on the base description in ../FeedbackLog.node.ts, beside which n8n resolves every version's icon
export class FeedbackLogV1 implements INodeType {
	description: INodeTypeDescription;

	constructor(baseDescription: INodeTypeBaseDescription) {
		this.description = {
			...baseDescription,
			version: 1,
			defaults: { name: 'Feedback Log' },
			usableAsTool: true,
			inputs: [NodeConnectionTypes.Main],
			outputs: [NodeConnectionTypes.Main],
			credentials: [{ name: 'hitlStore', required: false, testedBy: 'hitlStoreTest' }],
			properties: feedbackLogProperties,
		};
	}

	methods = { credentialTest: { hitlStoreTest } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
