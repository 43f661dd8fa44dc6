/**
 * The store's review-SLA contract (issue 15), run unchanged against the embedded SQLite file and a
 * real PostgreSQL server: the respond-within target and backup reviewers kept with a pending
 * review, which reviews are candidates for a step, and "each step once per review" as a
 * compare-and-set — racing pollers use separate store instances (their own connections), as n8n
 * processes in queue mode would, and a reopened store (a restart) still knows what was emitted.
 */
import type { PendingReviewRecord } from '../../../nodes/shared/store';
import { storeFixture } from '../../support/storeBackends';

jest.setTimeout(180_000);

const T0 = Date.parse('2026-12-02T09:00:00.000Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();
const key = (executionId: string) => ({ executionId, nodeName: 'Human Approval Wait' });

function review(executionId: string, overrides: Partial<PendingReviewRecord> = {}): PendingReviewRecord {
	return {
		executionId,
		nodeName: 'Human Approval Wait',
		nodeId: 'node-1',
		workflowId: 'wf-1',
		title: 'Review the reply',
		items: [{ caseId: `case-${executionId}`, summary: 'Refund please', reasons: ['LOW_CONFIDENCE'], riskFlags: [] }],
		requestedAt: at(0),
		respondBy: at(20),
		reviewerMode: 'named',
		reviewers: [{ id: 'ana@example.com', name: 'Ana' }],
		priority: 2,
		...overrides,
	};
}

describe.each(['embedded', 'postgres'] as const)('review SLA steps in the store (%s)', (backend) => {
	const { freshConfig, open } = storeFixture(backend, 'sla');

	test('keeps the target and the backup reviewers with the pending review', async () => {
		const store = await open(await freshConfig());
		const backups = [{ id: 'lead@example.com', name: 'Shift lead', email: 'lead@example.com' }];
		await store.pendingReviews.registerPendingReview(review('r1', { backupReviewers: backups }));
		await store.pendingReviews.registerPendingReview(review('r2', { respondBy: undefined }));
		const r1 = await store.pendingReviews.getPendingReview(key('r1'), at(1));
		expect(r1).toMatchObject({ respondBy: at(20), backupReviewers: backups });
		const r2 = await store.pendingReviews.getPendingReview(key('r2'), at(1));
		expect(r2?.respondBy).toBeUndefined();
		expect(r2?.backupReviewers).toBeUndefined();
	});

	test('candidates: pending, with a target, first step reached, final step not recorded; soonest target first', async () => {
		const store = await open(await freshConfig());
		const pending = store.pendingReviews;
		await pending.registerPendingReview(review('later', { respondBy: at(40) })); // reminder (75 %) at 30
		await pending.registerPendingReview(review('soon', { respondBy: at(12) })); // reminder at 9
		await pending.registerPendingReview(review('no-target', { respondBy: undefined }));
		await pending.registerPendingReview(review('decided', { respondBy: at(4) }));
		await pending.registerPendingReview(review('skewed', { requestedAt: at(5), respondBy: at(3) }));
		await pending.registerPendingReview(review('done', { respondBy: at(2) }));
		await pending.closePendingReview(key('decided'), { status: 'decided', at: at(5), decisions: ['approved'], decidedBy: ['Ana'] });
		await store.reviewSla.recordSlaStep(key('done'), 'overdue', at(3));
		await store.reviewSla.recordSlaStep(key('done'), 'escalated', at(3));
		await store.reviewSla.recordSlaStep(key('soon'), 'reminder', at(9));

		const ids = async (minute: number) =>
			(await store.reviewSla.listSlaCandidates({ now: at(minute), leadShare: 0.25, finalStep: 'escalated' })).map((c) => c.review.executionId);
		expect(await ids(8)).toEqual(['skewed']);
		expect(await ids(10)).toEqual(['skewed', 'soon']);
		expect(await ids(31)).toEqual(['skewed', 'soon', 'later']);
		const soon = (await store.reviewSla.listSlaCandidates({ now: at(10), leadShare: 0.25, finalStep: 'escalated' })).find(
			(candidate) => candidate.review.executionId === 'soon',
		);
		expect(soon?.emitted).toEqual(['reminder']);
		// Without reminders the first step is the target itself.
		expect(
			(await store.reviewSla.listSlaCandidates({ now: at(31), leadShare: 0, finalStep: 'overdue' })).map((c) => c.review.executionId),
		).toEqual(['skewed', 'soon']);
	});

	test('each step once: of 8 pollers on 8 connections exactly one records it; a reopened store still knows', async () => {
		const config = await freshConfig();
		const first = await open(config);
		await first.pendingReviews.registerPendingReview(review('race'));
		// Opened one after another: concurrent first opens would race the schema migration, not the step.
		const pollers = [first];
		for (let index = 1; index < 8; index++) pollers.push(await open(config));
		const wins = await Promise.all(pollers.map((store) => store.reviewSla.recordSlaStep(key('race'), 'overdue', at(20))));
		expect(wins.filter(Boolean)).toHaveLength(1);
		expect(await first.reviewSla.recordSlaStep(key('race'), 'reminder', at(15))).toBe(true);

		await first.close();
		const restarted = await open(config);
		expect(await restarted.reviewSla.recordSlaStep(key('race'), 'overdue', at(21))).toBe(false);
		expect(await restarted.reviewSla.listSlaSteps(key('race'))).toEqual([
			{ step: 'reminder', emittedAt: at(15) },
			{ step: 'overdue', emittedAt: at(20) },
		]);
		expect(await restarted.reviewSla.listSlaSteps(key('other'))).toEqual([]);
	});
});
