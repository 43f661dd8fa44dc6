/**
 * What execute() does when items arrive, as data in and data out (no n8n import, no I/O): the
 * review's times, when n8n should give up waiting, the announcement to send (with each named
 * reviewer's signed personal link) and the audit event. The node sends, records and waits.
 *
 *   startReview(facts, settings, now) → { times, waitTill?, announcement, audit } | { timeLimitProblem }
 *
 * `times` is the one record that crosses from execute() to webhook(): it goes into the
 * execution's custom data (reviewSession.ts says why there).
 */
import type { ReviewItemView } from './renderReviewPage';
import type { ReviewAnnouncement } from './notifyReviewers';
import type { ApprovalSettings } from './readSettings';
import { computeDeadline, type ReviewTimes } from './reviewDeadline';
import { personalLink, signReviewer } from './reviewerLinks';
import type { ReviewAuditEvent } from './reviewLedger';

export interface ReviewStartFacts {
	review: { executionId: string; nodeId: string };
	/** The items to review, as the page shows them (buildReviewItems.ts). */
	items: readonly ReviewItemView[];
	/** The execution's resume URL (`$execution.resumeUrl`): the review page. */
	reviewUrl: string;
	/** The HITL Review Secret's value: named reviewers only. */
	reviewSecret?: string;
}

export type ReviewStartSettings = Pick<ApprovalSettings, 'title' | 'deadline' | 'reviewers' | 'approvalsNeeded'>;

export interface ReviewStart {
	times: ReviewTimes;
	/** When n8n's wait tracker resumes the execution on Timed Out; undefined: wait indefinitely. */
	waitTill?: Date;
	announcement: ReviewAnnouncement;
	audit: ReviewAuditEvent[];
}

/** A review cannot start: the time limit is invalid (the message says why, for the user). */
export interface ReviewStartProblem {
	timeLimitProblem: string;
}

export function startReview(facts: ReviewStartFacts, settings: ReviewStartSettings, now: Date): ReviewStart | ReviewStartProblem {
	let waitTill: Date | undefined;
	try {
		waitTill = computeDeadline(now, settings.deadline);
	} catch (error) {
		// computeDeadline throws only for a time limit that cannot be a deadline.
		return { timeLimitProblem: (error as Error).message };
	}
	const times: ReviewTimes = { requestedAt: now.toISOString(), ...(waitTill ? { deadline: waitTill.toISOString() } : {}) };
	const { executionId, nodeId } = facts.review;
	const personalLinks = settings.reviewers.map((reviewer) => ({
		...reviewer,
		url: personalLink(facts.reviewUrl, reviewer.id, signReviewer(facts.reviewSecret ?? '', { executionId, nodeId, reviewerId: reviewer.id })),
	}));
	return {
		times,
		...(waitTill ? { waitTill } : {}),
		announcement: {
			title: settings.title,
			link: facts.reviewUrl,
			itemCount: facts.items.length,
			firstDraft: facts.items[0]?.draft ?? '',
			deadline: times.deadline,
			executionId,
			personalLinks,
		},
		audit: [
			{
				event: 'requested',
				actor: 'system',
				detail: {
					items: facts.items.length,
					requestedAt: times.requestedAt,
					deadline: times.deadline ?? null,
					reviewers: settings.reviewers.map((reviewer) => reviewer.id),
					approvalsNeeded: settings.approvalsNeeded,
				},
			},
		],
	};
}
