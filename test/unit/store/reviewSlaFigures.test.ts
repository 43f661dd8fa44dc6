/**
 * The Feedback Log's SLA figures (issue 15) from the store's rows, on both back ends: a period of
 * reviews whose every answer, decision, step and target is set by hand below, and each figure
 * checked against the rows it must come from — share within target with its Wilson bounds,
 * median / 90th-percentile time to first answer and to decision (nearest rank), overdue now,
 * per priority and per reviewer — plus what must not count (another workflow, a review from before
 * the period, audit lines that are not answers, a review past its hard deadline).
 */
import { computeSlaFigures } from '../../../nodes/FeedbackLog/computeSlaFigures';
import type { HitlStore, PendingReviewRecord } from '../../../nodes/shared/store';
import { storeFixture } from '../../support/storeBackends';

jest.setTimeout(180_000);

const T0 = Date.parse('2026-12-02T09:00:00.000Z');
const MIN = 60_000;
const at = (minutes: number) => new Date(T0 + minutes * MIN).toISOString();
const NOW = new Date(T0 + 60 * MIN);
const WINDOW = { since: at(-24 * 60), until: at(61) };
const NODE = 'Human Approval Wait';
const key = (executionId: string) => ({ executionId, nodeName: NODE });

/** Wilson score bounds written out here, not taken from the package: z = 1.645 each side. */
function wilson(successes: number, trials: number): [number, number] {
	const z = 1.645;
	const p = successes / trials;
	const centre = p + (z * z) / (2 * trials);
	const margin = z * Math.sqrt((p * (1 - p)) / trials + (z * z) / (4 * trials * trials));
	return [(centre - margin) / (1 + (z * z) / trials), (centre + margin) / (1 + (z * z) / trials)];
}

function review(executionId: string, overrides: Partial<PendingReviewRecord>): PendingReviewRecord {
	return {
		executionId,
		nodeName: NODE,
		nodeId: 'node-1',
		workflowId: 'wf-1',
		workflowName: 'Support',
		title: 'Review the reply',
		items: [{ caseId: `case-${executionId}`, summary: 'Refund please', reasons: ['LOW_CONFIDENCE'], riskFlags: [] }],
		requestedAt: at(0),
		reviewerMode: 'named',
		reviewers: [
			{ id: 'ana', name: 'Ana' },
			{ id: 'bo', name: 'Bo' },
		],
		priority: 2,
		...overrides,
	};
}

async function answer(store: HitlStore, executionId: string, actor: string, minute: number) {
	await store.appendAudit({ ...key(executionId), event: 'answered', actor, at: at(minute), detail: { answers: [] } });
}

async function decide(store: HitlStore, executionId: string, minute: number) {
	await store.pendingReviews.closePendingReview(key(executionId), { status: 'decided', at: at(minute), decisions: ['approved'], decidedBy: ['Ana'] });
}

/**
 * a: high, target 20, Ana at 5, decided at 6 → met.
 * b: high, target 20, Bo at 30, Ana at 35, decided at 35 → missed; reminder, overdue, escalated emitted.
 * c: normal, target 10, pending, unanswered → missed, overdue now; reminder and overdue emitted.
 * d: normal, target 120, pending, unanswered → no verdict yet (open).
 * e: normal, no target, shared link at 3, decided at 4 → times only.
 * f: low, target 15, hard deadline 30 passed, pending → missed, but timed out: not overdue now.
 * g: normal, target 40, cancelled at 5 unanswered → open.
 * h: urgent, requested two days before the period, target passed, pending (Cy) → overdue now only.
 * i: another workflow, target passed, pending → only without the Workflow ID filter.
 */
