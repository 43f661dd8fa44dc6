import {
	NodeConnectionTypes,
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

import { getFieldValue } from '../shared/fieldPath';
import { mergeHitl, readHitl } from '../shared/itemContract';
import { errorItem, itemLabel, toItemError } from '../shared/itemErrors';
import type { DecisionFilter, DecisionRecord, HitlStore } from '../shared/store';
import { openNodeStore } from '../shared/storeCredential';
import { hitlStoreTest } from '../shared/store/credentialTest';
import { calibrationReports } from '../shared/calibration/calibration';
import { computeMetrics } from './computeMetrics';
import { describeCalibrationError, describeCost, describeTimeToDecision } from './describeFigures';
import { feedbackLogDescription } from './description';
import { csvHeader, EXPORT_FILES, exportRecords, type ExportFormat } from './exportRecords';
import {
	renderOverrideRateChart,
	renderOverrideRateHtml,
	renderOverrideRateText,
	renderReliabilityDiagram,
	renderReliabilityHtml,
	renderReliabilityText,
} from './renderCharts';
import { toDecisionRecord } from './toDecisionRecord';

const NODE_NAME = 'Feedback Log';
/** Human Approval Wait's type as n8n names a community node: package name, then the node's name. */
const APPROVAL_WAIT_TYPE = 'n8n-nodes-hitl.humanApprovalWait';
const DAY_MS = 86_400_000;
const BUCKET_MS = { hour: 3_600_000, day: DAY_MS, week: 7 * DAY_MS } as const;
const Z_OF_LEVEL: Record<string, number> = { '0.9': 1.2816, '0.95': 1.6449, '0.99': 2.3263 };
const EXPORT_PAGE = 2000;

type Operation = 'record' | 'metrics' | 'calibration' | 'export' | 'retention';

function windowFilter(context: IExecuteFunctions, itemIndex: number, now: Date): DecisionFilter {
	const lastDays = Number(context.getNodeParameter('lastDays', itemIndex, 30));
	if (!(lastDays > 0)) {
		throw new NodeOperationError(context.getNode(), `Last Days must be a positive number, got ${lastDays}`, { itemIndex });
	}
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

async function svgBinary(context: IExecuteFunctions, svg: string, fileName: string) {
	return context.helpers.prepareBinaryData(Buffer.from(svg, 'utf8'), fileName, 'image/svg+xml');
}

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
		properties: feedbackLogDescription,
	};

	methods = { credentialTest: { hitlStoreTest } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const operation = this.getNodeParameter('operation', 0) as Operation;
		const store = await openNodeStore(this, { hint: 'Check the HITL Store credential (back end, file path or PostgreSQL connection).' });
		if (operation === 'record') return [await recordItems(this, store)];
		return [await perItem(this, store, operation)];
	}
}

