/**
 * What the Review SLA Trigger emits for one review that crossed a step (issue 15): plain data, no
 * n8n import. The links are ready to put into a mail or chat message: each reviewer's personal
 * review link for a reminder or overdue notice, each backup reviewer's for an escalation — through
 * the Review Inbox when its URL is given (so a late reader is told who decided), as Human Approval
 * Wait hands them out.
 */
import { priorityName } from '../shared/reviewPriority';
import { splitResumeUrl, viaInboxUrl } from '../shared/reviewInboxLinks';
import type { SlaStep } from '../shared/reviewSlaSteps';
import { openSealedReviewUrl, personalLink, signReviewer } from '../shared/reviewSignatures';
import type { StoredPendingReview } from '../shared/store';

export interface ReadyLink {
	id: string;
	name: string;
	/** The person's e-mail address when known (a reviewer id that is one, or a backup reviewer's). */
	email?: string;
	url: string;
}

export interface SlaNotice {
	/** The step this notice is for (what to switch on): the furthest its audience crossed in this poll. */
	step: SlaStep;
	/** The steps of this poll this notice covers, in order (one: reminder, overdue or escalated). */
	steps: SlaStep[];
	executionId: string;
	nodeName: string;
	workflowId?: string;
	workflowName?: string;
	title: string;
	priority: string;
	requestedAt: string;
	respondBy: string;
	/** Whole minutes to the target, negative once overdue (10.5 minutes overdue: -10). */
	minutesLeft: number;
	deadline?: string;
	/** The first item's excerpt (as in the inbox), and every item's case, excerpt and reasons. */
	summary: string;
	items: { caseId: string; summary: string; reasons: string[]; intent?: string }[];
	claimedBy: { id: string; name: string; claimedAt: string } | null;
	/** Who this notice is for: the reviewers, or for `escalated` the backup reviewers. */
	recipients: ReadyLink[];
	/** The review's shared link (a review without named reviewers), when it can be opened. */
	reviewLink?: string;
	/** Why there are no links, when there are none. */
	linksMissing?: string;
}

export interface LinkSettings {
	/** The HITL Review Secret (opens the sealed link, signs personal links). */
	secret?: string;
	/** The Review Inbox's production URL: links go through it. */
	inboxUrl?: string;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function links(
	review: StoredPendingReview,
	people: { id: string; name: string; email?: string }[],
	settings: LinkSettings,
): { recipients: ReadyLink[]; reviewLink?: string; linksMissing?: string } {
	const bare = people.map((person) => ({
		id: person.id,
		name: person.name,
		...(person.email ? { email: person.email } : EMAIL.test(person.id) ? { email: person.id } : {}),
	}));
	if (!settings.secret) return { recipients: bare.map((person) => ({ ...person, url: '' })), linksMissing: 'No HITL Review Secret credential is set on the trigger.' };
	const resumeUrl = review.sealedLink ? openSealedReviewUrl(settings.secret, review.sealedLink) : undefined;
	if (!resumeUrl) {
		return {
			recipients: bare.map((person) => ({ ...person, url: '' })),
			linksMissing: 'The review was opened without, or with another, HITL Review Secret than the trigger\'s.',
		};
	}
	const { signature } = splitResumeUrl(resumeUrl);
	const parts = { executionId: review.executionId, nodeName: review.nodeName, signature };
	const urlFor = (personId: string) => {
		const rsig = signReviewer(settings.secret!, { executionId: review.executionId, nodeId: review.nodeId, reviewerId: personId });
		return settings.inboxUrl ? viaInboxUrl(settings.inboxUrl, { ...parts, reviewerId: personId, rsig }) : personalLink(resumeUrl, personId, rsig);
	};
	return {
		recipients: bare.map((person) => ({ ...person, url: urlFor(person.id) })),
		...(review.reviewerMode === 'link' ? { reviewLink: settings.inboxUrl ? viaInboxUrl(settings.inboxUrl, parts) : resumeUrl } : {}),
	};
}

/** The notice for a review that crossed `steps` (non-empty, in order) at `nowMs`. */
export function slaNotice(review: StoredPendingReview, steps: SlaStep[], nowMs: number, settings: LinkSettings): SlaNotice {
	const step = steps[steps.length - 1];
	const people = step === 'escalated' ? (review.backupReviewers ?? []) : review.reviewers;
	const respondBy = review.respondBy ?? review.requestedAt;
	return {
		step,
		steps,
		executionId: review.executionId,
		nodeName: review.nodeName,
		...(review.workflowId ? { workflowId: review.workflowId } : {}),
		...(review.workflowName ? { workflowName: review.workflowName } : {}),
		title: review.title,
		priority: priorityName(review.priority),
		requestedAt: review.requestedAt,
		respondBy,
		minutesLeft: Math.trunc((Date.parse(respondBy) - nowMs) / 60_000),
		...(review.deadline ? { deadline: review.deadline } : {}),
		summary: review.items[0]?.summary ?? '',
		items: review.items.map((item) => ({
			caseId: item.caseId,
			summary: item.summary,
			reasons: item.reasons,
			...(item.intent ? { intent: item.intent } : {}),
		})),
		claimedBy: review.claim
			? { id: review.claim.reviewerId, name: review.claim.reviewerName ?? review.claim.reviewerId, claimedAt: review.claim.claimedAt }
			: null,
		...links(review, people, settings),
	};
}
