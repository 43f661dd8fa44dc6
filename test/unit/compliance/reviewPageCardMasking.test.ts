/**
 * The review page shows card data as PCI DSS allows: at most the last four digits of a card
 * number, no security code — in every text on the page, for anyone who holds the link.
 */
import { renderAnswerPage, renderReviewPage, type ReviewPageView } from '../../../nodes/HumanApprovalWait/renderReviewPage';

const CARD = '4111 1111 1111 1111';
const DIGITS = '4111111111111111';

function view(): ReviewPageView {
	const withCard = (where: string) => `${where}: ${CARD} / ${DIGITS}, CVV 737`;
	return {
		title: 'Review the reply',
		instructions: withCard('instructions'),
		items: [
			{
				caseId: 'T-1',
				customerMessage: `Please refund my card ${CARD}, CVV 737, exp 12/27.`,
				context: [{ label: 'Card', value: withCard('context') }],
				draft: `We have noted your card ${DIGITS}.`,
				confidence: 0.7,
				whyReview: [withCard('reason')],
				findings: [{ ruleId: 'pci.card-number', severity: 'block', message: withCard('finding'), span: [24, 40], fix: withCard('fix') }],
			},
		],
		reasons: [],
		token: 'tok-1',
		askReviewerName: true,
		approvalsNeeded: 2,
		answered: [{ name: withCard('name'), at: '2026-11-01T10:00:00.000Z' }],
		allowEdit: true,
		requireReasonToReject: false,
		problems: [withCard('problem')],
	};
}

describe('review page: card numbers and security codes masked everywhere', () => {
	const html = renderReviewPage(view());

	it('shows no card number beyond its last four digits, and no security code', () => {
		expect(html).not.toContain(DIGITS);
		expect(html).not.toContain('4111 1111');
		expect(html).not.toContain('737');
		expect(html).toContain('Please refund my card **** **** **** 1111, CVV ***, exp 12/27.');
		expect(html).toContain('We have noted your card ************1111.</textarea>');
	});

	it('still marks the finding on the draft (masking keeps the text length)', () => {
		expect(html).toContain('<mark class="finding sev-block" aria-describedby="i0-finding-0">************1111</mark>');
	});

	it('keeps the form token as it is', () => {
		expect(html).toContain('name="token" value="tok-1"');
	});

	it('masks the answer page too', () => {
		const answer = renderAnswerPage({ kind: 'recorded', title: 'Review', detail: `card ${CARD}`, results: [{ label: DIGITS, decision: 'approved' }] });
		expect(answer).not.toContain('4111 1111');
		expect(answer).not.toContain(DIGITS);
	});
});
