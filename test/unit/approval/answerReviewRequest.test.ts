/**
 * The review step, case by case: each row is one request (facts, ledger state, settings, now) and
 * what must come out of it (status, page, audit events, ledger change, outputs). No n8n, no
 * store: the workflow and e2e tiers run the same step behind the real webhook().
 */
import {
	deciderLabel,
	answerReviewRequest,
	type ReviewRequestFacts,
	type ReviewRequestSettings,
	type ReviewStep,
} from '../../../nodes/HumanApprovalWait/answerReviewRequest';
import type { ReviewerAnswer } from '../../../nodes/HumanApprovalWait/decideReview';
import type { ReviewItemView } from '../../../nodes/HumanApprovalWait/renderReviewPage';
import { formToken, signReviewer } from '../../../nodes/HumanApprovalWait/reviewerLinks';
import { applyAnswers, type LedgerState } from '../../../nodes/HumanApprovalWait/reviewLedger';

const NOW = new Date('2026-12-02T10:00:00.000Z');
const SECRET = 'a-review-secret-of-sufficient-length';
const REVIEW = { executionId: '42', nodeId: 'node-1', nodeName: 'Human Approval' };
const REASONS = ['Tone', 'Wrong information'];
const TIMES = { requestedAt: '2026-12-02T09:00:00.000Z', deadline: '2026-12-02T11:00:00.000Z' };
const EMPTY: LedgerState = { answers: [] };

const item = (draft: string): ReviewItemView => ({ caseId: `case-${draft.length}`, context: [], draft, whyReview: [], findings: [] });

const linkSettings: ReviewRequestSettings = {
	title: 'Review the reply',
	instructions: '',
	reasons: REASONS,
	requireReasonToReject: false,
	allowEdit: true,
	reviewerMode: 'link',
	reviewers: [],
	approvalsNeeded: 1,
};

const namedSettings: ReviewRequestSettings = {
	...linkSettings,
	reviewerMode: 'named',
	reviewers: [
		{ id: 'ann@example.com', name: 'Ann', email: 'ann@example.com' },
		{ id: 'bob@example.com', name: 'Bob', email: 'bob@example.com' },
	],
	approvalsNeeded: 2,
};

/** The shared link's request: n8n's `signature` keys the form token. */
function linkRequest(method: 'GET' | 'POST', body?: Record<string, unknown>, drafts = ['Your refund was sent.']): ReviewRequestFacts {
	return {
		method,
		query: { signature: 'exec-token' },
		...(body ? { body: { token: formToken('exec-token', { ...REVIEW, reviewerId: '' }), ...body } } : {}),
		userAgent: 'test-agent',
		review: REVIEW,
		items: drafts.map(item),
		times: TIMES,
	};
}

/** A named reviewer's personal link, signed with the review secret. */
function namedRequest(reviewerId: string, method: 'GET' | 'POST', body?: Record<string, unknown>): ReviewRequestFacts {
	const binding = { executionId: REVIEW.executionId, nodeId: REVIEW.nodeId, reviewerId };
	return {
		method,
		query: { signature: 'exec-token', reviewer: reviewerId, rsig: signReviewer(SECRET, binding) },
		...(body ? { body: { token: formToken(SECRET, binding), ...body } } : {}),
		userAgent: 'test-agent',
		review: REVIEW,
		items: [item('Your refund was sent.')],
		times: TIMES,
		reviewSecret: SECRET,
	};
}

function answer(reviewerId: string, choice: ReviewerAnswer['choice'], at: string, extra: Partial<ReviewerAnswer> = {}): ReviewerAnswer {
	return { reviewerId, itemIndex: 0, choice, at, ...extra };
}

/** What a row asserts: the status, the page's kind, the audit events (event:actor) and whether the ledger changes or the execution resumes. */
function summary(step: ReviewStep) {
	return {
		status: step.status,
		page: step.page.kind === 'answer' ? step.page.view.kind : 'review',
		audit: step.audit.map((event) => `${event.event}:${event.actor}`),
		ledgerChanged: step.ledgerChange !== undefined,
		resumes: step.outputs !== undefined,
	};
}

const annAnswered: LedgerState = { answers: [answer('ann@example.com', 'approve', '2026-12-02T09:30:00.000Z', { reviewerName: 'Ann' })] };
const decided: LedgerState = {
	answers: [answer('link', 'reject', '2026-12-02T09:40:00.000Z', { reviewerName: 'Rita', reason: 'Tone' })],
	finishedAt: '2026-12-02T09:40:00.000Z',
};

