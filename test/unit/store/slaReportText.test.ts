/**
 * The SLA figures as a report shows them (issue 15 item 4): the sentences of `summary.sla` and the
 * SLA chart in its three forms, from known figures — including a period without any review that
 * has a target, where they say so instead of printing 0 % or NaN.
 */
import { computeSlaFigures } from '../../../nodes/FeedbackLog/computeSlaFigures';
import { describeSla, describeWithinTarget } from '../../../nodes/FeedbackLog/describeFigures';
import { renderSlaChart, renderSlaHtml, renderSlaText } from '../../../nodes/FeedbackLog/renderCharts';
import type { SlaReviewFacts } from '../../../nodes/shared/store';

const NOW = Date.parse('2026-12-02T12:00:00.000Z');
const MIN = 60_000;

function review(id: string, priority: number, answeredAfterMin: number | null, targetMin: number | null): SlaReviewFacts {
	const requestedMs = NOW - 120 * MIN;
	return {
		executionId: id,
		nodeName: 'Human Approval',
		priority,
		requestedMs,
		respondByMs: targetMin === null ? null : requestedMs + targetMin * MIN,
		deadlineMs: null,
		status: answeredAfterMin === null ? 'pending' : 'decided',
		closedMs: answeredAfterMin === null ? null : requestedMs + answeredAfterMin * MIN,
		reviewers: [{ id: 'ana', name: 'Ana <lead>' }],
		answers: answeredAfterMin === null ? [] : [{ actor: 'ana', atMs: requestedMs + answeredAfterMin * MIN }],
		steps: [],
	};
}

describe('SLA report text and chart', () => {
	test('sentences: the share with counts and bounds, times in a unit that fits, overdue now, per priority', () => {
		// high: 2 of 2 in time; normal: 1 of 2 (one answered after 50 of 30 minutes), one without a target
		const sla = computeSlaFigures(
			[review('a', 3, 4, 30), review('b', 3, 12, 30), review('c', 2, 20, 30), review('d', 2, 50, 30), review('e', 2, 1, null)],
			[{ priority: 2, reviewers: [], respondByMs: NOW - MIN }],
			new Date(NOW),
		);
		const text = describeSla(sla);
		expect(text.withinTarget).toBe(`75 % (3 of 4; one-sided 95 % bounds ${Math.round(sla.withinTarget.lowerBound! * 100)} %–${Math.round(sla.withinTarget.upperBound! * 100)} %)`);
		// first answers 1, 4, 12, 20, 50 min: median rank 3 = 12 min, 90th rank 5 = 50 min
		expect(text.timeToFirstAnswer).toBe('median 12 min, 90th percentile 50 min (5 answered)');
		expect(text.overdueNow).toBe('1 review past the target and still unanswered');
		expect(text.line).toBe(`Review SLA: answered within target ${text.withinTarget}; first answer ${text.timeToFirstAnswer}; 1 overdue now`);
		expect(text.byPriority).toEqual([
			expect.stringMatching(/^high: answered within target 100 % \(2 of 2; one-sided 95 % bounds \d+ %–100 %\), 0 overdue now$/),
			expect.stringMatching(/^normal: answered within target 50 % \(1 of 2; .*\), 1 overdue now$/),
		]);
	});

	test('no review with a target: the sentences and the chart say so', () => {
		const sla = computeSlaFigures([review('e', 2, 1, null)], [], new Date(NOW));
		expect(describeWithinTarget(sla.withinTarget)).toBe('n/a (no review with a target)');
		expect(describeSla(sla).line).toBe('Review SLA: answered within target n/a (no review with a target); first answer median 1 min, 90th percentile 1 min (1 answered); 0 overdue now');
		const open = computeSlaFigures([review('f', 2, null, 600)], [], new Date(NOW));
		expect(describeWithinTarget(open.withinTarget)).toBe('n/a (1 review still inside the target)');
		const bars = [{ label: 'all', ...sla.withinTarget }];
		expect(renderSlaText(bars)).toBe('Reviews answered within target\n(no review with a target passed in this window)');
		expect(renderSlaHtml(bars)).toContain('No review with a target passed in this window');
		expect(renderSlaChart(bars)).toContain('No review with a target passed in this window');
	});

	test('the chart: one bar per group with its count and the bounds as whiskers; labels escaped', () => {
		const bars = [
			{ label: 'all', judged: 4, share: 0.75, lowerBound: 0.35, upperBound: 0.95 },
			{ label: '<high>', judged: 2, share: 1, lowerBound: 0.42, upperBound: 1 },
		];
		const svg = renderSlaChart(bars);
		expect(svg).toMatch(/^<svg[\s\S]*<\/svg>$/);
		expect(svg.match(/<rect x=/g)).toHaveLength(2);
		expect(svg.match(/class="bounds"/g)).toHaveLength(2);
		expect(svg).toContain('n=4');
		expect(svg).toContain('&lt;high&gt;');
		expect(svg).not.toContain('<high>');
		expect(renderSlaText(bars).split('\n')).toEqual([
			'Reviews answered within target',
			'priority  reviews  within target (95 % bounds)',
			'all             4  ███████████████       75% (35%–95%)',
			'<high>          2  ████████████████████ 100% (42%–100%)',
		]);
		expect(renderSlaHtml(bars)).toContain('&lt;high&gt;');
	});
});
