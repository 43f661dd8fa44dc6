import { parseSubmission } from '../../../nodes/HumanApprovalWait/parseSubmission';
import { readEnteredAnswers } from '../../../nodes/HumanApprovalWait/readEnteredAnswers';
import { renderReviewPage, type ReviewItemView } from '../../../nodes/HumanApprovalWait/renderReviewPage';

const REASONS = ['Tone', 'Wrong information'];

/** The batch of defect 2: reject item 2 with a reason and comment, edit and approve item 4, leave 1 and 3. */
const FORM = {
	token: 'tok',
	shownAt: '2026-12-01T10:00:00.000Z',
	reviewerName: 'Rita Reviewer',
	text_0: 'Draft one.',
	text_1: 'Draft two.',
	decision_1: 'reject',
	reason_1: 'Wrong information',
	comment_1: 'The order was never shipped.',
	text_2: 'Draft three.',
	text_3: 'Draft four, edited by Rita.',
	decision_3: 'approve',
};

function item(draft: string): ReviewItemView {
	return { caseId: draft, context: [], draft, whyReview: [], findings: [] };
}

const page = (entered: ReturnType<typeof readEnteredAnswers>, problems: string[], allowEdit = true) =>
	renderReviewPage({
		title: 'Review',
		items: ['Draft one.', 'Draft two.', 'Draft three.', 'Draft four.'].map(item),
		reasons: REASONS,
		token: 'tok',
		askReviewerName: true,
		approvalsNeeded: 1,
		answered: [],
		allowEdit,
		requireReasonToReject: false,
		problems,
		entered,
		shownAt: entered.shownAt,
	});

describe('a refused batch form comes back as the reviewer left it', () => {
	const parsed = parseSubmission({ ...FORM, action: 'submit' }, { itemCount: 4, reasons: REASONS, requireReasonToReject: false });
	const entered = readEnteredAnswers({ ...FORM, action: 'submit' }, 4, REASONS);
	const html = page(entered, parsed.ok ? [] : parsed.problems);

	it('is refused for items 1 and 3 only', () => {
		expect(parsed).toEqual({ ok: false, problems: [expect.stringMatching(/^Item 1: /), expect.stringMatching(/^Item 3: /)] });
	});

	it('reads every choice, reason, comment, edit and the name', () => {
		expect(entered).toEqual({
			reviewerName: 'Rita Reviewer',
			shownAt: '2026-12-01T10:00:00.000Z',
			items: [
				{ text: 'Draft one.' },
				{ choice: 'reject', text: 'Draft two.', reason: 'Wrong information', comment: 'The order was never shipped.' },
				{ text: 'Draft three.' },
				{ choice: 'approve', text: 'Draft four, edited by Rita.' },
			],
		});
	});

	it('renders them checked, selected and filled in', () => {
		expect(html).toContain('name="decision_1" value="reject" checked>');
		expect(html).toContain('name="decision_3" value="approve" checked>');
		expect(html.match(/ checked>/g)).toHaveLength(2);
		expect(html).toMatch(/<select id="i1-reason" name="reason_1">.*<option value="Wrong information" selected>/);
		expect(html.match(/ selected>/g)).toHaveLength(1);
		expect(html).toMatch(/name="comment_1"[^>]*>The order was never shipped\.<\/textarea>/);
		expect(html).toMatch(/name="text_3"[^>]*>Draft four, edited by Rita\.<\/textarea>/);
		expect(html).toContain('name="reviewerName" maxlength="120" autocomplete="name" value="Rita Reviewer">');
		expect(html).toContain('name="shownAt" value="2026-12-01T10:00:00.000Z"');
		expect(html).toContain('Your entries are kept below');
	});

	it('then "Approve all remaining" approves items 1 and 3 and keeps the rejection and the edit', () => {
		const again = parseSubmission({ ...FORM, action: 'approveRemaining' }, { itemCount: 4, reasons: REASONS, requireReasonToReject: false });
		expect(again.ok && again.submission.answers).toEqual([
			{ itemIndex: 0, choice: 'approve', text: 'Draft one.' },
			{ itemIndex: 1, choice: 'reject', text: 'Draft two.', reason: 'Wrong information', comment: 'The order was never shipped.' },
			{ itemIndex: 2, choice: 'approve', text: 'Draft three.' },
			{ itemIndex: 3, choice: 'approve', text: 'Draft four, edited by Rita.' },
		]);
	});

	it('shows the draft, not a posted text, when edits are not allowed', () => {
		const readOnly = page(entered, [], false);
		expect(readOnly).toMatch(/name="text_3"[^>]*>Draft four\.<\/textarea>/);
	});
});

describe('readEnteredAnswers keeps only what the page can offer', () => {
	it('drops unknown choices and reasons, repeated fields and over-long values', () => {
		const entered = readEnteredAnswers(
			{ decision_0: 'delete', reason_0: 'Because', comment_0: ['a', 'b'], text_0: 'x'.repeat(50_001), reviewerName: 'n'.repeat(121) },
			1,
			REASONS,
		);
		expect(entered).toEqual({ items: [{}] });
	});

	it('reads nothing from a body that is not a form', () => {
		expect(readEnteredAnswers(undefined, 2, REASONS)).toEqual({ items: [{}, {}] });
	});

	it('escapes what it shows again', () => {
		const entered = readEnteredAnswers({ reviewerName: '"><script>x</script>', comment_0: '</textarea><script>y</script>' }, 4, REASONS);
		const html = page(entered, []);
		expect(html).not.toContain('<script>');
		expect(html).toContain('value="&quot;&gt;&lt;script&gt;x&lt;/script&gt;"');
	});
});
