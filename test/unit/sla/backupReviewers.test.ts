/**
 * Review SLAs (issue 15): backup reviewers may answer only once the review is escalated, and the
 * respond-within target is shown as time left / overdue by on the review page and in the inbox.
 * Pure: the review step with plain facts, the pages from plain views.
 */
import { answerReviewRequest, type ReviewRequestFacts, type ReviewRequestSettings } from '../../../nodes/HumanApprovalWait/answerReviewRequest';
import { renderAnswerPage, renderReviewPage, type ReviewPageView } from '../../../nodes/HumanApprovalWait/renderReviewPage';
import { formToken, signReviewer } from '../../../nodes/HumanApprovalWait/reviewerLinks';
import { renderInboxPage, type InboxPageView, type InboxRowView } from '../../../nodes/ReviewInbox/renderInboxPage';
import { backupAccess, respondWithinText, type BackupAccess } from '../../../nodes/shared/reviewSlaSteps';

const NOW = new Date('2026-12-02T10:00:00.000Z');
const SECRET = 'a-review-secret-of-sufficient-length';
const REVIEW = { executionId: '42', nodeId: 'node-1', nodeName: 'Human Approval' };
const RESPOND_BY = '2026-12-02T09:30:00.000Z';
const ESCALATED_AT = '2026-12-02T09:45:12.000Z';

const settings: ReviewRequestSettings = {
	title: 'Review the reply',
	instructions: '',
	reasons: [],
	requireReasonToReject: false,
	allowEdit: true,
	reviewerMode: 'named',
	reviewers: [{ id: 'ann@example.com', name: 'Ann', email: 'ann@example.com' }],
	backupReviewers: [{ id: 'sam@example.com', name: 'Sam Shift-Lead', email: 'sam@example.com' }],
	approvalsNeeded: 1,
};

function request(reviewerId: string, method: 'GET' | 'POST', access: BackupAccess | undefined, options: { rsig?: string } = {}): ReviewRequestFacts {
	const binding = { executionId: REVIEW.executionId, nodeId: REVIEW.nodeId, reviewerId };
	return {
		method,
		query: { signature: 'exec-token', reviewer: reviewerId, rsig: options.rsig ?? signReviewer(SECRET, binding) },
		...(method === 'POST' ? { body: { token: formToken(SECRET, binding), action: 'approve' } } : {}),
		userAgent: 'test-agent',
		review: REVIEW,
		items: [{ caseId: 'case-1', context: [], draft: 'Your refund was sent.', whyReview: [], findings: [] }],
		times: { requestedAt: '2026-12-02T09:00:00.000Z' },
		reviewSecret: SECRET,
		...(access ? { backupAccess: access } : {}),
	};
}

const notYet = backupAccess({ respondBy: RESPOND_BY }, undefined);
const escalated = backupAccess({ respondBy: RESPOND_BY }, ESCALATED_AT);

describe('backup reviewers: the rule', () => {
	test('allowed only with a recorded escalation; before it, valid from the target at the earliest', () => {
		expect(escalated).toEqual({ allowed: true, escalatedAt: ESCALATED_AT });
		expect(notYet).toEqual({ allowed: false, validFrom: RESPOND_BY });
		// Without a target the trigger never escalates: no time to give.
		expect(backupAccess({}, undefined)).toEqual({ allowed: false });
	});
});

describe('backup reviewers: the review step', () => {
	test.each(['GET', 'POST'] as const)('%s before the escalation is refused (403) with the time the link becomes valid; nothing recorded', (method) => {
		const step = answerReviewRequest(request('sam@example.com', method, notYet), { answers: [] }, settings, NOW);
		expect(step.status).toBe(403);
		expect(step.page).toEqual({ kind: 'answer', view: { kind: 'notYetValid', title: 'Review the reply', validFrom: RESPOND_BY } });
		expect(step.ledgerChange).toBeUndefined();
		expect(step.outputs).toBeUndefined();
		expect(step.audit).toEqual([{ event: 'refused', actor: 'sam@example.com', detail: { why: 'notYetEscalated', method, validFrom: RESPOND_BY } }]);
	});

	test('without any escalation facts (store not read) a backup is refused, never let in', () => {
		expect(answerReviewRequest(request('sam@example.com', 'POST', undefined), { answers: [] }, settings, NOW).status).toBe(403);
	});

	test('after the escalation the backup sees the page as a backup and their approval decides the review', () => {
		const page = answerReviewRequest(request('sam@example.com', 'GET', escalated), { answers: [] }, settings, NOW);
		expect(page.status).toBe(200);
		expect(page.page.kind === 'review' && page.page.view).toMatchObject({ reviewer: { id: 'sam@example.com', name: 'Sam Shift-Lead' }, escalatedAt: ESCALATED_AT });
		const answer = answerReviewRequest(request('sam@example.com', 'POST', escalated), { answers: [] }, settings, NOW);
		expect(answer.status).toBe(200);
		expect(answer.outputs?.[1]).toEqual([
			expect.objectContaining({ itemIndex: 0, review: expect.objectContaining({ decision: 'approved', reviewers: [expect.objectContaining({ id: 'sam@example.com', name: 'Sam Shift-Lead' })] }) }),
		]);
	});

	test("the reviewers are not held back by the escalation rule, and a backup's forged signature is refused as any other", () => {
		expect(answerReviewRequest(request('ann@example.com', 'POST', undefined), { answers: [] }, settings, NOW).status).toBe(200);
		const forged = answerReviewRequest(request('sam@example.com', 'GET', escalated, { rsig: 'forged' }), { answers: [] }, settings, NOW);
		expect(forged.status).toBe(403);
		expect(forged.audit[0].detail).toMatchObject({ why: 'badReviewerLink' });
	});

	test('a backup link on a node without backups (the same person removed) is a bad link', () => {
		const without = { ...settings, backupReviewers: [] };
		expect(answerReviewRequest(request('sam@example.com', 'GET', escalated), { answers: [] }, without, NOW).audit[0].detail).toMatchObject({
			why: 'badReviewerLink',
		});
	});

	test('the "not valid yet" page says from when, escaped, and records nothing', () => {
		const html = renderAnswerPage({ kind: 'notYetValid', title: '<b>Refund</b>', validFrom: RESPOND_BY });
		expect(html).toContain('This link is not valid yet');
		expect(html).toContain('Valid from the escalation, not before <time datetime="2026-12-02T09:30:00.000Z">2026-12-02 09:30:00 UTC</time>');
		expect(html).toContain('Nothing was recorded');
		expect(html).toContain('&lt;b&gt;Refund&lt;/b&gt;');
		expect(html).not.toContain('<script');
		expect(renderAnswerPage({ kind: 'notYetValid', title: 'x' })).toContain('has no respond-within target');
	});
});

