/**
 * The pending-review part of the store's contract (issue 14): every review Human Approval Wait
 * opens with "Record in Store" on, what the Review Inbox lists, and the claim that says who is on it.
 */

export type PendingReviewStatus = 'pending' | 'decided' | 'expired' | 'cancelled';

export interface PendingReviewKey {
	executionId: string;
	/** The Human Approval Wait node's name in that execution. */
	nodeName: string;
}

/** One item of a review, as the inbox shows it: never the full texts. */
export interface PendingReviewItem {
	caseId: string;
	/** A short excerpt (card data masked), or '' in privacy mode. */
	summary: string;
	/** The gate's route reason codes. */
	reasons: string[];
	confidence?: number;
	/** The worst compliance severity found. */
	severity?: 'block' | 'review' | 'info';
	intent?: string;
	riskFlags: string[];
	sampledForAudit?: boolean;
}

export interface PendingReviewRecord extends PendingReviewKey {
	nodeId: string;
	workflowId?: string;
	workflowName?: string;
	title: string;
	items: PendingReviewItem[];
	requestedAt: string;
	deadline?: string;
	reviewerMode: 'link' | 'named';
	reviewers: { id: string; name: string }[];
	/** Higher is more urgent (see nodes/HumanApprovalWait/reviewPriority.ts). */
	priority: number;
	/**
	 * The review page's URL (n8n's resume URL, which carries the execution's token) sealed with a
	 * key derived from the HITL Review Secret: a reader of the store alone cannot open the page.
	 */
	sealedLink?: string;
	/** The resume URL without its token, and a hash of execution and token (see reviewInboxLinks.ts). */
	resumeBase?: string;
	linkHash?: string;
	/** The respond-within target (issue 15): when a person should have answered; steps in reviewSlaSteps.ts. */
	respondBy?: string;
	/** Who may answer once the review is escalated (issue 15), with their e-mail when given. */
	backupReviewers?: { id: string; name: string; email?: string }[];
}

export interface ReviewClaim {
	reviewerId: string;
	reviewerName?: string;
	claimedAt: string;
	expiresAt: string;
}

export interface StoredPendingReview extends PendingReviewRecord {
	status: PendingReviewStatus;
	closedAt?: string;
	/** For a decided review: the decision per item, and who decided. */
	decisions?: string[];
	decidedBy?: string[];
	/** An unexpired claim (expired ones are not returned). */
	claim?: ReviewClaim;
}

/**
 * A pending review as the inbox lists it: without the link parts (the page never needs them; an
 * "Open" link goes through the inbox, which reads them for that one review), so a page of rows
 * reads about half the columns.
 */
export type ListedPendingReview = Omit<StoredPendingReview, 'sealedLink' | 'resumeBase' | 'linkHash' | 'decisions' | 'decidedBy'> & {
	/** The review keeps a sealed link, so the inbox can open it for its reviewers. */
	opensFromInbox: boolean;
};

export interface PendingReviewFilter {
	workflowId?: string;
	intent?: string;
	reason?: string;
	/** "Mine": reviews naming this reviewer, or claimed by them. */
	reviewerId?: string;
}

export interface ListPendingOptions {
	/** ISO "now": claims that expired before it are not shown. */
	now: string;
	limit?: number;
	offset?: number;
}

export interface PendingCounts {
	/** Pending reviews in all. */
	all: number;
	/** Per reason code (a review with two reasons counts under both). */
	byReason: Record<string, number>;
	/** The workflows that have pending reviews (for the inbox's filter), by name; frozen (shared until a counter changes). */
	workflows: readonly { readonly id: string; readonly name: string }[];
}

export interface CloseReviewUpdate {
	status: Exclude<PendingReviewStatus, 'pending'>;
	at: string;
	decisions?: string[];
	decidedBy?: string[];
}

export interface ClaimRequest {
	reviewerId: string;
	reviewerName?: string;
	now: string;
	/** How long the claim holds (default 15 minutes). */
	ttlMs: number;
	/** Take the review over from another reviewer's unexpired claim. */
	takeOver?: boolean;
}

export type ClaimResult =
	| { ok: true; claim: ReviewClaim; tookOverFrom?: ReviewClaim }
	| { ok: false; why: 'claimedByOther'; claim: ReviewClaim }
	| { ok: false; why: 'notPending'; status: PendingReviewStatus | 'unknown' };

export interface PendingReviewStore {
	/** Registers a review; a repeated registration of the same key changes nothing. */
	registerPendingReview(record: PendingReviewRecord): Promise<void>;
	getPendingReview(key: PendingReviewKey, now: string): Promise<StoredPendingReview | undefined>;
	/** Pending reviews, most urgent first: priority, then deadline (none last), then age. */
	listPendingReviews(filter: PendingReviewFilter, options: ListPendingOptions): Promise<ListedPendingReview[]>;
	countPendingReviews(filter: PendingReviewFilter): Promise<number>;
	/** The pending counts kept in step with the reviews (one read, no scan). */
	pendingCounts(): Promise<PendingCounts>;
	/**
	 * Marks every pending review whose deadline has passed expired (closed at its deadline), with
	 * its counts; returns how many. n8n calls no node code when a wait times out, so the readers
	 * (the Review Inbox) call this before they list.
	 */
	expireOverdueReviews(now: string): Promise<number>;
	/** Reviews that stopped waiting without a decision (expired, cancelled) since then, latest first. */
	listStoppedReviews(since: string, options: { now: string; limit?: number }): Promise<ListedPendingReview[]>;
	/** Marks a pending review decided / expired / cancelled; false when it was not pending. */
	closePendingReview(key: PendingReviewKey, update: CloseReviewUpdate): Promise<boolean>;
	/** Compare-and-set: one winner among racing claimants, across processes and back ends. */
	claimReview(key: PendingReviewKey, request: ClaimRequest): Promise<ClaimResult>;
	/** Drops the reviewer's own claim; false when they held none. */
	releaseClaim(key: PendingReviewKey, reviewerId: string): Promise<boolean>;
}