describe('answerReviewRequest, case by case', () => {
	const rows: [string, ReviewRequestFacts, LedgerState, ReviewRequestSettings, Date, ReturnType<typeof summary>][] = [
		[
			'GET of the shared link: the page, and only an audit line',
			linkRequest('GET'),
			EMPTY,
			linkSettings,
			NOW,
			{ status: 200, page: 'review', audit: ['linkOpened:link'], ledgerChanged: false, resumes: false },
		],
		[
			'GET of a named reviewer: the page',
			namedRequest('ann@example.com', 'GET'),
			EMPTY,
			namedSettings,
			NOW,
			{ status: 200, page: 'review', audit: ['linkOpened:ann@example.com'], ledgerChanged: false, resumes: false },
		],
		[
			'POST by a named reviewer, first of two approvals: recorded, waiting for others',
			namedRequest('ann@example.com', 'POST', { action: 'approve' }),
			EMPTY,
			namedSettings,
			NOW,
			{ status: 200, page: 'waitingForOthers', audit: ['answered:ann@example.com'], ledgerChanged: true, resumes: false },
		],
		[
			'POST by the second named reviewer: the final answer resumes the execution',
			namedRequest('bob@example.com', 'POST', { action: 'approve' }),
			annAnswered,
			namedSettings,
			NOW,
			{ status: 200, page: 'recorded', audit: ['answered:bob@example.com', 'decided:bob@example.com'], ledgerChanged: true, resumes: true },
		],
		[
			'a personal link with a wrong signature: refused, nothing recorded',
			{ ...namedRequest('ann@example.com', 'GET'), query: { reviewer: 'ann@example.com', rsig: 'forged' } },
			EMPTY,
			namedSettings,
			NOW,
			{ status: 403, page: 'invalid', audit: ['refused:ann@example.com'], ledgerChanged: false, resumes: false },
		],
		[
			"Bob's link edited to claim Ann: refused",
			{ ...namedRequest('bob@example.com', 'GET'), query: { ...namedRequest('bob@example.com', 'GET').query, reviewer: 'ann@example.com' } },
			EMPTY,
			namedSettings,
			NOW,
			{ status: 403, page: 'invalid', audit: ['refused:ann@example.com'], ledgerChanged: false, resumes: false },
		],
		[
			'a form token from another review: refused',
			{ ...linkRequest('POST', { action: 'approve' }), body: { token: formToken('other-exec', { ...REVIEW, reviewerId: '' }), action: 'approve' } },
			EMPTY,
			linkSettings,
			NOW,
			{ status: 403, page: 'invalid', audit: ['refused:link'], ledgerChanged: false, resumes: false },
		],
		[
			'a POST after the deadline: gone, nothing recorded',
			linkRequest('POST', { action: 'approve' }),
			EMPTY,
			linkSettings,
			new Date(TIMES.deadline),
			{ status: 410, page: 'expired', audit: ['refused:link'], ledgerChanged: false, resumes: false },
		],
		[
			'a GET after the deadline: gone too',
			linkRequest('GET'),
			EMPTY,
			linkSettings,
			new Date('2026-12-03T00:00:00.000Z'),
			{ status: 410, page: 'expired', audit: ['refused:link'], ledgerChanged: false, resumes: false },
		],
		[
			'a POST to a decided review: who decided and how',
			linkRequest('POST', { action: 'approve' }),
			decided,
			linkSettings,
			NOW,
			{ status: 409, page: 'alreadyDecided', audit: ['refused:link'], ledgerChanged: false, resumes: false },
		],
		[
			'a named reviewer who answered before: their answer stands',
			namedRequest('ann@example.com', 'POST', { action: 'reject' }),
			annAnswered,
			namedSettings,
			NOW,
			{ status: 409, page: 'alreadyAnswered', audit: ['refused:ann@example.com'], ledgerChanged: false, resumes: false },
		],
		[
			'a form without a decision: the page again, with the problem, nothing recorded or audited',
			linkRequest('POST', { action: 'submit' }),
			EMPTY,
			linkSettings,
			NOW,
			{ status: 422, page: 'review', audit: [], ledgerChanged: false, resumes: false },
		],
		[
			'the shared link, one approval: recorded and resumed',
			linkRequest('POST', { action: 'approve' }),
			EMPTY,
			linkSettings,
			NOW,
			{ status: 200, page: 'recorded', audit: ['answered:link', 'decided:link'], ledgerChanged: true, resumes: true },
		],
	];

	it.each(rows)('%s', (_name, facts, ledger, settings, now, expected) => {
		expect(summary(answerReviewRequest(facts, ledger, settings, now))).toEqual(expected);
	});

	it('is pure: the same facts give the same step', () => {
		const facts = linkRequest('POST', { action: 'approve', shownAt: '2026-12-02T09:59:00.000Z' });
		expect(answerReviewRequest(facts, EMPTY, linkSettings, NOW)).toEqual(answerReviewRequest(facts, EMPTY, linkSettings, NOW));
	});
});

