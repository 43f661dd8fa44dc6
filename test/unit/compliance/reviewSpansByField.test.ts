/**
 * A Compliance Check result that covers several fields: the review page marks on the draft only
 * the findings made in the draft (a span found in the customer's message indexes another text).
 */
import { buildReviewItem } from '../../../nodes/HumanApprovalWait/buildReviewItems';

const json = {
	body: { message: 'Card **** **** **** 1111 please' },
	reply: 'We will guarantee it.',
	hitl: {
		caseId: 'T-1',
		compliance: {
			passed: false,
			rulesetVersion: 'r',
			checkedField: 'reply',
			violations: [
				{ ruleId: 'prohibited', kind: 'prohibited', severity: 'block', message: 'm', span: [8, 17], field: 'reply' },
				{ ruleId: 'card', kind: 'pii', severity: 'review', message: 'card', span: [5, 24], field: 'body.message' },
				{ ruleId: 'old', kind: 'pattern', severity: 'info', message: 'untagged', span: [0, 2] },
			],
			fields: [
				{ field: 'reply', passed: false, rulesetVersion: 'r' },
				{ field: 'body.message', passed: false, rulesetVersion: 'r' },
			],
		},
	},
};

describe('review item: finding spans of a several-field check', () => {
	it('keeps the span of a draft finding, drops the span of a message finding, and lists both', () => {
		const view = buildReviewItem(json, { draftField: 'reply', customerMessageField: 'body.message', contextFields: [] });
		expect(view.findings.map((finding) => [finding.ruleId, finding.span])).toEqual([
			['prohibited', [8, 17]],
			['card', undefined],
			['old', [0, 2]], // no field: the old rule (checkedField is the draft) still applies
		]);
	});
});
