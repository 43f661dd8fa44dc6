/**
 * When a pending review crosses a step of its respond-within target (issue 15). Pure: the Review
 * SLA Trigger and Human Approval Wait (backup reviewers' links) both ask these rules, the store
 * only records which steps were emitted.
 *
 * - `reminder`: a share of the target elapsed (e.g. 75 % of 30 minutes: at 22.5 minutes);
 * - `overdue`: the target passed;
 * - `escalated`: the target passed plus a delay (0 = at the target), the moment backup reviewers
 *   are brought in.
 *
 * The rules, and why:
 * - Only a pending review gets steps: a review decided (or expired) between two polls needs no
 *   reminder, even when a step's time passed before the decision.
 * - A review without a target gets none.
 * - Each step once: steps already emitted (recorded in the store) are never due again.
 * - A reminder after the target passed says less than "overdue", so it is due only before the
 *   target and only while neither later step was emitted. That also covers clock skew between n8n
 *   processes: a poller whose clock lags behind the one that emitted "overdue" does not then send a
 *   reminder.
 * - Clock skew between the process that opened the review (its `requestedAt`) and the poller:
 *   times are only compared with the poller's "now", so a poller behind by a few seconds emits a
 *   step a few seconds late, never early and never twice. A target before the request time
 *   (a respond-within of 0, or skewed clocks) counts as a zero-length target: no reminder,
 *   overdue at once.
 */

export type SlaStep = 'reminder' | 'overdue' | 'escalated';

/** In the order a review crosses them. */
export const SLA_STEPS: readonly SlaStep[] = ['reminder', 'overdue', 'escalated'];

export interface SlaPolicy {
	/** The share of the target elapsed at which to remind, in (0, 1); undefined: no reminders. */
	reminderShare?: number;
	/** Emit `overdue` when the target passes. */
	overdue: boolean;
	/** Escalate this many ms after the target; undefined: no escalation. */
	escalateAfterMs?: number;
}

export interface SlaReviewFacts {
	status: string;
	requestedAt: string;
	/** The respond-within target as an ISO time; undefined: no target. */
	respondBy?: string;
}

export type SlaStepTimes = Partial<Record<SlaStep, number>>;

function parse(iso: string | undefined): number | undefined {
	if (!iso) return undefined;
	const value = Date.parse(iso);
	return Number.isFinite(value) ? value : undefined;
}

/** When each step of the policy falls for this review (ms since the epoch); {} without a target. */
export function slaStepTimes(review: Pick<SlaReviewFacts, 'requestedAt' | 'respondBy'>, policy: SlaPolicy): SlaStepTimes {
	const respondBy = parse(review.respondBy);
	if (respondBy === undefined) return {};
	const requested = parse(review.requestedAt) ?? respondBy;
	const target = Math.max(0, respondBy - requested);
	const times: SlaStepTimes = {};
	if (policy.reminderShare !== undefined && policy.reminderShare > 0 && policy.reminderShare < 1 && target > 0) {
		times.reminder = requested + Math.round(target * policy.reminderShare);
	}
	if (policy.overdue) times.overdue = respondBy;
	if (policy.escalateAfterMs !== undefined && policy.escalateAfterMs >= 0) times.escalated = respondBy + policy.escalateAfterMs;
	return times;
}

/** The steps this review crossed and has not had emitted, in order. */
export function dueSlaSteps(review: SlaReviewFacts, policy: SlaPolicy, nowMs: number, emitted: Iterable<SlaStep>): SlaStep[] {
	if (review.status !== 'pending') return [];
	const done = new Set(emitted);
	const times = slaStepTimes(review, policy);
	const respondBy = parse(review.respondBy);
	const due: SlaStep[] = [];
	for (const step of SLA_STEPS) {
		const at = times[step];
		if (at === undefined || done.has(step) || nowMs < at) continue;
		if (step === 'reminder') {
			// Superseded once the target passed or a later step went out (possibly from a process whose clock runs ahead).
			if (respondBy !== undefined && nowMs >= respondBy) continue;
			if (done.has('overdue') || done.has('escalated')) continue;
		}
		due.push(step);
	}
	return due;
}

/**
 * When a backup reviewer's link becomes valid: at the escalation (recorded by the Review SLA
 * Trigger), at the earliest at the review's target. Undefined without a target.
 */
export function earliestEscalation(review: Pick<SlaReviewFacts, 'respondBy'>): string | undefined {
	const respondBy = parse(review.respondBy);
	return respondBy === undefined ? undefined : new Date(respondBy).toISOString();
}