describe('what each case carries', () => {
	it('GET: the page view has a token for this review, the deadline, the render time and no name of its own', () => {
		const step = answerReviewRequest(linkRequest('GET'), EMPTY, linkSettings, NOW);
		expect(step.audit).toEqual([{ event: 'linkOpened', actor: 'link', detail: { userAgent: 'test-agent' } }]);
		expect(step.page).toMatchObject({
			kind: 'review',
			view: {
				title: 'Review the reply',
				token: formToken('exec-token', { ...REVIEW, reviewerId: '' }),
				askReviewerName: true,
				deadline: TIMES.deadline,
				shownAt: NOW.toISOString(),
				answered: [],
			},
		});
	});

	it('a named reviewer: the page says who answers, and shows the quorum so far', () => {
		const step = answerReviewRequest(namedRequest('bob@example.com', 'GET'), annAnswered, namedSettings, NOW);
		expect(step.page).toMatchObject({
			kind: 'review',
			view: {
				reviewer: { id: 'bob@example.com', name: 'Bob' },
				askReviewerName: false,
				approvalsNeeded: 2,
				answered: [{ name: 'Ann', at: '2026-12-02T09:30:00.000Z' }],
				items: [{ progress: { approvals: 1, approvalsNeeded: 2 } }],
			},
		});
	});

	it('bad reviewer link: the audit says why and how it came, the page what to open', () => {
		const step = answerReviewRequest(
			{ ...namedRequest('eve@example.com', 'GET'), query: { reviewer: 'eve@example.com', rsig: 'x' } },
			EMPTY,
			namedSettings,
			NOW,
		);
		expect(step.audit).toEqual([{ event: 'refused', actor: 'eve@example.com', detail: { why: 'badReviewerLink', method: 'GET' } }]);
		expect(step.page).toEqual({
			kind: 'answer',
			view: { kind: 'invalid', title: 'Review the reply', detail: 'This review is for named reviewers: open the personal link you were sent.' },
		});
	});

	it('bad token, expired, already decided: the reason in the audit', () => {
		const badToken = answerReviewRequest({ ...linkRequest('POST', { action: 'approve' }), body: { action: 'approve' } }, EMPTY, linkSettings, NOW);
		expect(badToken.audit).toEqual([{ event: 'refused', actor: 'link', detail: { why: 'badToken' } }]);
		const expired = answerReviewRequest(linkRequest('GET'), EMPTY, linkSettings, new Date(TIMES.deadline));
		expect(expired.audit).toEqual([{ event: 'refused', actor: 'link', detail: { why: 'expired', method: 'GET' } }]);
		const late = answerReviewRequest(linkRequest('GET'), decided, linkSettings, NOW);
		expect(late.audit).toEqual([{ event: 'refused', actor: 'link', detail: { why: 'alreadyDecided', method: 'GET' } }]);
		expect(late.page).toEqual({
			kind: 'answer',
			view: {
				kind: 'alreadyDecided',
				title: 'Review the reply',
				results: [{ label: 'Decision', decision: 'rejected', by: ['Rita'], at: '2026-12-02T09:40:00.000Z' }],
			},
		});
	});

	it('no deadline: never expired', () => {
		const step = answerReviewRequest({ ...linkRequest('GET'), times: { requestedAt: TIMES.requestedAt } }, EMPTY, linkSettings, new Date('2030-01-01T00:00:00Z'));
		expect(step.status).toBe(200);
	});

	it('partial quorum: the ledger keeps the answer, unfinished, and the page shows the item pending', () => {
		const step = answerReviewRequest(
			namedRequest('ann@example.com', 'POST', { action: 'approve', comment_0: 'Fine by me.', shownAt: '2026-12-02T09:59:30.000Z' }),
			EMPTY,
			namedSettings,
			NOW,
		);
		expect(step.ledgerChange).toEqual({
			answers: [
				{
					reviewerId: 'ann@example.com',
					reviewerName: 'Ann',
					itemIndex: 0,
					choice: 'approve',
					comment: 'Fine by me.',
					at: NOW.toISOString(),
					timeOnPageMs: 30_000,
				},
			],
		});
		expect(step.page).toEqual({
			kind: 'answer',
			view: { kind: 'waitingForOthers', title: 'Review the reply', results: [{ label: 'Decision', decision: 'pending' }] },
		});
		expect(step.audit).toEqual([{ event: 'answered', actor: 'ann@example.com', detail: { answers: [{ item: 0, choice: 'approve', reason: null }] } }]);
	});

	it('final answer: finished in the ledger, the review on Approved, the decision audited once per review', () => {
		const step = answerReviewRequest(
			namedRequest('bob@example.com', 'POST', { action: 'approve', text_0: 'Your refund was sent today.' }),
			annAnswered,
			namedSettings,
			NOW,
		);
		expect(step.ledgerChange?.finishedAt).toBe(NOW.toISOString());
		expect(step.ledgerChange?.answers).toHaveLength(2);
		expect(step.outputs?.map((output) => output.length)).toEqual([0, 1, 0, 0]);
		expect(step.outputs?.[1][0]).toEqual({
			itemIndex: 0,
			review: {
				decision: 'edited',
				finalText: 'Your refund was sent today.',
				reviewers: [
					{ id: 'ann@example.com', name: 'Ann', decision: 'approved', at: '2026-12-02T09:30:00.000Z' },
					{ id: 'bob@example.com', name: 'Bob', decision: 'edited', at: NOW.toISOString() },
				],
				requestedAt: TIMES.requestedAt,
				decidedAt: NOW.toISOString(),
			},
		});
		expect(step.audit[1]).toEqual({
			event: 'decided',
			actor: 'bob@example.com',
			detail: { decisions: ['edited'] },
			idempotencyKey: 'decided:42:Human Approval',
		});
		expect(step.page).toMatchObject({ view: { kind: 'recorded', results: [{ label: 'Decision', decision: 'edited' }] } });
	});

	it('one rejection decides at once, on Rejected, without a final text', () => {
		const step = answerReviewRequest(namedRequest('ann@example.com', 'POST', { action: 'reject', reason_0: 'Tone' }), EMPTY, namedSettings, NOW);
		expect(step.outputs?.map((output) => output.length)).toEqual([0, 0, 1, 0]);
		expect(step.outputs?.[2][0].review).not.toHaveProperty('finalText');
		expect(step.outputs?.[2][0].review.reviewers).toEqual([
			{ id: 'ann@example.com', name: 'Ann', decision: 'rejected', reason: 'Tone', at: NOW.toISOString() },
		]);
	});

	it('a read-only review ignores text a forged form sends', () => {
		const step = answerReviewRequest(linkRequest('POST', { action: 'approve', text_0: 'Something else.' }), EMPTY, { ...linkSettings, allowEdit: false }, NOW);
		expect(step.outputs?.[1][0].review).toMatchObject({ decision: 'approved', finalText: 'Your refund was sent.' });
	});

	it('without the review times (custom data unreadable) the request time is the answer time', () => {
		const step = answerReviewRequest({ ...linkRequest('POST', { action: 'escalate' }), times: undefined }, EMPTY, linkSettings, NOW);
		expect(step.outputs?.[3][0].review).toMatchObject({ decision: 'escalated', requestedAt: NOW.toISOString() });
	});
});

