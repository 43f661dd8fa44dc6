/**
 * "Why it needs a person", in sentences a reviewer can act on.
 *
 * The Confidence Gate's reasons are written for the people who run the gate: a code a dashboard
 * counts and a detail that names rule ids, masked values, operators and the state of threshold
 * learning ("no threshold learned yet: 8 of 100 reviewed drafts of model …"). A reviewer needs
 * none of that to judge a draft, and the rule ids and masked values are already on the page as
 * compliance findings, marked in the text. So the page says what each code means for the reader,
 * from the code and a few plain numbers; the codes and details stay on the item (`hitl.gate`) for
 * the audit trail, the Feedback Log and the admin's views.
 *
 * A code this table does not know (a gate newer than this node, or another node writing
 * `hitl.gate`) falls back to the gate's own detail: better a technical sentence than none.
 */
import type { Gate } from '../shared/itemContract';

export interface ReasonFacts {
	/** The model's confidence in the draft (0..1), when the LLM Draft node set one. */
	confidence?: number;
	/** How many compliance findings the page lists for the item. */
	findingCount: number;
}

const percent = (share: number) => `${Math.round(Math.max(0, Math.min(1, share)) * 100)}%`;

const FINDINGS_BELOW = 'They are listed under “Compliance findings” below.';

function findingsText(facts: ReasonFacts): string {
	if (facts.findingCount === 0) return '';
	return ` ${facts.findingCount === 1 ? 'It is listed under “Compliance findings” below.' : FINDINGS_BELOW}`;
}

/** A risk flag as people write it: `legal_threat` → "legal threat". */
function flagText(detail: string): string | undefined {
	const quoted = /"([^"]{1,80})"/.exec(detail)?.[1];
	return quoted?.replace(/[_-]+/g, ' ').trim() || undefined;
}

/** One sentence per gate reason code; every code the Confidence Gate writes is here (a unit test checks). */
export const REASON_SENTENCES: Record<string, (gate: Gate, detail: string, facts: ReasonFacts) => string> = {
	LOW_CONFIDENCE: (gate, _detail, facts) =>
		facts.confidence !== undefined && Number.isFinite(facts.confidence)
			? `The model is only ${percent(facts.confidence)} sure of this draft; replies go out without a person from ${percent(gate.threshold)}.`
			: 'The model is not sure enough of this draft to send it without a person.',
	SCORE_MISSING: () => 'The model gave no usable confidence for this draft, so it cannot go out without a person.',
	SCORE_OUT_OF_RANGE: () => 'The model gave no usable confidence for this draft, so it cannot go out without a person.',
	COMPLIANCE_REVIEW: (_gate, _detail, facts) =>
		`The compliance check found something a person should look at.${findingsText(facts)}`,
	COMPLIANCE_BLOCK: (_gate, _detail, facts) =>
		`The compliance check found something that must not be sent as it stands.${findingsText(facts)}`,
	RISK_FLAG: (_gate, detail) => {
		const flag = flagText(detail);
		return flag ? `The message touches a sensitive topic: ${flag}.` : 'The message touches a sensitive topic.';
	},
	CONDITION: () => 'A rule of this workflow sends messages like this one to a person.',
	AUDIT_SAMPLE: () =>
		'Picked at random for a quality check: this draft could have gone out on its own, and your answer shows how good such replies are.',
	NOT_LEARNED: () =>
		'This model or prompt is new to the workflow: every draft is checked by a person until reviews show which replies can go out on their own.',
	BREAKER_OPEN: () =>
		'Automatic sending is paused because reviewers recently changed or rejected more drafts than expected, so a person checks each one for now.',
	SHADOW_MODE: () => 'A new sending policy is being tried out, so a person checks every draft for now.',
	AUTO_OK: () => 'The draft passed every check; it was sent for review anyway.',
};

/** The reviewer's sentences for an item's gate reasons, in the gate's order, without repeats. */
export function explainReviewReasons(gate: Gate | undefined, facts: ReasonFacts): string[] {
	if (!gate) return [];
	const sentences = gate.reasons.map((reason) => {
		const known = Object.hasOwn(REASON_SENTENCES, reason.code);
		return known ? REASON_SENTENCES[reason.code](gate, reason.detail, facts) : reason.detail;
	});
	return [...new Set(sentences.filter((sentence) => sentence.trim() !== ''))];
}
