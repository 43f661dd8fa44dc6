import { decideItem, decideReview, type ReviewerAnswer } from '../../../nodes/HumanApprovalWait/decideReview';
import { applyAnswers } from '../../../nodes/HumanApprovalWait/reviewLedger';

const draft = 'Your refund was sent.';

function answer(reviewerId: string, choice: ReviewerAnswer['choice'], at: string, extra: Partial<ReviewerAnswer> = {}): ReviewerAnswer {
	return { reviewerId, itemIndex: 0, choice, at: `2026-01-01T00:00:${at}Z`, ...extra };
}

describe('decideItem', () => {
	it('is pending until enough different reviewers approve', () => {
		const verdict = decideItem([answer('ann', 'approve', '01')], draft, 2);
		expect(verdict).toMatchObject({ status: 'pending', approvals: 1, approvalsNeeded: 2 });
	});

	it('approves with the quorum reached, unchanged text → approved', () => {
		const verdict = decideItem([answer('ann', 'approve', '01', { text: draft }), answer('bob', 'approve', '02')], draft, 2);
		expect(verdict).toMatchObject({ status: 'decided', decision: 'approved', finalText: draft, decidedAt: '2026-01-01T00:00:02Z' });
	});

	it('records an approval with a changed text as edited, with the new text as final', () => {
		const verdict = decideItem([answer('ann', 'approve', '01', { text: 'Your refund of 20 EUR was sent.' })], draft, 1);
		expect(verdict).toMatchObject({ status: 'decided', decision: 'edited', finalText: 'Your refund of 20 EUR was sent.' });
		expect(verdict.reviewers[0].decision).toBe('edited');
	});

	it('does not count a CRLF-only difference as an edit (browsers submit text areas with CRLF)', () => {
		const verdict = decideItem([answer('ann', 'approve', '01', { text: 'a\r\nb' })], 'a\nb', 1);
		expect(verdict).toMatchObject({ decision: 'approved', finalText: 'a\nb' });
	});

	it('lets any single rejection decide, even against earlier approvals', () => {
		const verdict = decideItem(
			[answer('ann', 'approve', '01'), answer('bob', 'reject', '02', { reason: 'Tone', comment: 'too curt' })],
			draft,
			3,
		);
		expect(verdict).toMatchObject({ status: 'decided', decision: 'rejected' });
		expect(verdict.reviewers).toEqual([
			{ id: 'ann', decision: 'approved', at: '2026-01-01T00:00:01Z' },
			{ id: 'bob', decision: 'rejected', reason: 'Tone', comment: 'too curt', at: '2026-01-01T00:00:02Z' },
		]);
	});

	it('prefers rejection over escalation, and escalation over pending approvals', () => {
		expect(decideItem([answer('a', 'escalate', '01'), answer('b', 'reject', '02')], draft, 2)).toMatchObject({ decision: 'rejected' });
		expect(decideItem([answer('a', 'approve', '01'), answer('b', 'escalate', '02')], draft, 3)).toMatchObject({ decision: 'escalated' });
	});

	it('counts only the first answer of a reviewer (a second vote cannot reach the quorum alone)', () => {
		const verdict = decideItem([answer('ann', 'approve', '01'), answer('ann', 'approve', '02')], draft, 2);
		expect(verdict).toMatchObject({ status: 'pending', approvals: 1 });
	});

	it('takes the final text from the most recent approval', () => {
		const verdict = decideItem([answer('ann', 'approve', '01', { text: 'first edit' }), answer('bob', 'approve', '05', { text: 'second edit' })], draft, 2);
		expect(verdict).toMatchObject({ decision: 'edited', finalText: 'second edit' });
	});
});

describe('decideReview', () => {
	it('finishes only when every item of a batch is decided', () => {
		const texts = ['a', 'b', 'c'];
		const partial = decideReview([answer('ann', 'approve', '01'), { ...answer('ann', 'reject', '01'), itemIndex: 1 }], texts, 1);
		expect(partial.finished).toBe(false);
		expect(partial.verdicts.map((verdict) => verdict.status)).toEqual(['decided', 'decided', 'pending']);
		const all = decideReview(
			[answer('ann', 'approve', '01'), { ...answer('ann', 'reject', '01'), itemIndex: 1 }, { ...answer('ann', 'escalate', '01'), itemIndex: 2 }],
			texts,
			1,
		);
		expect(all.finished).toBe(true);
		expect(all.verdicts.map((verdict) => (verdict.status === 'decided' ? verdict.decision : 'pending'))).toEqual([
			'approved',
			'rejected',
			'escalated',
		]);
	});
});

describe('applyAnswers (the ledger step)', () => {
	const texts = [draft];
	it('accepts a first answer and finishes a single-approval review', () => {
		const result = applyAnswers({ answers: [] }, 'ann', [answer('ann', 'approve', '01')], texts, 1, 'now');
		expect(result).toMatchObject({ accepted: true, finished: true, state: { finishedAt: 'now' } });
	});

	it('refuses a second answer of the same reviewer and anything after the review finished', () => {
		const first = applyAnswers({ answers: [] }, 'ann', [answer('ann', 'approve', '01')], texts, 2, 't1');
		expect(first).toMatchObject({ accepted: true, finished: false });
		expect(applyAnswers(first.state, 'ann', [answer('ann', 'reject', '02')], texts, 2, 't2')).toMatchObject({
			accepted: false,
			why: 'alreadyAnswered',
		});
		const second = applyAnswers(first.state, 'bob', [answer('bob', 'approve', '03')], texts, 2, 't3');
		expect(second).toMatchObject({ accepted: true, finished: true });
		expect(applyAnswers(second.state, 'cat', [answer('cat', 'reject', '04')], texts, 2, 't4')).toMatchObject({
			accepted: false,
			why: 'alreadyDecided',
		});
	});
});