async function seed(store: HitlStore) {
	const pending = store.pendingReviews;
	await pending.registerPendingReview(review('a', { priority: 3, respondBy: at(20) }));
	await pending.registerPendingReview(review('b', { priority: 3, respondBy: at(20) }));
	await pending.registerPendingReview(review('c', { respondBy: at(10) }));
	await pending.registerPendingReview(review('d', { respondBy: at(120) }));
	await pending.registerPendingReview(review('e', { reviewerMode: 'link', reviewers: [] }));
	await pending.registerPendingReview(review('f', { priority: 1, respondBy: at(15), deadline: at(30) }));
	await pending.registerPendingReview(review('g', { respondBy: at(40) }));
	await pending.registerPendingReview(review('h', { priority: 4, requestedAt: at(-48 * 60), respondBy: at(-47 * 60), reviewers: [{ id: 'cy', name: 'Cy' }] }));
	await pending.registerPendingReview(review('i', { workflowId: 'wf-2', workflowName: 'Collections', respondBy: at(5) }));
	// Written out of time order: the facts come back in time order.
	await answer(store, 'b', 'ana', 35);
	await answer(store, 'b', 'bo', 30);
	await answer(store, 'a', 'ana', 5);
	await answer(store, 'e', 'link', 3);
	await answer(store, 'h', 'cy', -47 * 60 - 5); // before the period: h is not in it
	await store.appendAudit({ ...key('c'), event: 'linkOpened', actor: 'ana', at: at(2) });
	await store.appendAudit({ ...key('d'), event: 'slaReminder', actor: 'system', at: at(50) });
	await decide(store, 'a', 6);
	await decide(store, 'b', 35);
	await decide(store, 'e', 4);
	await pending.closePendingReview(key('g'), { status: 'cancelled', at: at(5) });
	for (const step of ['escalated', 'reminder', 'overdue'] as const) await store.reviewSla.recordSlaStep(key('b'), step, at(25));
	await store.reviewSla.recordSlaStep(key('c'), 'reminder', at(8));
	await store.reviewSla.recordSlaStep(key('c'), 'overdue', at(11));
}

