/** Metrics: the oversight figures of one window of decisions (see computeMetrics for the definitions). */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { calibrationReports } from '../../shared/calibration/calibration';
import { numberParameter } from '../../shared/nodeParameters';
import type { DecisionFilter, HitlStore } from '../../shared/store';
import { computeMetrics } from '../computeMetrics';
import { computeSlaFigures, type SlaFigures } from '../computeSlaFigures';
import { describeCost, describeSla, describeTimeToDecision } from '../describeFigures';
import {
	renderOverrideRateChart,
	renderOverrideRateHtml,
	renderOverrideRateText,
	renderReliabilityDiagram,
	renderReliabilityHtml,
	renderReliabilityText,
	renderSlaChart,
	renderSlaHtml,
	renderSlaText,
	type SlaBar,
} from '../renderCharts';
import { DAY_MS, reportScope, svgBinary, windowFilter } from './analysisWindow';

const BUCKET_MS = { hour: 3_600_000, day: DAY_MS, week: 7 * DAY_MS } as const;

const show = { show: { operation: ['metrics'] } };

export const description: INodeProperties[] = [
	{
		displayName: 'Rubber-Stamp Seconds',
		name: 'rubberStampSeconds',
		type: 'number',
		default: 5,
		typeOptions: { minValue: 0 },
		hint: 'Approvals made within this many seconds of opening the review page count as rubber stamps',
		description: 'A reviewer is flagged when at least half of their approvals came faster than this',
		displayOptions: show,
	},
	{
		displayName: 'Time Buckets',
		name: 'bucket',
		type: 'options',
		default: 'day',
		options: [
			{ name: 'Hour', value: 'hour' },
			{ name: 'Day', value: 'day' },
			{ name: 'Week', value: 'week' },
		],
		description: 'Width of the override-rate-over-time series',
		displayOptions: show,
	},
];

/**
 * The review-SLA figures of the window (issue 15): reviews requested in it, and the overdue
 * reviews of now. The Model and Prompt Version filters do not apply: a pending review is not tied
 * to one draft's model.
 */
async function readSlaFigures(store: HitlStore, filter: DecisionFilter, now: Date): Promise<SlaFigures> {
	const window = {
		since: filter.since ?? new Date(0).toISOString(),
		until: filter.until ?? new Date(now.getTime() + 1).toISOString(),
		 ...(filter.workflowId ? { workflowId: filter.workflowId } : {}) };
	const [reviews, overdue] = await Promise.all([store.reviewSla.slaFacts(window), store.reviewSla.overdueReviews(now.toISOString(), filter.workflowId)]);
	return computeSlaFigures(reviews, overdue, now);
}

/** The SLA chart's bars: every review, then each priority that had one with a target. */
function slaBars(sla: SlaFigures): SlaBar[] {
	return [
		{ label: 'all', ...sla.withinTarget },
		...sla.byPriority.filter((group) => group.withTarget > 0).map((group) => ({ label: group.name, ...group.withinTarget })),
	];
}

/** The period had reviews with a target or has overdue ones: only then is the SLA chart worth a place in the mail. */
const hasSla = (sla: SlaFigures) => sla.withTarget > 0 || sla.overdueNow > 0;

export async function execute(context: IExecuteFunctions, store: HitlStore, itemIndex: number): Promise<INodeExecutionData> {
	const now = new Date();
	const filter = windowFilter(context, itemIndex, now);
	const includeCharts = context.getNodeParameter('includeCharts', itemIndex, false) as boolean;
	const rubberStampMs =
		numberParameter(context, 'rubberStampSeconds', itemIndex, 5, {
			label: 'Rubber-Stamp Seconds',
			min: 0,
			description: 'Set Rubber-Stamp Seconds to 0 or more: approvals faster than this count as rubber stamps (5 is the default).',
		}) * 1000;
	const bucket = context.getNodeParameter('bucket', itemIndex, 'day') as keyof typeof BUCKET_MS;
	const stats = await store.decisionStats(filter, { rubberStampMs, bucketMs: BUCKET_MS[bucket] });
	const metrics = computeMetrics(stats, { rubberStampMs });
	const sla = await readSlaFigures(store, filter, now);
	const summary = {
		timeToDecision: describeTimeToDecision(metrics.timeToDecision),
		cost: describeCost(metrics.costUsd, metrics.volume),
		sla: describeSla(sla),
	};
	const item: INodeExecutionData = {
		json: { operation: 'metrics', ...reportScope(filter, now), ...metrics, sla, summary } as unknown as IDataObject,
	};
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
		if (hasSla(sla)) {
			const charts = item.json.charts as { text: string; html: string };
			charts.text += `\n\n${renderSlaText(slaBars(sla))}`;
			charts.html += renderSlaHtml(slaBars(sla));
			item.binary.slaChart = await svgBinary(context, renderSlaChart(slaBars(sla)), 'review-sla.svg');
		}
	}
	return item;
}
