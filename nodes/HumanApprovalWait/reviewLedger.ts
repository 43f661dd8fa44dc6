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

/** One line of a review's audit trail (the store's hitl_audit; nothing without "Record in Store"). */
export interface ReviewAuditEvent {
	event: 'requested' | 'refused' | 'linkOpened' | 'answered' | 'decided' | 'takenOver';
	/** The named reviewer's id, `link` for the shared link, `system` for the node itself. */
	actor: string;
	detail: JsonValue;
	/** Set where a retried request must not write the event twice. */
	idempotencyKey?: string;
}

/** The state as one request read it, and the revision a compare-and-set of it names. */
export interface LedgerSnapshot {
	state: LedgerState;
	revision: number;
}

export interface ReviewLedger {
	/** The current state: one read, which webhook() makes alongside its other reads. */
	read(): Promise<LedgerSnapshot>;
	/**
	 * Runs `step` on the state read. When it returns a `ledgerChange`, that state is stored by
	 * compare-and-set on the snapshot's revision; if another request changed the state in between,
	 * the state is read again and `step` runs again on the state that won. Returns the step that was
	 * stored (or that changed nothing).
	 */
	update<Step extends { ledgerChange?: LedgerState }>(snapshot: LedgerSnapshot, step: (state: LedgerState) => Step): Promise<Step>;
	audit(events: readonly ReviewAuditEvent[]): Promise<void>;
}

export type ClosedReason = 'alreadyAnswered' | 'alreadyDecided';

export type AddAnswersResult =
	| { accepted: true; state: LedgerState; finished: boolean }
	| { accepted: false; state: LedgerState; why: ClosedReason };

function asState(value: JsonValue | undefined): LedgerState {
	if (value && typeof value === 'object' && !Array.isArray(value) && Array.isArray(value.answers)) {
		return value as unknown as LedgerState;
	}
	return { answers: [] };
}

/**
 * Why this reviewer can add nothing: the review is finished, or they answered before (one
 * answer per reviewer; the shared link counts as one reviewer). The one place this is decided.
 */
export function whyClosedTo(state: LedgerState, reviewerId: string): ClosedReason | undefined {
	if (state.finishedAt) return 'alreadyDecided';
	if (state.answers.some((answer) => answer.reviewerId === reviewerId)) return 'alreadyAnswered';
	return undefined;
}

/** The state with one reviewer's answers added, finished when every item is decided. */
export function applyAnswers(
	current: LedgerState,
	reviewerId: string,
	answers: ReviewerAnswer[],
	originalTexts: readonly string[],
	approvalsNeeded: number,
	now: string,
): AddAnswersResult {
	const why = whyClosedTo(current, reviewerId);
	if (why) return { accepted: false, state: current, why };
	const all = [...current.answers, ...answers];
	const { finished } = decideReview(all, originalTexts, approvalsNeeded);
	return { accepted: true, finished, state: { answers: all, ...(finished ? { finishedAt: now } : {}) } };
}

const memory = new Map<string, LedgerState>();
const MEMORY_LIMIT = 10_000;

export function memoryLedger(key: ReviewStateKey): ReviewLedger {
	const id = `${key.executionId}\u0000${key.nodeName}`;
	return {
		async read() {
			return { state: memory.get(id) ?? { answers: [] }, revision: 0 };
		},
		async update(_snapshot, step) {
			// Synchronous read-modify-write of the current state (not the snapshot, which an await may
			// have left behind): nothing can interleave within one process.
			const result = step(memory.get(id) ?? { answers: [] });
			if (result.ledgerChange) {
				if (memory.size >= MEMORY_LIMIT) memory.delete(memory.keys().next().value as string);
				memory.set(id, result.ledgerChange);
			}
			return result;
		},
		async audit() {},
	};
}

/** Compare-and-set attempts before a request gives up (as the store's own updateReviewState). */
const MAX_LEDGER_ATTEMPTS = 50;

export function storeLedger(store: HitlStore, key: ReviewStateKey): ReviewLedger {
	const read = async (): Promise<LedgerSnapshot> => {
		const stored = await store.getReviewState(key);
		return { state: asState(stored?.state), revision: stored?.revision ?? 0 };
	};
	return {
		read,
		async update(snapshot, step) {
			// One read (the snapshot) and one conditional write per answer; a second read only when
			// another answer won the race.
			let current = snapshot;
			for (let attempt = 1; ; attempt++) {
				const result = step(current.state);
				// A request that changes nothing (a page view, a refusal) writes nothing.
				if (!result.ledgerChange) return result;
				const put = await store.putReviewState(key, result.ledgerChange as unknown as JsonValue, { expectedRevision: current.revision });
				if (put.ok) return result;
				if (attempt >= MAX_LEDGER_ATTEMPTS) {
					throw new Error(
						`Review state of execution ${key.executionId} (node "${key.nodeName}") kept changing under ${MAX_LEDGER_ATTEMPTS} attempts to update it; try again.`,
					);
				}
				await new Promise((resolve) => setTimeout(resolve, Math.random() * 5 * attempt));
				current = await read();
			}
		},
		async audit(events) {
			// In order, one statement each: `decided` follows `answered` in the trail.
			for (const { event, actor, detail, idempotencyKey } of events) {
				await store.appendAudit({
					executionId: key.executionId,
					nodeName: key.nodeName,
					event,
					actor,
					detail,
					...(idempotencyKey ? { idempotencyKey } : {}),
				});
			}
		},
	};
}
