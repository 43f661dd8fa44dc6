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

export interface ReviewSlaStore {
	/** Pending reviews with a target whose first step has come and whose final step has not been recorded, soonest target first. */
	listSlaCandidates(options: ListSlaCandidatesOptions): Promise<SlaCandidate[]>;
	/** Compare-and-set: true for exactly one caller per review and step, across processes and back ends. */
	recordSlaStep(key: PendingReviewKey, step: SlaStep, at: string): Promise<boolean>;
	listSlaSteps(key: PendingReviewKey): Promise<SlaStepRecord[]>;
}
