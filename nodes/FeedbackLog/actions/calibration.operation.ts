/**
 * Calibration: how well the confidence scores match reviewers' verdicts (reliability bins, ECE,
 * Brier score), overall and per model and prompt version, and the threshold that reaches a target
 * precision on its lower bound.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { calibrationReports } from '../../shared/calibration/calibration';
import { numberParameter, type NumberSpec } from '../../shared/nodeParameters';
import type { HitlStore } from '../../shared/store';
import { describeCalibrationError } from '../describeFigures';
import { renderReliabilityDiagram, renderReliabilityHtml, renderReliabilityText } from '../renderCharts';
import { DAY_MS, reportScope, svgBinary, windowFilter } from './analysisWindow';

const Z_OF_LEVEL: Record<string, number> = { '0.9': 1.2816, '0.95': 1.6449, '0.99': 2.3263 };

const TARGET_PRECISION: NumberSpec = {
	label: 'Target Precision',
	above: 0,
	below: 1,
	description: 'Set Target Precision to the share of auto-sent drafts a reviewer should approve unchanged, e.g. 0.95.',
};

const show = { show: { operation: ['calibration'] } };

export const description: INodeProperties[] = [
	{
		displayName: 'Target Precision',
		name: 'targetPrecision',
		type: 'number',
		default: 0.95,
		typeOptions: { minValue: 0.5, maxValue: 0.999, numberPrecision: 3 },
		hint: 'Share of auto-sent drafts a reviewer would have approved unchanged',
		description: 'The recommended threshold is the lowest at which the lower confidence bound of the precision reaches this',
		displayOptions: show,
	},
	{
		displayName: 'Minimum Samples',
		name: 'minSamples',
		type: 'number',
		default: 100,
		typeOptions: { minValue: 1 },
		description: 'Fewer reviewed drafts than this at or above a threshold, and no threshold is recommended',
		displayOptions: show,
	},
	{
		displayName: 'Confidence Level',
		name: 'confidenceLevel',
		type: 'options',
		default: '0.95',
		options: [
			{ name: '90 %', value: '0.9' },
			{ name: '95 %', value: '0.95' },
			{ name: '99 %', value: '0.99' },
		],
		description: 'Of the one-sided Wilson lower bound on the precision',
		displayOptions: show,
	},
];

export async function execute(context: IExecuteFunctions, store: HitlStore, itemIndex: number): Promise<INodeExecutionData> {
	const now = new Date();
	const filter = windowFilter(context, itemIndex, now);
	const { window, filters } = reportScope(filter, now);
	const operation = 'calibration';
	const includeCharts = context.getNodeParameter('includeCharts', itemIndex, false) as boolean;

	const targetPrecision = numberParameter(context, 'targetPrecision', itemIndex, 0.95, TARGET_PRECISION);
	const minSamples = Number(context.getNodeParameter('minSamples', itemIndex, 100));
	const level = String(context.getNodeParameter('confidenceLevel', itemIndex, '0.95'));
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