describe('respond-within target: time left / overdue by', () => {
	test.each([
		['2026-12-02T10:12:30.000Z', '12 min left', false],
		['2026-12-02T11:05:00.000Z', '1 h 5 min left', false],
		['2026-12-04T11:00:00.000Z', '2 d 1 h left', false],
		['2026-12-02T10:00:20.000Z', '20 s left', false],
		['2026-12-02T09:57:00.000Z', 'overdue by 3 min', true],
		['2026-12-02T09:59:50.000Z', 'overdue by 10 s', true],
		['2026-12-02T10:00:00.000Z', 'overdue by 0 s', true],
		['not a time', '', false],
	])('target %s at 10:00 → "%s"', (respondBy, text, overdue) => {
		expect(respondWithinText(respondBy, NOW.toISOString())).toEqual({ text, overdue });
	});

	const view = (respondBy?: string): ReviewPageView => ({
		title: 'Review',
		items: [{ caseId: 'c', context: [], draft: 'd', whyReview: [], findings: [] }],
		reasons: [],
		token: 't',
		askReviewerName: true,
		approvalsNeeded: 1,
		answered: [],
		allowEdit: true,
		requireReasonToReject: false,
		shownAt: NOW.toISOString(),
		...(respondBy ? { respondBy } : {}),
	});

	test('the review page shows it as plain text in the header, from the time the page is shown', () => {
		expect(renderReviewPage(view('2026-12-02T10:12:30.000Z'))).toContain(
			'<span class="sla-left">12 min left</span> to answer (target <time datetime="2026-12-02T10:12:30.000Z">2026-12-02 10:12 UTC</time>)',
		);
		expect(renderReviewPage(view('2026-12-02T09:57:00.000Z'))).toContain('<strong class="sla-overdue">overdue by 3 min</strong> (answer was due');
		expect(renderReviewPage(view())).not.toMatch(/left<\/span> to answer|overdue by/);
	});

	test('an escaped, script-free review page even with a hostile target value', () => {
		const html = renderReviewPage(view('"><script>alert(1)</script>'));
		expect(html).not.toContain('<script>alert(1)');
	});

	const row = (respondBy?: string, expired = false): InboxRowView => ({
		title: 'Refund reply',
		priority: 2,
		requestedAt: '2026-12-02T09:50:00.000Z',
		deadline: '2026-12-02T12:00:00.000Z',
		expired,
		items: [{ caseId: 'c', summary: 's', reasons: [] }],
		actions: [],
		...(respondBy ? { respondBy } : {}),
	});
	const inbox = (rows: InboxRowView[]): InboxPageView =>
		({ title: 'Inbox', now: NOW.toISOString(), rows, total: rows.length, countsByReason: {}, filters: {}, workflows: [], filterAction: '', identityFields: {} });

	test('the inbox row shows the target beside the time limit: time left, overdue by, nothing without a target or once expired', () => {
		expect(renderInboxPage(inbox([row('2026-12-02T10:12:30.000Z')]))).toContain('2 h 0 min left</time> · <span class="left">target: 12 min left</span>');
		expect(renderInboxPage(inbox([row('2026-12-02T09:57:00.000Z')]))).toContain(' · <span class="left overdue">overdue by 3 min</span>');
		expect(renderInboxPage(inbox([row()]))).not.toContain('target:');
		expect(renderInboxPage(inbox([row('2026-12-02T09:57:00.000Z', true)]))).not.toContain('overdue by');
	});
});
