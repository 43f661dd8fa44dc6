/**
 * What the reviewer had entered on a form that was refused (a missing decision, a rejection
 * without a reason), so the page comes back with their work as they left it: each choice,
 * edited text, reason and comment, and their name. Without it a batch reviewer who forgot one
 * item lost every decision, and "Approve all remaining" on the blank page approved them all.
 *
 * Only values a browser can send are kept (single strings within the form's limits, choices and
 * reasons that the page offers); anything else is dropped, so a forged form cannot put markup or
 * unknown options on the page. Rendering escapes every value again.
 */
import {
	MAX_COMMENT_LENGTH,
	MAX_NAME_LENGTH,
	MAX_REASON_LENGTH,
	MAX_SHOWN_AT_LENGTH,
	MAX_TEXT_LENGTH,
	REVIEWER_CHOICES,
} from './parseSubmission';
import type { ReviewerChoice } from './decideReview';

export interface EnteredItem {
	choice?: ReviewerChoice;
	text?: string;
	reason?: string;
	comment?: string;
}

export interface EnteredAnswers {
	reviewerName?: string;
	/** When the first page was shown, so the time on the page keeps counting from there. */
	shownAt?: string;
	items: EnteredItem[];
}

const CHOICES: readonly string[] = REVIEWER_CHOICES;

export function readEnteredAnswers(body: unknown, itemCount: number, reasons: readonly string[]): EnteredAnswers {
	const fields = typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
	const text = (name: string, max: number): string | undefined => {
		const value = fields[name];
		return typeof value === 'string' && value.length <= max ? value : undefined;
	};
	const items: EnteredItem[] = [];
	for (let index = 0; index < itemCount; index++) {
		const choice = text(`decision_${index}`, 20);
		const reason = text(`reason_${index}`, MAX_REASON_LENGTH);
		const draft = text(`text_${index}`, MAX_TEXT_LENGTH);
		const comment = text(`comment_${index}`, MAX_COMMENT_LENGTH);
		items.push({
			...(choice !== undefined && CHOICES.includes(choice) ? { choice: choice as ReviewerChoice } : {}),
			...(draft !== undefined ? { text: draft } : {}),
			...(reason !== undefined && reasons.includes(reason) ? { reason } : {}),
			...(comment !== undefined && comment !== '' ? { comment } : {}),
		});
	}
	const reviewerName = text('reviewerName', MAX_NAME_LENGTH);
	const shownAt = text('shownAt', MAX_SHOWN_AT_LENGTH);
	return {
		...(reviewerName !== undefined && reviewerName !== '' ? { reviewerName } : {}),
		...(shownAt !== undefined && shownAt !== '' ? { shownAt } : {}),
		items,
	};
}