describe('a batch (issue 11, defect 2): a refused form comes back whole; "Approve all remaining" never overrides a choice', () => {
	const drafts = ['Reply one.', 'Reply two.', 'Reply three.', 'Reply four 555-0134.'];
	const edited = 'Reply four, without the phone number.';
	// Item 2 rejected with a reason and a comment, item 4 edited and approved, items 1 and 3 left open.
	const entered = {
		reviewerName: 'Rita Reviewer',
		shownAt: '2026-12-02T09:58:00.000Z',
		text_0: drafts[0],
		text_1: drafts[1],
		decision_1: 'reject',
		reason_1: 'Wrong information',
		comment_1: 'No refund was approved for this order.',
		text_2: drafts[2],
		text_3: edited,
		decision_3: 'approve',
	};

	it('"Submit decisions" with two items open: 422, the problems of items 1 and 3, everything entered kept', () => {
		const step = answerReviewRequest(linkRequest('POST', { ...entered, action: 'submit' }, drafts), EMPTY, linkSettings, NOW);
		expect(summary(step)).toEqual({ status: 422, page: 'review', audit: [], ledgerChanged: false, resumes: false });
		if (step.page.kind !== 'review') throw new Error('expected the review page');
		expect(step.page.view.problems).toEqual([expect.stringMatching(/^Item 1: /), expect.stringMatching(/^Item 3: /)]);
		expect(step.page.view.entered).toEqual({
			reviewerName: 'Rita Reviewer',
			shownAt: '2026-12-02T09:58:00.000Z',
			items: [
				{ text: drafts[0] },
				{ choice: 'reject', text: drafts[1], reason: 'Wrong information', comment: 'No refund was approved for this order.' },
				{ text: drafts[2] },
				{ choice: 'approve', text: edited },
			],
		});
		// The time on the page keeps counting from the first render.
		expect(step.page.view.shownAt).toBe('2026-12-02T09:58:00.000Z');
	});

	it('then "Approve all remaining": approves only 1 and 3; the rejection and the edit stand', () => {
		const step = answerReviewRequest(linkRequest('POST', { ...entered, action: 'approveRemaining' }, drafts), EMPTY, linkSettings, NOW);
		expect(summary(step)).toEqual({ status: 200, page: 'recorded', audit: ['answered:link', 'decided:link'], ledgerChanged: true, resumes: true });
		const outputs = step.outputs!;
		expect(outputs[1].map(({ itemIndex, review }) => [itemIndex, review.decision, review.finalText])).toEqual([
			[0, 'approved', drafts[0]],
			[2, 'approved', drafts[2]],
			[3, 'edited', edited],
		]);
		expect(outputs[2]).toEqual([
			{
				itemIndex: 1,
				review: expect.objectContaining({
					decision: 'rejected',
					reviewers: [
						{
							id: 'link',
							name: 'Rita Reviewer',
							decision: 'rejected',
							reason: 'Wrong information',
							comment: 'No refund was approved for this order.',
							at: NOW.toISOString(),
							timeOnPageMs: 120_000,
						},
					],
				}),
			},
		]);
		expect(step.page).toMatchObject({
			view: {
				results: [
					{ label: 'Item 1', decision: 'approved' },
					{ label: 'Item 2', decision: 'rejected' },
					{ label: 'Item 3', decision: 'approved' },
					{ label: 'Item 4', decision: 'edited' },
				],
			},
		});
	});

	it('a single-item decision button on a batch is refused with the page', () => {
		const step = answerReviewRequest(linkRequest('POST', { action: 'approve' }, drafts), EMPTY, linkSettings, NOW);
		expect(step.status).toBe(422);
	});
});

