/**
 * The Feedback Log's operations, one file each (as n8n's Airtable v2 node): the router opens the
 * store once per execution and hands it to the chosen operation. Record works on the whole batch
 * (one transaction); the reports run once per input item.
 */
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { errorItem, toItemError } from '../../shared/itemErrors';
import { openHitlStore, type HitlStore } from '../../shared/store';
import { nodeStoreConfig, storeOpenError } from '../../shared/storeCredential';
import { chartsProperty, windowProperties } from './analysisWindow';
import * as calibration from './calibration.operation';
import * as exportOperation from './export.operation';
import * as metrics from './metrics.operation';
import * as record from './record.operation';
import * as retention from './retention.operation';

type Report = (context: IExecuteFunctions, store: HitlStore, itemIndex: number) => Promise<INodeExecutionData>;

/** The operations that report once per input item. */
const REPORTS = {
	metrics: metrics.execute,
	calibration: calibration.execute,
	export: exportOperation.execute,
	retention: retention.execute,
} satisfies Record<string, Report>;

export type Operation = 'record' | keyof typeof REPORTS;

const operationProperty: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	default: 'record',
	options: [
		{
			name: 'Calibration',
			value: 'calibration',
			action: 'Check calibration and recommend a threshold',
			description: 'Reliability bins, ECE and Brier score per model and prompt version, and the threshold that reaches a target precision',
		},
		{
			name: 'Export',
			value: 'export',
			action: 'Export training data',
			description: 'OpenAI fine-tuning JSONL, preference JSONL or CSV, as a file',
		},
		{
			name: 'Metrics',
			value: 'metrics',
			action: 'Report oversight metrics',
			description: 'Volume, auto and escalation rates, override rate, decision times, rubber stamps, rule hits',
		},
		{
			name: 'Record',
			value: 'record',
			action: 'Record the decision on each item',
			description: 'Store one row per item from its hitl object; a retried execution is never counted twice',
		},
		{
			name: 'Retention',
			value: 'retention',
			action: 'Delete old records',
			description: 'Delete decisions, review state and audit entries older than a number of days',
		},
	],
};

/** The node's parameters, in the order the panel shows them. */
export const feedbackLogProperties: INodeProperties[] = [
	operationProperty,
	...record.description,
	...windowProperties(['metrics', 'calibration', 'export']),
	...metrics.description,
	...calibration.description,
	chartsProperty(['metrics', 'calibration']),
	...exportOperation.description,
	...retention.description,
];

async function openStore(context: IExecuteFunctions): Promise<HitlStore> {
	try {
		return await openHitlStore(await nodeStoreConfig(context));
	} catch (error) {
		throw storeOpenError(context.getNode(), error, 'Check the HITL Store credential (back end, file path or PostgreSQL connection).');
	}
}

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const operation = this.getNodeParameter('operation', 0) as Operation;
	const store = await openStore(this);
	try {
		if (operation === 'record') return [await record.execute(this, store)];
		return [await perItem(this, store, REPORTS[operation])];
	} finally {
		await store.close();
	}
}

async function perItem(context: IExecuteFunctions, store: HitlStore, report: Report): Promise<INodeExecutionData[]> {
	const items = context.getInputData();
	const out: INodeExecutionData[] = [];
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		try {
			const result = await report(context, store, itemIndex);
			out.push({ ...result, pairedItem: { item: itemIndex } });
		} catch (error) {
			const itemError = toItemError(context.getNode(), error, itemIndex);
			if (!context.continueOnFail()) throw itemError;
			out.push(errorItem(context.getNode(), items[itemIndex], itemError, itemIndex));
		}
	}
	return out;
}
