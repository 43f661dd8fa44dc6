/** Retention: delete decisions, review state and audit entries older than a number of days. */
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { numberParameter } from '../../shared/nodeParameters';
import type { HitlStore } from '../../shared/store';
import { DAY_MS } from './analysisWindow';

export const description: INodeProperties[] = [
	{
		displayName: 'Older Than Days',
		name: 'olderThanDays',
		type: 'number',
		default: 365,
		typeOptions: { minValue: 1 },
		description: 'Delete everything recorded more than this many days ago',
		displayOptions: { show: { operation: ['retention'] } },
	},
];

export async function execute(context: IExecuteFunctions, store: HitlStore, itemIndex: number): Promise<INodeExecutionData> {
	const days = numberParameter(context, 'olderThanDays', itemIndex, 365, {
		label: 'Older Than Days',
		min: 1,
		description: 'Set Older Than Days to 1 or more: everything recorded before that many days ago is deleted.',
	});
	const before = new Date(Date.now() - days * DAY_MS).toISOString();
	const deleted = await store.deleteOlderThan(before);
	return { json: { operation: 'retention', deletedBefore: before, deleted: { ...deleted } } };
}
