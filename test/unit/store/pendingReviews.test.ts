/**
 * The store's pending-review and claim contract (issue 14), run unchanged against the embedded
 * SQLite file and a real PostgreSQL server. Racing claimants use separate store instances (their
 * own connections), as reviewers on different n8n processes would.
 */
import type { PendingReviewRecord } from '../../../nodes/shared/store';
import { storeFixture } from '../../support/storeBackends';

jest.setTimeout(180_000);

const T0 = Date.parse('2026-12-02T09:00:00.000Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();

function review(executionId: string, overrides: Partial<PendingReviewRecord> = {}): PendingReviewRecord {
	return {
		executionId,
		nodeName: 'Human Approval Wait',
		nodeId: 'node-1',
		workflowId: 'wf-1',
		workflowName: 'Support replies',
		title: 'Review the reply',
		items: [{ caseId: `case-${executionId}`, summary: 'Where is my parcel?', reasons: ['LOW_CONFIDENCE'], confidence: 0.4, riskFlags: [] }],
		requestedAt: at(0),
		reviewerMode: 'named',
		reviewers: [
			{ id: 'ana@example.com', name: 'Ana' },
			{ id: 'ben@example.com', name: 'Ben' },
		],
		priority: 2,
		...overrides,
	};
}

const key = (executionId: string) => ({ executionId, nodeName: 'Human Approval Wait' });

describe.each(['embedded', 'postgres'] as const)('pending reviews and claims (%s)', (backend) => {
	const { freshConfig, open } = storeFixture(backend, 'inbox');

	test('lists pending reviews by priority, then deadline (none last), then age; filters; counts per reason', async () => {
		const store = await open(await freshConfig());
		const pending = store.pendingReviews;
		await pending.registerPendingReview(review('low-old', { priority: 1, requestedAt: at(-60) }));
		await pending.registerPendingReview(review('high-no-deadline', { priority: 3 }));
		await pending.registerPendingReview(review('high-soon', { priority: 3, deadline: at(30) }));
		await pending.registerPendingReview(review('high-later', { priority: 3, deadline: at(90) }));
		await pending.registerPendingReview(
			review('other-wf', {
				priority: 2,
				workflowId: 'wf-2',
				reviewerMode: 'link',
				reviewers: [],
				items: [{ caseId: 'c', summary: '', reasons: ['COMPLIANCE_BLOCK', 'RISK_FLAG'], intent: 'refund', riskFlags: ['legal'] }],
			}),
		);
		// Registering again (a retried execution) changes nothing.
		await pending.registerPendingReview(review('low-old', { priority: 9 }));

		const all = await pending.listPendingReviews({}, { now: at(1) });
		expect(all.map((entry) => entry.executionId)).toEqual(['high-soon', 'high-later', 'high-no-deadline', 'other-wf', 'low-old']);
		expect(all[4].priority).toBe(1);
		expect(await pending.countPendingReviews({})).toBe(5);
		expect((await pending.listPendingReviews({ workflowId: 'wf-2' }, { now: at(1) })).map((entry) => entry.executionId)).toEqual(['other-wf']);
		expect((await pending.listPendingReviews({ intent: 'refund' }, { now: at(1) })).map((entry) => entry.executionId)).toEqual(['other-wf']);
		expect((await pending.listPendingReviews({ reason: 'RISK_FLAG' }, { now: at(1) })).map((entry) => entry.executionId)).toEqual(['other-wf']);
		expect(await pending.countPendingReviews({ reviewerId: 'ana@example.com' })).toBe(4);
		expect((await pending.pendingCounts()).byReason).toEqual({ LOW_CONFIDENCE: 4, COMPLIANCE_BLOCK: 1, RISK_FLAG: 1 });
		expect((await pending.pendingCounts()).all).toBe(5);
		// A filter value with LIKE's wildcards matches only itself.
		expect(await pending.countPendingReviews({ reason: '%' })).toBe(0);

		expect(await pending.closePendingReview(key('high-soon'), { status: 'decided', at: at(2), decisions: ['approved'], decidedBy: ['Ana'] })).toBe(true);
		expect(await pending.closePendingReview(key('high-soon'), { status: 'expired', at: at(3) })).toBe(false);
		const decided = await pending.getPendingReview(key('high-soon'), at(4));
		expect(decided).toMatchObject({ status: 'decided', decisions: ['approved'], decidedBy: ['Ana'], closedAt: at(2) });
		expect((await pending.listPendingReviews({}, { now: at(4) })).map((entry) => entry.executionId)).not.toContain('high-soon');
		expect((await pending.pendingCounts()).byReason).toEqual({ LOW_CONFIDENCE: 3, COMPLIANCE_BLOCK: 1, RISK_FLAG: 1 });
		expect(await pending.countPendingReviews({})).toBe(4);
		expect((await pending.pendingCounts()).workflows).toEqual([
			{ id: 'wf-1', name: 'Support replies' },
			{ id: 'wf-2', name: 'Support replies' },
		]);
		await pending.closePendingReview(key('other-wf'), { status: 'cancelled', at: at(5) });
		expect(await pending.pendingCounts()).toEqual({ all: 3, byReason: { LOW_CONFIDENCE: 3 }, workflows: [{ id: 'wf-1', name: 'Support replies' }] });
	});

	test('keeps no card number in a summary; keeps the sealed link as given', async () => {
		const store = await open(await freshConfig());
		await store.pendingReviews.registerPendingReview(
			review('card', {
				sealedLink: 'v1.abc.def',
				items: [{ caseId: 'c', summary: 'my card 4111 1111 1111 1111 was charged', reasons: [], riskFlags: [] }],
			}),
		);
		const stored = await store.pendingReviews.getPendingReview(key('card'), at(0));
		expect(stored?.items[0].summary).not.toContain('4111 1111 1111 1111');
		expect(stored?.items[0].summary).toContain('1111');
		expect(stored?.sealedLink).toBe('v1.abc.def');
	});

	test('claim rules: one holder, expiry, the claimant again, release, take-over, nothing after a decision', async () => {
		const store = await open(await freshConfig());
		const pending = store.pendingReviews;
		await pending.registerPendingReview(review('r1'));
		const ttlMs = 15 * 60_000;

		const ana = await pending.claimReview(key('r1'), { reviewerId: 'ana@example.com', reviewerName: 'Ana', now: at(0), ttlMs });
		expect(ana).toEqual({ ok: true, claim: { reviewerId: 'ana@example.com', reviewerName: 'Ana', claimedAt: at(0), expiresAt: at(15) } });
		const ben = await pending.claimReview(key('r1'), { reviewerId: 'ben@example.com', now: at(3), ttlMs });
		expect(ben).toMatchObject({ ok: false, why: 'claimedByOther', claim: { reviewerId: 'ana@example.com', claimedAt: at(0) } });
		// The claimant may renew.
		expect(await pending.claimReview(key('r1'), { reviewerId: 'ana@example.com', now: at(5), ttlMs })).toMatchObject({ ok: true });
		// Expired (renewed at 5 → expires at 20): anyone may claim.
		expect(await pending.claimReview(key('r1'), { reviewerId: 'ben@example.com', now: at(21), ttlMs })).toMatchObject({
			ok: true,
			claim: { reviewerId: 'ben@example.com' },
		});
		expect((await pending.getPendingReview(key('r1'), at(22)))?.claim?.reviewerId).toBe('ben@example.com');
		expect((await pending.getPendingReview(key('r1'), at(40)))?.claim).toBeUndefined();

		expect(await pending.releaseClaim(key('r1'), 'ana@example.com')).toBe(false);
		expect(await pending.releaseClaim(key('r1'), 'ben@example.com')).toBe(true);
		expect((await pending.getPendingReview(key('r1'), at(22)))?.claim).toBeUndefined();

		await pending.claimReview(key('r1'), { reviewerId: 'ana@example.com', now: at(23), ttlMs });
		const takeOver = await pending.claimReview(key('r1'), { reviewerId: 'ben@example.com', now: at(24), ttlMs, takeOver: true });
		expect(takeOver).toMatchObject({ ok: true, claim: { reviewerId: 'ben@example.com' }, tookOverFrom: { reviewerId: 'ana@example.com' } });

		await pending.closePendingReview(key('r1'), { status: 'decided', at: at(25) });
		expect(await pending.claimReview(key('r1'), { reviewerId: 'ana@example.com', now: at(26), ttlMs })).toEqual({
			ok: false,
			why: 'notPending',
			status: 'decided',
		});
		expect(await pending.claimReview(key('missing'), { reviewerId: 'ana@example.com', now: at(26), ttlMs })).toEqual({
			ok: false,
			why: 'notPending',
			status: 'unknown',
		});
	});

	test('reviews past their deadline are marked expired (closed at the deadline, counts kept); stopped ones are listed latest first', async () => {
		const store = await open(await freshConfig());
		const pending = store.pendingReviews;
		await pending.registerPendingReview(review('overdue', { deadline: at(10), workflowId: 'wf-2' }));
		await pending.registerPendingReview(review('later', { deadline: at(60) }));
		await pending.registerPendingReview(review('no-deadline'));
		expect(await pending.expireOverdueReviews(at(5))).toBe(0);
		expect(await pending.expireOverdueReviews(at(11))).toBe(1);
		expect(await pending.expireOverdueReviews(at(12))).toBe(0);
		expect(await pending.getPendingReview(key('overdue'), at(12))).toMatchObject({ status: 'expired', closedAt: at(10) });
		expect(await pending.pendingCounts()).toEqual({ all: 2, byReason: { LOW_CONFIDENCE: 2 }, workflows: [{ id: 'wf-1', name: 'Support replies' }] });
		expect((await pending.listPendingReviews({}, { now: at(12) })).map((entry) => entry.executionId)).toEqual(['later', 'no-deadline']);
		await pending.closePendingReview(key('later'), { status: 'cancelled', at: at(20) });
		await pending.closePendingReview(key('no-deadline'), { status: 'decided', at: at(21), decisions: ['approved'] });
		const stopped = await pending.listStoppedReviews(at(0), { now: at(30) });
		expect(stopped.map((entry) => [entry.executionId, entry.status, entry.closedAt])).toEqual([
			['later', 'cancelled', at(20)],
			['overdue', 'expired', at(10)],
		]);
		expect((await pending.listStoppedReviews(at(15), { now: at(30) })).map((entry) => entry.executionId)).toEqual(['later']);
	});

	test('the workflow list and the stopped reviews follow every change, also one made by another process (the counters carry a revision)', async () => {
		const config = await freshConfig();
		const reader = (await open(config)).pendingReviews;
		const writer = (await open(config)).pendingReviews;
		const workflows = async () => (await reader.pendingCounts()).workflows;
		expect(await workflows()).toEqual([]);
		await writer.registerPendingReview(review('a'));
		expect(await workflows()).toEqual([{ id: 'wf-1', name: 'Support replies' }]);
		expect(await workflows()).toEqual([{ id: 'wf-1', name: 'Support replies' }]);
		// A new workflow, a renamed one (its latest registration names it), a workflow whose last review closed.
		await writer.registerPendingReview(review('b', { workflowId: 'wf-2', workflowName: 'Billing' }));
		expect(await workflows()).toEqual([
			{ id: 'wf-2', name: 'Billing' },
			{ id: 'wf-1', name: 'Support replies' },
		]);
		await writer.registerPendingReview(review('c', { workflowName: 'Support (EU)' }));
		expect((await workflows()).map((workflow) => workflow.name)).toEqual(['Billing', 'Support (EU)']);
		await writer.closePendingReview(key('b'), { status: 'decided', at: at(1) });
		expect(await reader.pendingCounts()).toEqual({ all: 2, byReason: { LOW_CONFIDENCE: 2 }, workflows: [{ id: 'wf-1', name: 'Support (EU)' }] });
		// The list is shared until the next change: no caller can change it for the next one.
		const list = (await workflows()) as { id: string; name: string }[];
		expect(() => list.pop()).toThrow(TypeError);
		expect(() => Object.assign(list[0], { name: 'changed' })).toThrow(TypeError);
		expect(await workflows()).toEqual([{ id: 'wf-1', name: 'Support (EU)' }]);
		// So do the reviews that stopped waiting, as the window moves on.
		const stopped = async (since: number) => (await reader.listStoppedReviews(at(since), { now: at(30) })).map((entry) => entry.executionId);
		expect(await stopped(0)).toEqual([]);
		await writer.closePendingReview(key('a'), { status: 'cancelled', at: at(2) });
		expect(await stopped(0)).toEqual(['a']);
		await writer.closePendingReview(key('c'), { status: 'expired', at: at(4) });
		expect(await stopped(0)).toEqual(['c', 'a']);
		expect(await stopped(3)).toEqual(['c']);
		expect(await stopped(5)).toEqual([]);
	});

	test('8 concurrent claimers on 8 connections: exactly one winner, and everyone sees who', async () => {
		const config = await freshConfig();
		const first = await open(config);
		await first.pendingReviews.registerPendingReview(review('race'));
		// Opened one after the other: SQLite's open migrates under a write lock, and a second
		// connection of the same thread waiting for it synchronously could never see it released.
		const stores = [first];
		for (let index = 1; index < 8; index++) stores.push(await open(config));
		for (let round = 0; round < 3; round++) {
			await first.pendingReviews.releaseClaim(key('race'), (await first.pendingReviews.getPendingReview(key('race'), at(round)))?.claim?.reviewerId ?? '');
			const results = await Promise.all(
				stores.map((store, index) =>
					store.pendingReviews.claimReview(key('race'), { reviewerId: `reviewer-${index}`, now: at(round), ttlMs: 60_000 * 15 }),
				),
			);
			const winners = results.filter((result) => result.ok);
			expect(winners).toHaveLength(1);
			const winner = winners[0].ok ? winners[0].claim.reviewerId : '';
			for (const result of results.filter((entry) => !entry.ok)) {
				expect(result).toMatchObject({ ok: false, why: 'claimedByOther', claim: { reviewerId: winner } });
			}
			expect((await first.pendingReviews.getPendingReview(key('race'), at(round)))?.claim?.reviewerId).toBe(winner);
		}
	});
});
