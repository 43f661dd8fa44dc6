/**
 * Reading a posted review form (application/x-www-form-urlencoded, parsed by n8n into an object).
 *
 * Field names are flat (`decision_0`, `text_0`, ...) so that any body parser reads them the same
 * way. Everything a browser can send is validated here; the caller then checks the token
 * against the execution (see reviewerLinks.ts) before anything is recorded.
 */
import { z } from 'zod/v4';

import type { ReviewerChoice } from './decideReview';

export const MAX_TEXT_LENGTH = 50_000;
export const MAX_COMMENT_LENGTH = 4_000;
export const MAX_NAME_LENGTH = 120;

/** The choices a reviewer can make per item (the page's radio buttons). */
export const REVIEWER_CHOICES = ['approve', 'reject', 'escalate'] as const;
export const MAX_REASON_LENGTH = 200;
export const MAX_SHOWN_AT_LENGTH = 40;

/** A field a browser sent once as a string; a repeated field (only a forged form sends one) is refused. */
const single = (max: number) => z.string().max(max, { message: `is longer than ${max} characters` });

const formSchema = z.looseObject({
	token: z.string().min(1, { message: 'is missing' }).max(200),
	action: z.enum([...REVIEWER_CHOICES, 'submit', 'approveRemaining']),
	reviewerName: single(MAX_NAME_LENGTH).optional(),
	shownAt: single(MAX_SHOWN_AT_LENGTH).optional(),
});

const itemSchema = z.object({
	decision: z.enum(REVIEWER_CHOICES).optional(),
	text: single(MAX_TEXT_LENGTH).optional(),
	reason: single(MAX_REASON_LENGTH).optional(),
	comment: single(MAX_COMMENT_LENGTH).optional(),
});

export interface SubmittedAnswer {
	itemIndex: number;
	choice: ReviewerChoice;
	text?: string;
	reason?: string;
	comment?: string;
}

export interface Submission {
	token: string;
	reviewerName?: string;
	/** When the page that was answered was rendered (ISO), as the form carried it back. */
	shownAt?: string;
	answers: SubmittedAnswer[];
}

export type ParseResult = { ok: true; submission: Submission } | { ok: false; problems: string[] };

export interface ParseOptions {
	itemCount: number;
	/** The configured reason list; a submitted reason must be one of them. */
	reasons: readonly string[];
	/** Refuse a rejection without a reason. */
	requireReasonToReject: boolean;
}

const blankToUndefined = (value: string | undefined) => (value === undefined || value.trim() === '' ? undefined : value);

export function parseSubmission(body: unknown, options: ParseOptions): ParseResult {
	if (typeof body !== 'object' || body === null || Array.isArray(body)) {
		return { ok: false, problems: ['The form was empty. Open the review link again and answer there.'] };
	}
	const fields = body as Record<string, unknown>;
	const repeated = Object.entries(fields).filter(([, value]) => typeof value !== 'string').map(([name]) => name);
	if (repeated.length > 0) return { ok: false, problems: [`Field ${repeated[0]} was sent more than once or is not text.`] };

	const form = formSchema.safeParse(fields);
	if (!form.success) {
		const issue = form.error.issues[0];
		return { ok: false, problems: [`Field ${issue.path.join('.') || 'form'} ${issue.message}`] };
	}
	const { action } = form.data;
	if (options.itemCount > 1 && (action === 'approve' || action === 'reject' || action === 'escalate')) {
		return { ok: false, problems: ['This review has several items: choose a decision for each one.'] };
	}

	const problems: string[] = [];
	const answers: SubmittedAnswer[] = [];
	for (let itemIndex = 0; itemIndex < options.itemCount; itemIndex++) {
		const parsed = itemSchema.safeParse({
			decision: fields[`decision_${itemIndex}`] === '' ? undefined : fields[`decision_${itemIndex}`],
			text: fields[`text_${itemIndex}`],
			reason: fields[`reason_${itemIndex}`],
			comment: fields[`comment_${itemIndex}`],
		});
		const label = options.itemCount > 1 ? `Item ${itemIndex + 1}` : 'The answer';
		if (!parsed.success) {
			const issue = parsed.error.issues[0];
			problems.push(`${label}: ${String(issue.path[0] ?? 'field')} ${issue.message}`);
			continue;
		}
		const item = parsed.data;
		const choice: ReviewerChoice | undefined =
			action === 'approve' || action === 'reject' || action === 'escalate'
				? action
				: (item.decision ?? (action === 'approveRemaining' ? 'approve' : undefined));
		if (!choice) {
			problems.push(`${label}: choose Approve, Reject or Escalate (or use "Approve all remaining").`);
			continue;
		}
		const reason = blankToUndefined(item.reason);
		if (reason !== undefined && !options.reasons.includes(reason)) {
			problems.push(`${label}: "${reason}" is not one of the offered reasons.`);
			continue;
		}
		if (choice === 'reject' && options.requireReasonToReject && reason === undefined) {
			problems.push(`${label}: pick a reason for the rejection.`);
			continue;
		}
		answers.push({
			itemIndex,
			choice,
			...(item.text !== undefined ? { text: item.text } : {}),
			...(reason !== undefined ? { reason } : {}),
			...(blankToUndefined(item.comment) !== undefined ? { comment: item.comment!.trim() } : {}),
		});
	}
	if (problems.length > 0) return { ok: false, problems };
	const reviewerName = blankToUndefined(form.data.reviewerName)?.trim();
	const shownAt = blankToUndefined(form.data.shownAt);
	return {
		ok: true,
		submission: { token: form.data.token, ...(reviewerName ? { reviewerName } : {}), ...(shownAt ? { shownAt } : {}), answers },
	};
}
