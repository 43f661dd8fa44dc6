import { parseSubmission } from '../../../nodes/HumanApprovalWait/parseSubmission';

const options = { itemCount: 1, reasons: ['Tone', 'Other'], requireReasonToReject: false };

describe('parseSubmission', () => {
	it('reads a single-item approval with an edited text, reason and comment', () => {
		const result = parseSubmission({ token: 't', action: 'approve', text_0: 'new', reason_0: 'Tone', comment_0: ' ok ' }, options);
		expect(result).toEqual({
			ok: true,
			submission: { token: 't', answers: [{ itemIndex: 0, choice: 'approve', text: 'new', reason: 'Tone', comment: 'ok' }] },
		});
	});

	it('carries the page render time back, and refuses an over-long one', () => {
		const shownAt = '2026-12-01T10:00:00.000Z';
		expect(parseSubmission({ token: 't', action: 'approve', shownAt }, options)).toMatchObject({ ok: true, submission: { shownAt } });
		expect(parseSubmission({ token: 't', action: 'approve', shownAt: 'x'.repeat(41) }, options)).toEqual({
			ok: false,
			problems: ['Field shownAt is longer than 40 characters'],
		});
	});

	it('refuses a missing token, an unknown action and a reason that was not offered', () => {
		expect(parseSubmission({ action: 'approve' }, options).ok).toBe(false);
		expect(parseSubmission({ token: 't', action: 'delete' }, options).ok).toBe(false);
		const result = parseSubmission({ token: 't', action: 'reject', reason_0: 'Because' }, options);
		expect(result).toEqual({ ok: false, problems: ['The answer: "Because" is not one of the offered reasons.'] });
	});

	it('refuses a repeated field (only a forged form sends arrays)', () => {
		expect(parseSubmission({ token: ['a', 'b'], action: 'approve' }, options).ok).toBe(false);
	});

	it('requires a reason to reject when configured', () => {
		const strict = { ...options, requireReasonToReject: true };
		expect(parseSubmission({ token: 't', action: 'reject' }, strict).ok).toBe(false);
		expect(parseSubmission({ token: 't', action: 'reject', reason_0: 'Other' }, strict).ok).toBe(true);
	});

	it('refuses texts over the limit', () => {
		expect(parseSubmission({ token: 't', action: 'approve', text_0: 'x'.repeat(50_001) }, options).ok).toBe(false);
	});

	describe('batches', () => {
		const batch = { ...options, itemCount: 3 };
		it('needs a decision per item on "Submit decisions"', () => {
			const result = parseSubmission({ token: 't', action: 'submit', decision_0: 'approve', decision_2: 'reject' }, batch);
			expect(result).toEqual({ ok: false, problems: [expect.stringContaining('Item 2: choose')] });
		});

		it('approves the undecided items on "Approve all remaining" and keeps explicit choices', () => {
			const result = parseSubmission({ token: 't', action: 'approveRemaining', decision_1: 'escalate', decision_0: '' }, batch);
			expect(result.ok && result.submission.answers.map((answer) => answer.choice)).toEqual(['approve', 'escalate', 'approve']);
		});

		it('refuses a single-item button on a batch', () => {
			expect(parseSubmission({ token: 't', action: 'approve' }, batch).ok).toBe(false);
		});
	});
});