async function recordItems(context: IExecuteFunctions, store: HitlStore): Promise<INodeExecutionData[]> {
	const items = context.getInputData();
	const node = context.getNode();
	const workflow = context.getWorkflow();
	const now = new Date().toISOString();
	const afterApprovalWait = context
		.getParentNodes(node.name)
		.some((parent) => parent.type === APPROVAL_WAIT_TYPE && !parent.disabled);
	const out: INodeExecutionData[] = new Array(items.length);
	const pending: { itemIndex: number; record: DecisionRecord }[] = [];
	// n8n runs a node once per branch that reaches it in one execution (Auto and Review meeting at
	// one Feedback Log, or the Review branch arriving after a wait), and item indexes restart at 0
	// on each run. The idempotency key (execution, node, item) must therefore tell the runs apart,
	// or the second run's items are taken for repeats of the first's and silently not recorded.
	// The first run keeps the plain node name, so keys written before this change still match.
	const runIndex = Number(context.getWorkflowDataProxy(0).$runIndex ?? 0);
	const keyNodeName = runIndex > 0 ? `${node.name} (run ${runIndex + 1})` : node.name;

	const fail = (itemIndex: number, error: unknown) => {
		const itemError = toItemError(node, error, itemIndex);
		if (!context.continueOnFail()) throw itemError;
		out[itemIndex] = errorItem(node, items[itemIndex], itemError, itemIndex);
	};

	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		try {
			const hitl = readHitl(items[itemIndex].json, NODE_NAME);
			if (!hitl) {
				throw new NodeOperationError(node, `${itemLabel(itemIndex)}: hitl is missing: the item carries no decision to record`, {
					itemIndex,
					description:
						'Put the Feedback Log after the LLM Draft, Confidence Gate or Human Approval Wait node, whose "hitl" field it records.',
				});
			}
			const inputField = String(context.getNodeParameter('inputTextField', itemIndex, '')).trim();
			const inputValue = inputField ? getFieldValue(items[itemIndex].json, inputField) : undefined;
			if (inputField && inputValue !== undefined && typeof inputValue !== 'string') {
				throw new NodeOperationError(node, `${itemLabel(itemIndex)}: ${inputField} is not a text`, {
					itemIndex,
					description: 'Point Customer Message Field at a field that holds the customer\'s message as text.',
				});
			}
			const record = toDecisionRecord(hitl, {
				executionId: context.getExecutionId() ?? 'manual',
				nodeName: keyNodeName,
				itemIndex,
				workflowId: workflow.id ?? null,
				workflowName: workflow.name ?? null,
				now,
				privacyMode: context.getNodeParameter('privacyMode', itemIndex, false) as boolean,
				inputText: inputValue as string | undefined,
				afterApprovalWait,
			});
			pending.push({ itemIndex, record });
		} catch (error) {
			fail(itemIndex, error);
		}
	}

	if (pending.length) {
		try {
			const outcomes = await store.recordDecisions(pending.map((entry) => entry.record));
			pending.forEach(({ itemIndex }, position) => {
				const logged = { id: outcomes[position].id, store: store.location, at: now };
				out[itemIndex] = { json: mergeHitl(items[itemIndex].json, { logged }) as IDataObject, pairedItem: { item: itemIndex } };
			});
		} catch (error) {
			const message = `Could not record ${pending.length} decision(s) in ${store.location}: ${error instanceof Error ? error.message : String(error)}`;
			if (!context.continueOnFail()) {
				throw new NodeOperationError(node, message, { description: 'Check that the store is reachable and writable; re-running the execution records nothing twice.' });
			}
			for (const { itemIndex } of pending) fail(itemIndex, new NodeOperationError(node, message, { itemIndex }));
		}
	}
	return out;
}

async function perItem(context: IExecuteFunctions, store: HitlStore, operation: Exclude<Operation, 'record'>) {
	const items = context.getInputData();
	const out: INodeExecutionData[] = [];
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		try {
			const result = await runAnalysis(context, store, operation, itemIndex);
			out.push({ ...result, pairedItem: { item: itemIndex } });
		} catch (error) {
			const itemError = toItemError(context.getNode(), error, itemIndex);
			if (!context.continueOnFail()) throw itemError;
			out.push(errorItem(context.getNode(), items[itemIndex], itemError, itemIndex));
		}
	}
	return out;
}

