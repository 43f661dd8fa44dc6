/**
 * The report's sentences and charts as an admin reads them in the weekly mail: durations in a
 * unit that fits, a cost that says how to switch it on, a calibration error with its scale, and
 * every chart bar with its count — in SVG, mail-safe HTML and plain text.
 */
import { calibrate } from '../../../nodes/shared/calibration/calibration';
import {
	describeCalibrationError,
	describeCost,
	describeTimeToDecision,
	formatDuration,
	formatUsd,
} from '../../../nodes/FeedbackLog/describeFigures';
import {
	renderOverrideRateHtml,
	renderOverrideRateText,
	renderReliabilityDiagram,
	renderReliabilityHtml,
	renderReliabilityText,
} from '../../../nodes/FeedbackLog/renderCharts';

describe('describeFigures', () => {
	test('durations in a unit that fits: 22 s is not "0 min"', () => {
		expect([400, 22_000, 59_400, 90_000, 240_000, 600_000, 5_400_000, 30 * 3_600_000, 3 * 86_400_000].map(formatDuration)).toEqual([
			'under 1 s',
			'22 s',
			'59 s',
			'1.5 min',
			'4 min',
			'10 min',
			'1.5 h',
			'30 h',
			'3 days',
		]);
		expect(formatDuration(null)).toBe('n/a');
		expect(describeTimeToDecision({ count: 3, p50Ms: 22_000, p90Ms: 600_000 })).toBe('median 22 s, 90th percentile 10 min (3 answered)');
		expect(describeTimeToDecision({ count: 0, p50Ms: null, p90Ms: null })).toBe('n/a (no review was answered)');
	});

	test('cost: says how to set prices when none was set, and never rounds a real cost to 0.00', () => {
		const cost = (total: number, priced: number) => ({ total, perCase: null, perEscalatedCase: null, priced });
		expect(describeCost(cost(0, 0), 4)).toBe(
			"not measured: no decision carried a price — set LLM Draft's Options → Input / Output Price per 1M Tokens (USD) to track it",
		);
		expect(describeCost(cost(0.004, 4), 4)).toBe('0.004 USD, 0.001 USD per decision');
		expect(describeCost(cost(12.5, 2), 4)).toBe(
			"12.50 USD, 6.25 USD per decision over 2 of 4 decisions (the others carried no price: set LLM Draft's Options → Input / Output Price per 1M Tokens (USD))",
		);
		expect(describeCost(cost(0, 0), 0)).toBe('n/a (no decisions)');
		expect(formatUsd(0.000123)).toBe('0.00012 USD');
	});

	test('calibration error: a verdict on a stated scale, and a warning when the sample is small', () => {
		expect(describeCalibrationError(0.032, 250)).toBe(
			'0.032 — good: the scores mean about what they say (confidence is off from the approval rate by 3.2 points on average; 0 is perfect, under 0.05 good, over 0.15 poor)',
		);
		expect(describeCalibrationError(0.1, 250)).toMatch(/^0\.100 — fair: read the threshold with care/);
		expect(describeCalibrationError(0.3, 3)).toMatch(/^0\.300 — poor: .*; from only 3 reviewed drafts, so a rough figure\)$/);
		expect(describeCalibrationError(null, 0)).toBe('n/a (no reviewed drafts yet)');
	});
});

describe('charts with their counts', () => {
	const bins = calibrate([
		{ model: null, promptVersion: null, percent: 35, count: 4, correct: 1, sumConfidence: 1.4, sumSquaredError: 0 },
		{ model: null, promptVersion: null, percent: 95, count: 12, correct: 12, sumConfidence: 11.4, sumSquaredError: 0 },
	]).bins;
	const points = [
		{ bucketStart: '2026-11-01T00:00:00.000Z', reviewed: 10, overrideRate: 0.2 },
		{ bucketStart: '2026-11-02T00:00:00.000Z', reviewed: 0, overrideRate: null },
		{ bucketStart: '2026-11-03T00:00:00.000Z', reviewed: 5, overrideRate: 0.6 },
	];

	test('SVG reliability diagram: each bar is labelled with its number of drafts', () => {
		const svg = renderReliabilityDiagram(bins);
		expect(svg.match(/<text class="count"[^>]*>n=(\d+)<\/text>/g)?.map((label) => label.replace(/<[^>]+>/g, ''))).toEqual(['n=4', 'n=12']);
	});

	test('text: one row per band or bucket with reviews, with the count, a bar and the share', () => {
		expect(renderReliabilityText(bins).split('\n')).toEqual([
			'Reliability: share approved unchanged per confidence band',
			'band      drafts  approved unchanged',
			'30–40%         4  █████                 25%',
			'90–100%       12  ████████████████████ 100%',
		]);
		expect(renderOverrideRateText(points).split('\n')).toEqual([
			'Override rate (edited or rejected) over time',
			'from       reviewed  overridden',
			'2026-11-01       10  ████                  20%',
			'2026-11-03        5  ████████████          60%',
		]);
		expect(renderReliabilityText([])).toContain('(no reviewed drafts in this window)');
	});

	test('HTML: tables with inline styles only, the count and the share in cells, labels escaped', () => {
		const html = renderReliabilityHtml(bins, 'Reliability <30 days>');
		expect(html).toContain('Reliability &lt;30 days&gt;');
		expect(html).not.toMatch(/<(style|script|svg|img|link)\b/);
		const rows = [...html.matchAll(/<tr><td[^>]*>([^<]+)<\/td><td[^>]*>(\d+)<\/td>.*?<td[^>]*>(\d+%)<\/td><\/tr>/g)].map((match) => match.slice(1));
		expect(rows).toEqual([
			['30–40%', '4', '25%'],
			['90–100%', '12', '100%'],
		]);
		expect(html).toContain('width:50px');
		expect(renderOverrideRateHtml(points)).toMatch(/2026-11-03<\/td><td[^>]*>5<\/td>/);
		expect(renderOverrideRateHtml([])).toContain('No reviewed decisions in this window');
	});
});
