import { readFileSync } from 'node:fs';
import path from 'node:path';

import { explainReviewReasons, REASON_SENTENCES } from '../../../nodes/HumanApprovalWait/explainReviewReasons';
import type { Gate } from '../../../nodes/shared/itemContract';

const gate = (reasons: Gate['reasons'], threshold = 0.85): Gate => ({
	route: 'review',
	reasons,
	threshold,
	sampledForAudit: false,
	shadow: false,
	breakerOpen: false,
});

/** What the page must never show a reviewer: rule ids, masked values, codes, learning state, operators. */
const ENGINE_WORDS = /[A-Z]{3,}_[A-Z]+|pii\.|\*\*\*|threshold learned|of 100|reviewed drafts of|Condition matched|≥|\(value:/;

describe('explainReviewReasons', () => {
	it('says low confidence with the two numbers a reviewer can use, not the learning state', () => {
		const sentences = explainReviewReasons(
			gate([
				{
					code: 'LOW_CONFIDENCE',
					detail: 'Confidence 0.64 is below the threshold 0.85 (no threshold learned yet: 8 of 100 reviewed drafts of model gpt-4o-mini, prompt v1).',
				},
			]),
			{ confidence: 0.64, findingCount: 0 },
		);
		expect(sentences).toEqual(['The model is only 64% sure of this draft; replies go out without a person from 85%.']);
	});

	it('points to the findings instead of repeating rule ids and masked values', () => {
		const sentences = explainReviewReasons(
			gate([
				{
					code: 'COMPLIANCE_REVIEW',
					detail: 'Compliance found 2 issue(s) to review: pii.phone (Personal data in the text: phone number ***0134); disclosure.refundTerms (Refund terms are not mentioned)',
				},
			]),
			{ findingCount: 2 },
		);
		expect(sentences).toEqual(['The compliance check found something a person should look at. They are listed under “Compliance findings” below.']);
	});

	it('names a risk flag in words, and says what a condition, an audit sample, the breaker and shadow mode mean', () => {
		const sentences = explainReviewReasons(
			gate([
				{ code: 'RISK_FLAG', detail: 'The draft carries the risk flag "legal_threat".' },
				{ code: 'CONDITION', detail: 'Condition matched: order.total ≥ 500 (value: 740).' },
				{ code: 'AUDIT_SAMPLE', detail: 'Confidence 0.97 meets the threshold 0.85 and no rule asked for a review; picked at random (5% of such items)…' },
				{ code: 'BREAKER_OPEN', detail: '…but auto-send is paused: 14 of 40 reviewed drafts in 24 h overridden (35%), above the limit of 20%.' },
				{ code: 'SHADOW_MODE', detail: 'Shadow mode: the gate would have routed this item to Auto (sent on its own); …' },
			]),
			{ confidence: 0.97, findingCount: 0 },
		);
		expect(sentences[0]).toBe('The message touches a sensitive topic: legal threat.');
		expect(sentences).toHaveLength(5);
		for (const sentence of sentences) expect(sentence).not.toMatch(ENGINE_WORDS);
	});

	it('says each thing once, and nothing without a gate', () => {
		const reasons = [
			{ code: 'SCORE_MISSING', detail: 'The confidence score at hitl.draft.confidence.score is missing, so…' },
			{ code: 'SCORE_OUT_OF_RANGE', detail: 'The confidence score 7 is outside 0–1…' },
		];
		expect(explainReviewReasons(gate(reasons), { findingCount: 0 })).toHaveLength(1);
		expect(explainReviewReasons(undefined, { findingCount: 0 })).toEqual([]);
	});

	it("falls back to the gate's own detail for a code it does not know (and to nothing from Object's prototype)", () => {
		expect(explainReviewReasons(gate([{ code: 'NEW_CODE', detail: 'A new reason.' }]), { findingCount: 0 })).toEqual(['A new reason.']);
		expect(explainReviewReasons(gate([{ code: 'constructor', detail: 'x' }]), { findingCount: 0 })).toEqual(['x']);
	});

	it('has a sentence for every code the Confidence Gate writes', () => {
		const source = readFileSync(path.resolve(__dirname, '../../../nodes/ConfidenceGate/routeItem.ts'), 'utf8');
		const codes = new Set([...source.matchAll(/(?:code: |ask\([\w.']+, )'([A-Z_]+)'/g)].map((match) => match[1]));
		expect(codes.size).toBeGreaterThanOrEqual(10);
		for (const code of codes) expect(Object.keys(REASON_SENTENCES)).toContain(code);
	});
});