async function runAnalysis(
	context: IExecuteFunctions,
	store: HitlStore,
	operation: Exclude<Operation, 'record'>,
	itemIndex: number,
): Promise<INodeExecutionData> {
	const now = new Date();
	if (operation === 'retention') {
		const days = Number(context.getNodeParameter('olderThanDays', itemIndex));
		if (!(days >= 1)) {
			throw new NodeOperationError(context.getNode(), `Older Than Days must be at least 1, got ${days}`, { itemIndex });
		}
		const before = new Date(now.getTime() - days * DAY_MS).toISOString();
		const deleted = await store.deleteOlderThan(before);
		return { json: { operation, deletedBefore: before, deleted: { ...deleted } } };
	}

	const filter = windowFilter(context, itemIndex, now);
	const window = { since: filter.since, until: now.toISOString() };
	const filters = { workflowId: filter.workflowId, model: filter.model, promptVersion: filter.promptVersion };

	if (operation === 'export') return exportFile(context, store, filter, itemIndex);

	const includeCharts = context.getNodeParameter('includeCharts', itemIndex, false) as boolean;
	if (operation === 'metrics') {
		const rubberStampMs = Number(context.getNodeParameter('rubberStampSeconds', itemIndex, 5)) * 1000;
		const bucket = context.getNodeParameter('bucket', itemIndex, 'day') as keyof typeof BUCKET_MS;
		const stats = await store.decisionStats(filter, { rubberStampMs, bucketMs: BUCKET_MS[bucket] });
		const metrics = computeMetrics(stats, { rubberStampMs });
		const summary = { timeToDecision: describeTimeToDecision(metrics.timeToDecision), cost: describeCost(metrics.costUsd, metrics.volume) };
		const item: INodeExecutionData = { json: { operation, window, filters, ...metrics, summary } as unknown as IDataObject };
		if (includeCharts) {
			const [overall] = calibrationReports(stats.confidenceBins);
			item.json.charts = {
				text: `${renderOverrideRateText(metrics.overrideOverTime)}\n\n${renderReliabilityText(overall.bins)}`,
				html: renderOverrideRateHtml(metrics.overrideOverTime) + renderReliabilityHtml(overall.bins),
			};
			item.binary = {
				overrideRateChart: await svgBinary(context, renderOverrideRateChart(metrics.overrideOverTime), 'override-rate.svg'),
				reliabilityDiagram: await svgBinary(context, renderReliabilityDiagram(overall.bins), 'reliability-diagram.svg'),
			};
		}
		return item;
	}

	const targetPrecision = Number(context.getNodeParameter('targetPrecision', itemIndex, 0.95));
	const minSamples = Number(context.getNodeParameter('minSamples', itemIndex, 100));
	const level = String(context.getNodeParameter('confidenceLevel', itemIndex, '0.95'));
	if (!(targetPrecision > 0 && targetPrecision < 1)) {
		throw new NodeOperationError(context.getNode(), `Target Precision must be between 0 and 1, got ${targetPrecision}`, {
			itemIndex,
		});
	}
	const stats = await store.decisionStats(filter, { rubberStampMs: 0, bucketMs: DAY_MS });
	const reports = calibrationReports(stats.confidenceBins, {
		recommend: { targetPrecision, minSamples, z: Z_OF_LEVEL[level] ?? Z_OF_LEVEL['0.95'] },
	});
	const [overall, ...perVersion] = reports;
	const summary = { calibrationError: describeCalibrationError(overall.expectedCalibrationError, overall.samples) };
	const item: INodeExecutionData = {
		json: { operation, window, filters, overall, perModelAndPrompt: perVersion, summary } as unknown as IDataObject,
	};
	if (includeCharts) {
		item.json.charts = { text: renderReliabilityText(overall.bins), html: renderReliabilityHtml(overall.bins) };
		item.binary = { reliabilityDiagram: await svgBinary(context, renderReliabilityDiagram(overall.bins), 'reliability-diagram.svg') };
	}
	return item;
}

async function exportFile(
	context: IExecuteFunctions,
	store: HitlStore,
	filter: DecisionFilter,
	itemIndex: number,
): Promise<INodeExecutionData> {
	const format = context.getNodeParameter('format', itemIndex) as ExportFormat;
	const systemPrompt = format === 'csv' ? '' : String(context.getNodeParameter('systemPrompt', itemIndex, ''));
	const binaryPropertyName = String(context.getNodeParameter('binaryPropertyName', itemIndex, 'data')).trim() || 'data';
	const file = EXPORT_FILES[format];
	const fileName =
		String(context.getNodeParameter('fileName', itemIndex, '')).trim() ||
		`hitl-${format}-${new Date().toISOString().slice(0, 10)}.${file.extension}`;

	const parts: string[] = format === 'csv' ? [csvHeader()] : [];
	let rows = 0;
	let included = 0;
	let afterId: string | undefined;
	for (;;) {
		const page = await store.listDecisions(filter, { limit: EXPORT_PAGE, afterId });
		if (!page.length) break;
		const chunk = exportRecords(page, format, { systemPrompt: systemPrompt || undefined });
		parts.push(chunk.content);
		rows += page.length;
		included += chunk.included;
		afterId = page[page.length - 1].id;
	}
	const binary = await context.helpers.prepareBinaryData(Buffer.from(parts.join(''), 'utf8'), fileName, file.mimeType);
	return {
		json: { operation: 'export', format, fileName, decisionsRead: rows, included, skipped: rows - included },
		binary: { [binaryPropertyName]: binary },
	};
}
