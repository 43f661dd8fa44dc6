/**
 * The review-SLA part of the store's contract (issue 15): which steps of a review's respond-within
 * target were emitted, so each goes out once per review across restarts and n8n processes.
 */
import type { SlaStep } from '../reviewSlaSteps';
import type { PendingReviewKey, StoredPendingReview } from './pendingReviewTypes';

export interface SlaStepRecord {
	step: SlaStep;
	emittedAt: string;
}

export interface SlaCandidate {
	review: StoredPendingReview;
	/** The steps already recorded for it. */
	emitted: SlaStep[];
}

export interface ListSlaCandidatesOptions {
	now: string;
	/**
	 * The share of the target before it at which the first step falls (1 − the reminder share; 0
	 * without reminders): reviews whose first step is still ahead are not listed.
	 */
	leadShare: number;
	/** The policy's last step: a review that has it recorded is done. */
	finalStep: SlaStep;
	limit?: number;
}

/** What the SLA figures of a period are computed from: one review requested in it (see SqlReviewSla.slaFacts). */
export interface SlaReviewFacts {
	executionId: string;
	nodeName: string;
	priority: number;
	requestedMs: number;
	/** The respond-within target; null for a review without one. */
	respondByMs: number | null;
	/** The hard deadline (Time Limit); null without one. */
	deadlineMs: number | null;
	status: 'pending' | 'decided' | 'expired' | 'cancelled';
	/** When it was decided, expired or cancelled; null while pending. */
	closedMs: number | null;
	/** The named reviewers (id → name), to name the actors of the answers. */
	reviewers: { id: string; name: string }[];
	/** The audit trail's `answered` lines: who answered when (`link`: the shared link), in time order. */
	answers: { actor: string; atMs: number }[];
	/** The SLA steps the Review SLA Trigger emitted for it. */
	steps: SlaStep[];
}

export interface SlaFactsWindow {
	/** Reviews requested at or after `since` and before `until` (ISO times). */
	since: string;
	until: string;
	workflowId?: string;
}

/** A pending review past its target now (and not past its hard deadline). */
export interface OverdueReview {
	priority: number;
	/** The named reviewers it is waiting for. */
	reviewers: { id: string; name: string }[];
	/** Who holds an unexpired claim on it. */
	claimedBy?: string;
	respondByMs: number;
}

export interface ReviewSlaStore {
	/** Pending reviews with a target whose first step has come and whose final step has not been recorded, soonest target first. */
	listSlaCandidates(options: ListSlaCandidatesOptions): Promise<SlaCandidate[]>;
	/** Compare-and-set: true for exactly one caller per review and step, across processes and back ends. */
	recordSlaStep(key: PendingReviewKey, step: SlaStep, at: string): Promise<boolean>;
	listSlaSteps(key: PendingReviewKey): Promise<SlaStepRecord[]>;
	/** The reviews requested in a window, with their answers and steps: what the Metrics' SLA figures count. */
	slaFacts(window: SlaFactsWindow): Promise<SlaReviewFacts[]>;
	/** Pending reviews whose target passed before `now` and whose hard deadline has not (of one workflow, when given). */
	overdueReviews(now: string, workflowId?: string): Promise<OverdueReview[]>;
}
