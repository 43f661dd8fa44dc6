/**
 * Where a review's answers live between requests: the package's store when one is configured
 * (survives an n8n restart, shared by every n8n process), else this process's memory (enough for
 * a single decision: n8n resumes the execution on the first complete answer).
 *
 * Every change is a compare-and-set on the whole state, so two reviewers answering at the same
 * moment — even in two n8n processes — never lose a vote, and only one of two racing complete
 * answers can finish the review.
 */
import type { HitlStore, JsonValue, ReviewStateKey } from '../shared/store/types';
import { decideReview, type ReviewerAnswer } from './decideReview';

export interface LedgerState {
	answers: ReviewerAnswer[];
	/** ISO time the review was finished (all items decided); nothing is accepted after it. */
	finishedAt?: string;
}

export type AddAnswersResult =
	| { accepted: true; state: LedgerState; finished: boolean }
	| { accepted: false; state: LedgerState; why: 'alreadyAnswered' | 'alreadyDecided' };

export interface ReviewLedger {
	readonly durable: boolean;
	read(): Promise<LedgerState>;
	/** Adds one reviewer's answers unless they answered before or the review is finished. */
	addAnswers(
		reviewerId: string,
		answers: ReviewerAnswer[],
		originalTexts: readonly string[],
		approvalsNeeded: number,
		now: string,
	): Promise<AddAnswersResult>;
	audit(event: string, actor: string | undefined, detail: JsonValue, idempotencyKey?: string, caseId?: string): Promise<void>;
}

function asState(value: JsonValue | undefined): LedgerState {
	if (value && typeof value === 'object' && !Array.isArray(value) && Array.isArray(value.answers)) {
		return value as unknown as LedgerState;
	}
	return { answers: [] };
}

/** The pure step both ledgers share. */
export function applyAnswers(
	current: LedgerState,
	reviewerId: string,
	answers: ReviewerAnswer[],
	originalTexts: readonly string[],
	approvalsNeeded: number,
	now: string,
): AddAnswersResult {
	if (current.finishedAt) return { accepted: false, state: current, why: 'alreadyDecided' };
	if (current.answers.some((answer) => answer.reviewerId === reviewerId)) {
		return { accepted: false, state: current, why: 'alreadyAnswered' };
	}
	const all = [...current.answers, ...answers];
	const { finished } = decideReview(all, originalTexts, approvalsNeeded);
	return { accepted: true, finished, state: { answers: all, ...(finished ? { finishedAt: now } : {}) } };
}

const memory = new Map<string, LedgerState>();
const MEMORY_LIMIT = 10_000;

export function memoryLedger(key: ReviewStateKey): ReviewLedger {
	const id = `${key.executionId}\u0000${key.nodeName}`;
	return {
		durable: false,
		async read() {
			return memory.get(id) ?? { answers: [] };
		},
		async addAnswers(reviewerId, answers, originalTexts, approvalsNeeded, now) {
			// Synchronous read-modify-write: nothing can interleave within one process.
			const result = applyAnswers(memory.get(id) ?? { answers: [] }, reviewerId, answers, originalTexts, approvalsNeeded, now);
			if (result.accepted) {
				if (memory.size >= MEMORY_LIMIT) memory.delete(memory.keys().next().value as string);
				memory.set(id, result.state);
			}
			return result;
		},
		async audit() {},
	};
}

export function storeLedger(store: HitlStore, key: ReviewStateKey): ReviewLedger {
	return {
		durable: true,
		async read() {
			return asState((await store.getReviewState(key))?.state);
		},
		async addAnswers(reviewerId, answers, originalTexts, approvalsNeeded, now) {
			let result: AddAnswersResult | undefined;
			await store.updateReviewState(key, (current) => {
				result = applyAnswers(asState(current), reviewerId, answers, originalTexts, approvalsNeeded, now);
				return result.state as unknown as JsonValue;
			});
			return result!;
		},
		async audit(event, actor, detail, idempotencyKey, caseId) {
			await store.appendAudit({
				executionId: key.executionId,
				nodeName: key.nodeName,
				event,
				...(actor ? { actor } : {}),
				detail,
				...(idempotencyKey ? { idempotencyKey } : {}),
				...(caseId ? { caseId } : {}),
			});
		},
	};
}
