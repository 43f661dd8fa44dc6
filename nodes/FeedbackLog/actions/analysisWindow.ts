/**
 * What the reading operations (Metrics, Calibration, Export) share: the window of decisions they
 * read (Last Days and Filters), and the charts Metrics and Calibration can attach.
 */
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { numberParameter } from '../../shared/nodeParameters';
import type { DecisionFilter } from '../../shared/store';

export const DAY_MS = 86_400_000;

export const windowProperties = (operations: string[]): INodeProperties[] => [
	{
		displayName: 'Last Days',
		name: 'lastDays',
		type: 'number',
		default: 30,
		typeOptions: { minValue: 1 },
		description: 'The window: decisions recorded in this many days up to now',
		displayOptions: { show: { operation: operations } },
	},
	{
		displayName: 'Filters',
		name: 'filters',
		type: 'collection',
		placeholder: 'Add Filter',
		default: {},
		displayOptions: { show: { operation: operations } },
		options: [
			{
				displayName: 'Workflow ID',
				name: 'workflowId',
				type: 'string',
				default: '',
				hint: 'An expression with $workflow.id picks the current workflow',
				description: 'Only decisions recorded by this workflow',
			},
			{ displayName: 'Model', name: 'model', type: 'string', default: '', description: 'Only drafts of this model' },
			{
				displayName: 'Prompt Version',
				name: 'promptVersion',
				type: 'string',
				default: '',
				description: 'Only drafts of this prompt version',
			},
		],
	},
];

export const chartsProperty = (operations: string[]): INodeProperties => ({
	displayName: 'Include Charts',
	name: 'includeCharts',
	type: 'boolean',
	default: false,
	description: 'Whether to attach SVG charts as binary data (override rate over time, reliability diagram), ready to attach to an e-mail',
	displayOptions: { show: { operation: operations } },
});

/** The decisions one item's report reads: the last `lastDays` days up to now, narrowed by the filters. */
export function windowFilter(context: IExecuteFunctions, itemIndex: number, now: Date): DecisionFilter {
	const lastDays = numberParameter(context, 'lastDays', itemIndex, 30, {
		label: 'Last Days',
		above: 0,
		description: 'Set Last Days to how many days back to read, e.g. 30 (fractions such as 0.5 work too).',
	});
	const filters = context.getNodeParameter('filters', itemIndex, {}) as IDataObject;
	const text = (value: unknown) => (typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined);
	return {
		since: new Date(now.getTime() - lastDays * DAY_MS).toISOString(),
		until: new Date(now.getTime() + 1).toISOString(),
		workflowId: text(filters.workflowId),
		model: text(filters.model),
		promptVersion: text(filters.promptVersion),
	};
}

/** The window and filters a report states it covers. */
export function reportScope(filter: DecisionFilter, now: Date) {
	return {
		window: { since: filter.since, until: now.toISOString() },
		filters: { workflowId: filter.workflowId, model: filter.model, promptVersion: filter.promptVersion },
	};
}

export async function svgBinary(context: IExecuteFunctions, svg: string, fileName: string) {
	return context.helpers.prepareBinaryData(Buffer.from(svg, 'utf8'), fileName, 'image/svg+xml');
}
