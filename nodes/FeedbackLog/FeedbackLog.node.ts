import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

import { hitlStoreTest } from '../shared/store/credentialTest';
import { feedbackLogProperties, router } from './actions/router';

export class FeedbackLog implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Feedback Log',
		name: 'feedbackLog',
		icon: { light: 'file:feedbackLog.svg', dark: 'file:feedbackLog.dark.svg' },
		group: ['output'],
		version: 1,
		subtitle: '={{$parameter["operation"]}}',
		description: 'Record every human and automatic decision; report oversight metrics, calibration and training data',
		defaults: { name: 'Feedback Log' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		// eslint-disable-next-line n8n-nodes-base/node-class-description-credentials-name-unsuffixed -- the store is a database, not an API (credentials/HitlStore.credentials.ts)
		credentials: [{ name: 'hitlStore', required: false, testedBy: 'hitlStoreTest' }],
		properties: feedbackLogProperties,
	};

	methods = { credentialTest: { hitlStoreTest } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