describe('a race: the ledger runs the step again on the state that won', () => {
	it('a second complete answer computed on a stale state is refused once run on the finished one', () => {
		const facts = namedRequest('bob@example.com', 'POST', { action: 'reject' });
		const settings = { ...namedSettings, approvalsNeeded: 1 };
		// Ann finished the review between Bob's read and Bob's compare-and-set.
		const won = applyAnswers(EMPTY, 'ann@example.com', [answer('ann@example.com', 'approve', '2026-12-02T09:59:59.000Z', { reviewerName: 'Ann' })], ['Your refund was sent.'], 1, '2026-12-02T09:59:59.000Z');
		expect(summary(answerReviewRequest(facts, EMPTY, settings, NOW)).resumes).toBe(true);
		const rerun = answerReviewRequest(facts, won.state, settings, NOW);
		expect(summary(rerun)).toEqual({ status: 409, page: 'alreadyDecided', audit: ['refused:bob@example.com'], ledgerChanged: false, resumes: false });
		expect(rerun.page).toMatchObject({ view: { results: [{ decision: 'approved', by: ['Ann'] }] } });
	});
});

describe('deciderLabel: how a decider is named on the answer page and to a late reviewer', () => {
	it('names a person, else their id, and the shared link in words (not "link")', () => {
		expect(deciderLabel({ id: 'ann@example.com', name: 'Ann' })).toBe('Ann');
		expect(deciderLabel({ id: 'ann@example.com' })).toBe('ann@example.com');
		expect(deciderLabel({ id: 'link' })).toBe('a reviewer with the link');
	});
});