describe.each(['embedded', 'postgres'] as const)('SLA figures from the store (%s)', (backend) => {
	const { freshConfig, open } = storeFixture(backend, 'slafig');
	let store: HitlStore;

	beforeAll(async () => {
		store = await open(await freshConfig());
		await seed(store);
	});

	test('the rows: the period’s reviews of the workflow, their answers in time order and their steps', async () => {
		const facts = await store.reviewSla.slaFacts({ ...WINDOW, workflowId: 'wf-1' });
		expect(facts.map((fact) => fact.executionId).sort()).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g']);
		const b = facts.find((fact) => fact.executionId === 'b');
		expect(b).toMatchObject({
			priority: 3,
			requestedMs: T0,
			respondByMs: T0 + 20 * MIN,
			status: 'decided',
			closedMs: T0 + 35 * MIN,
			answers: [
				{ actor: 'bo', atMs: T0 + 30 * MIN },
				{ actor: 'ana', atMs: T0 + 35 * MIN },
			],
			steps: ['reminder', 'overdue', 'escalated'],
		});
		expect(facts.find((fact) => fact.executionId === 'c')?.answers).toEqual([]);
		expect(facts.find((fact) => fact.executionId === 'g')).toMatchObject({ status: 'cancelled', closedMs: T0 + 5 * MIN });
		expect(facts.find((fact) => fact.executionId === 'e')?.respondByMs).toBeNull();
		const overdue = await store.reviewSla.overdueReviews(NOW.toISOString(), 'wf-1');
		expect(overdue.map((row) => row.priority).sort()).toEqual([2, 4]);
	});

	test('every figure, overall, per priority and per reviewer, as counted by hand from the rows', async () => {
		const facts = await store.reviewSla.slaFacts({ ...WINDOW, workflowId: 'wf-1' });
		const sla = computeSlaFigures(facts, await store.reviewSla.overdueReviews(NOW.toISOString(), 'wf-1'), NOW);
		const [low, high] = wilson(1, 4);
		expect(sla).toMatchObject({
			reviews: 7,
			withTarget: 6,
			// met: a; missed: b (answered late), c and f (target passed unanswered); open: d, g
			withinTarget: { judged: 4, met: 1, missed: 3, open: 2, share: 0.25 },
			// first answers 3 (e), 5 (a), 30 (b) min: rank ⌈1.5⌉ = 2 and ⌈2.7⌉ = 3
			timeToFirstAnswer: { count: 3, p50Ms: 5 * MIN, p90Ms: 30 * MIN },
			// decisions 4 (e), 6 (a), 35 (b) min
			timeToDecision: { count: 3, p50Ms: 6 * MIN, p90Ms: 35 * MIN },
			// c, and h from before the period; not f (past its hard deadline), not i (other workflow)
			overdueNow: 2,
			steps: { reminder: 2, overdue: 2, escalated: 1 },
		});
		expect(sla.withinTarget.lowerBound).toBeCloseTo(low, 10);
		expect(sla.withinTarget.upperBound).toBeCloseTo(high, 10);

		const priority = (level: number) => sla.byPriority.find((group) => group.priority === level);
		expect(sla.byPriority.map((group) => group.name)).toEqual(['urgent', 'high', 'normal', 'low']);
		expect(priority(4)).toMatchObject({ reviews: 0, withTarget: 0, overdueNow: 1, withinTarget: { judged: 0, share: null, lowerBound: null } });
		expect(priority(3)).toMatchObject({
			reviews: 2,
			withinTarget: { judged: 2, met: 1, missed: 1, share: 0.5 },
			timeToFirstAnswer: { count: 2, p50Ms: 5 * MIN, p90Ms: 30 * MIN },
			timeToDecision: { count: 2, p50Ms: 6 * MIN, p90Ms: 35 * MIN },
			overdueNow: 0,
		});
		expect(priority(3)?.withinTarget.lowerBound).toBeCloseTo(wilson(1, 2)[0], 10);
		expect(priority(2)).toMatchObject({
			reviews: 4,
			withTarget: 3,
			withinTarget: { judged: 1, met: 0, missed: 1, open: 2, share: 0 },
			timeToFirstAnswer: { count: 1, p50Ms: 3 * MIN, p90Ms: 3 * MIN },
			overdueNow: 1,
		});
		expect(priority(1)).toMatchObject({ reviews: 1, withinTarget: { judged: 1, missed: 1 }, overdueNow: 0 });

		expect(sla.byReviewer.map((reviewer) => reviewer.reviewerId)).toEqual(['ana', 'bo', 'link', 'cy']);
		const [ana, bo, link, cy] = sla.byReviewer;
		expect(ana).toMatchObject({
			name: 'Ana',
			answered: 2,
			withinTarget: { judged: 2, met: 1, missed: 1 },
			timeToAnswer: { count: 2, p50Ms: 5 * MIN, p90Ms: 35 * MIN },
			timeToDecision: { count: 2, p50Ms: 6 * MIN, p90Ms: 35 * MIN },
			overdueNow: 1, // c names her
		});
		expect(bo).toMatchObject({ name: 'Bo', answered: 1, withinTarget: { judged: 1, met: 0, missed: 1 }, timeToAnswer: { p50Ms: 30 * MIN }, overdueNow: 1 });
		expect(link).toMatchObject({ name: 'shared link', answered: 1, withinTarget: { judged: 0 }, timeToAnswer: { p50Ms: 3 * MIN }, overdueNow: 0 });
		expect(cy).toMatchObject({ name: 'Cy', answered: 0, overdueNow: 1 });
	});

	test('without the Workflow ID filter the other workflow counts too', async () => {
		const facts = await store.reviewSla.slaFacts(WINDOW);
		const sla = computeSlaFigures(facts, await store.reviewSla.overdueReviews(NOW.toISOString()), NOW);
		expect(sla).toMatchObject({ reviews: 8, withTarget: 7, withinTarget: { met: 1, missed: 4, open: 2 }, overdueNow: 3 });
	});

	test('a period with no reviews: zeros and nulls, not errors', async () => {
		const empty = await store.reviewSla.slaFacts({ since: at(1000), until: at(2000) });
		expect(empty).toEqual([]);
		const sla = computeSlaFigures(empty, [], NOW);
		expect(sla).toMatchObject({ reviews: 0, withinTarget: { judged: 0, share: null }, timeToFirstAnswer: { count: 0, p50Ms: null }, overdueNow: 0, byPriority: [], byReviewer: [] });
	});
});
