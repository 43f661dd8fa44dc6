/** The start of a review (execute()'s decisions), as data: times, wait, announcement, audit. */
import { startReview, type ReviewStartSettings } from '../../../nodes/HumanApprovalWait/startReview';
import { verifyReviewer } from '../../../nodes/HumanApprovalWait/reviewerLinks';

const NOW = new Date('2026-12-02T10:00:00.000Z');
const SECRET = 'a-review-secret-of-sufficient-length';
const facts = {
	review: { executionId: '7', nodeId: 'node-1' },
	items: [{ caseId: 'c-1', context: [], draft: 'First draft.', whyReview: [], findings: [] }],
	reviewUrl: 'http://localhost:5678/webhook-waiting/7?signature=tok',
	reviewSecret: SECRET,
};
const settings: ReviewStartSettings = {
	title: 'Review',
	deadline: { mode: 'afterInterval', amount: 2, unit: 'hours' },
	reviewers: [{ id: 'ann@example.com', name: 'Ann', email: 'ann@example.com' }],
	approvalsNeeded: 1,
};

function started(given: ReviewStartSettings) {
	const start = startReview(facts, given, NOW);
	if ('timeLimitProblem' in start) throw new Error(start.timeLimitProblem);
	return start;
}

test('a time limit: the times for webhook(), the wait, signed personal links, the audit line', () => {
	const start = started(settings);
	expect(start.times).toEqual({ requestedAt: NOW.toISOString(), deadline: '2026-12-02T12:00:00.000Z' });
	expect(start.waitTill).toEqual(new Date('2026-12-02T12:00:00.000Z'));
	expect(start.announcement).toMatchObject({ link: facts.reviewUrl, itemCount: 1, firstDraft: 'First draft.', deadline: start.times.deadline, executionId: '7' });
	const url = new URL(start.announcement.personalLinks[0].url);
	expect(url.searchParams.get('signature')).toBe('tok');
	expect(verifyReviewer(SECRET, { executionId: '7', nodeId: 'node-1', reviewerId: 'ann@example.com' }, url.searchParams.get('rsig'))).toBe(true);
	expect(start.audit).toEqual([
		{
			event: 'requested',
			actor: 'system',
			detail: { items: 1, requestedAt: NOW.toISOString(), deadline: '2026-12-02T12:00:00.000Z', reviewers: ['ann@example.com'], approvalsNeeded: 1 },
		},
	]);
});

test('no time limit: no deadline, wait indefinitely', () => {
	const start = started({ ...settings, deadline: { mode: 'none' }, reviewers: [] });
	expect(start.times).toEqual({ requestedAt: NOW.toISOString() });
	expect(start.waitTill).toBeUndefined();
	expect(start.audit[0].detail).toMatchObject({ deadline: null, reviewers: [] });
});

test('a time limit in the past: no review, the problem saying so', () => {
	expect(startReview(facts, { ...settings, deadline: { mode: 'atTime', dateTime: '2026-12-01T00:00:00Z' } }, NOW)).toEqual({
		timeLimitProblem: '"Answer By" (2026-12-01T00:00:00.000Z) is already in the past',
	});
});
