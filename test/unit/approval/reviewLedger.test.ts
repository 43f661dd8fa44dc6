/**
 * The review ledger in the store, on both back ends: an answer costs one read and one
 * compare-and-set write (the read webhook() makes alongside its other reads, no second one), and a
 * race still keeps every answer — the loser's step runs again on the state that won.
 */
import { storeLedger, type LedgerState } from '../../../nodes/HumanApprovalWait/reviewLedger';
import type { HitlStore, ReviewStateKey } from '../../../nodes/shared/store';
import { storeFixture } from '../../support/storeBackends';

const KEY: ReviewStateKey = { executionId: '7001', nodeName: 'Human Approval' };

/** The store with its review-state reads and writes counted. */
function counted(store: HitlStore): { store: HitlStore; reads: () => number; writes: () => number } {
	let reads = 0;
	let writes = 0;
	const wrapped = Object.create(store) as HitlStore;
	wrapped.getReviewState = async (key) => {
		reads++;
		return await store.getReviewState(key);
	};
	wrapped.putReviewState = async (key, state, options) => {
		writes++;
		return await store.putReviewState(key, state, options);
	};
	return { store: wrapped, reads: () => reads, writes: () => writes };
}

/** A step that adds one reviewer's approval (as answerReviewRequest's ledgerChange does). */
function approveBy(reviewerId: string, seen: LedgerState[] = []) {
	return (state: LedgerState) => {
		seen.push(state);
		return {
			ledgerChange: {
				answers: [...state.answers, { reviewerId, itemIndex: 0, choice: 'approve' as const, at: '2026-12-02T08:00:00.000Z' }],
			},
		};
	};
}

describe.each(['embedded', 'postgres'] as const)('review ledger in the store (%s)', (backend) => {
	const fixture = storeFixture(backend, 'ledger');

	it('records an answer with one read and one conditional write', async () => {
		const { store, reads, writes } = counted(await fixture.open(await fixture.freshConfig()));
		const ledger = storeLedger(store, KEY);

		const snapshot = await ledger.read();
		await ledger.update(snapshot, approveBy('ann'));
		expect({ reads: reads(), writes: writes() }).toEqual({ reads: 1, writes: 1 });

		const second = await ledger.read();
		await ledger.update(second, approveBy('bob'));
		expect({ reads: reads(), writes: writes() }).toEqual({ reads: 2, writes: 2 });
		expect((await ledger.read()).state.answers.map((answer) => answer.reviewerId)).toEqual(['ann', 'bob']);
	});

	it('writes nothing for a step without a ledger change (a page view, a refusal)', async () => {
		const { store, writes } = counted(await fixture.open(await fixture.freshConfig()));
		const ledger = storeLedger(store, KEY);
		const step = await ledger.update(await ledger.read(), (): { status: number; ledgerChange?: LedgerState } => ({ status: 200 }));
		expect(step).toEqual({ status: 200 });
		expect(writes()).toBe(0);
		expect(await store.getReviewState(KEY)).toBeUndefined();
	});

	it('keeps both answers of a race: the loser runs again on the state that won', async () => {
		const config = await fixture.freshConfig();
		// Two n8n processes, each with its own connections to the same store.
		const first = storeLedger(await fixture.open(config), KEY);
		const second = storeLedger(await fixture.open(config), KEY);

		const stale = await first.read();
		await second.update(await second.read(), approveBy('bob'));
		const seen: LedgerState[] = [];
		await first.update(stale, approveBy('ann', seen));

		// Ann's step saw the empty state first, then Bob's answer after the compare-and-set failed.
		expect(seen.map((state) => state.answers.map((answer) => answer.reviewerId))).toEqual([[], ['bob']]);
		const stored = await first.read();
		expect(stored.state.answers.map((answer) => answer.reviewerId)).toEqual(['bob', 'ann']);
		expect(stored.revision).toBe(2);
	});
});
