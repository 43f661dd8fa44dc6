/**
 * Turning reviewers' answers into one decision per item.
 *
 * The rules, in order, for each item:
 * 1. any rejection decides: the item is rejected (one "no" is enough to stop a message);
 * 2. else any escalation decides: the item is escalated (someone wants a more senior look);
 * 3. else, once `approvalsNeeded` different reviewers approved, the item is approved — recorded as
 *    `edited` when the final text differs from the draft. The final text is the most recent
 *    approving answer's text, so the last approver saw (and accepted) what goes out;
 * 4. else the item is still pending.
 * The review is finished when every item is decided; until then the execution keeps waiting.
 */
import type { Reviewer } from '../shared/itemContract';

export type ReviewerChoice = 'approve' | 'reject' | 'escalate';
export type ItemDecision = 'approved' | 'edited' | 'rejected' | 'escalated';

export interface ReviewerAnswer {
	reviewerId: string;
	reviewerName?: string;
	itemIndex: number;
	choice: ReviewerChoice;
	/** The text as the reviewer left it in the text area (only read for approvals). */
	text?: string;
	reason?: string;
	comment?: string;
	/** ISO timestamp. */
	at: string;
	/** From the page being shown to this answer (ms), when the form carried its render time. */
	timeOnPageMs?: number;
}

export type ItemVerdict =
	| { status: 'pending'; approvals: number; approvalsNeeded: number; reviewers: Reviewer[] }
	| { status: 'decided'; decision: ItemDecision; finalText: string; decidedAt: string; reviewers: Reviewer[] };

/** Normalises line endings: browsers submit text areas with CRLF. */
export function normaliseText(text: string): string {
	return text.replace(/\r\n?/g, '\n');
}

function toRecord(answer: ReviewerAnswer, originalText: string): Reviewer {
	const decision =
		answer.choice === 'approve'
			? answer.text !== undefined && normaliseText(answer.text) !== normaliseText(originalText)
				? 'edited'
				: 'approved'
			: answer.choice === 'reject'
				? 'rejected'
				: 'escalated';
	return {
		id: answer.reviewerId,
		...(answer.reviewerName ? { name: answer.reviewerName } : {}),
		decision,
		...(answer.reason ? { reason: answer.reason } : {}),
		...(answer.comment ? { comment: answer.comment } : {}),
		at: answer.at,
		...(answer.timeOnPageMs !== undefined ? { timeOnPageMs: answer.timeOnPageMs } : {}),
	};
}

/** One answer per reviewer per item: the first one counts (a reviewer cannot change a vote). */
function firstPerReviewer(answers: readonly ReviewerAnswer[]): ReviewerAnswer[] {
	const seen = new Set<string>();
	return [...answers]
		.sort((a, b) => a.at.localeCompare(b.at))
		.filter((answer) => (seen.has(answer.reviewerId) ? false : (seen.add(answer.reviewerId), true)));
}

export function decideItem(
	answers: readonly ReviewerAnswer[],
	originalText: string,
	approvalsNeeded: number,
): ItemVerdict {
	const counted = firstPerReviewer(answers);
	const reviewers = counted.map((answer) => toRecord(answer, originalText));
	const decisive = (choice: ReviewerChoice) => counted.find((answer) => answer.choice === choice);

	const rejection = decisive('reject');
	if (rejection) return { status: 'decided', decision: 'rejected', finalText: originalText, decidedAt: rejection.at, reviewers };
	const escalation = decisive('escalate');
	if (escalation) {
		return { status: 'decided', decision: 'escalated', finalText: originalText, decidedAt: escalation.at, reviewers };
	}
	const approvals = counted.filter((answer) => answer.choice === 'approve');
	const needed = Math.max(1, Math.trunc(approvalsNeeded));
	if (approvals.length < needed) return { status: 'pending', approvals: approvals.length, approvalsNeeded: needed, reviewers };

	const last = approvals[approvals.length - 1];
	const finalText = normaliseText(last.text ?? originalText);
	return {
		status: 'decided',
		decision: finalText !== normaliseText(originalText) ? 'edited' : 'approved',
		finalText,
		decidedAt: approvals[needed - 1].at > last.at ? approvals[needed - 1].at : last.at,
		reviewers,
	};
}

export interface ReviewOutcome {
	/** True when every item is decided: time to resume the execution. */
	finished: boolean;
	verdicts: ItemVerdict[];
}

export function decideReview(
	answers: readonly ReviewerAnswer[],
	originalTexts: readonly string[],
	approvalsNeeded: number,
): ReviewOutcome {
	const verdicts = originalTexts.map((text, itemIndex) =>
		decideItem(
			answers.filter((answer) => answer.itemIndex === itemIndex),
			text,
			approvalsNeeded,
		),
	);
	return { finished: verdicts.every((verdict) => verdict.status === 'decided'), verdicts };
}

