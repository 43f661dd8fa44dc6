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
 * The notices for the steps one poll won for a review, one per audience, in order: the reviewers
 * hear the furthest of reminder and overdue, the backup reviewers the escalation. A poll that
 * crosses the target and the escalation at once (escalating at the target, the default, or the
 * first poll after n8n was down) so tells the reviewers their review is overdue and brings in the
 * backups; one notice for both steps would have reached the backups only.
 */
export function slaNoticeSteps(won: readonly SlaStep[]): SlaStep[][] {
	const forReviewers = won.filter((step) => step !== 'escalated');
	const groups: SlaStep[][] = forReviewers.length ? [forReviewers] : [];
	if (won.includes('escalated')) groups.push(['escalated']);
	return groups;
}

/**
 * When a backup reviewer's link may become valid: at the escalation (recorded by the Review SLA
 * Trigger), which falls at the earliest at the review's target. Undefined without a target.
 */
export function earliestEscalation(review: Pick<SlaReviewFacts, 'respondBy'>): string | undefined {
	const respondBy = parse(review.respondBy);
	return respondBy === undefined ? undefined : new Date(respondBy).toISOString();
}

/**
 * Whether a backup reviewer may answer (issue 15, item 3): only once the review is escalated,
 * that is once the Review SLA Trigger recorded the `escalated` step in the store. Human Approval
 * Wait does not know the trigger's escalation delay, so before that it can only say "not before
 * the target" (`validFrom`); a review without a target is never escalated, so `validFrom` is absent.
 */
export type BackupAccess = { allowed: true; escalatedAt: string } | { allowed: false; validFrom?: string };

export function backupAccess(review: Pick<SlaReviewFacts, 'respondBy'>, escalatedAt: string | undefined): BackupAccess {
	if (escalatedAt) return { allowed: true, escalatedAt };
	const validFrom = earliestEscalation(review);
	return { allowed: false, ...(validFrom ? { validFrom } : {}) };
}

function span(ms: number): string {
	const minutes = Math.floor(ms / 60_000);
	const days = Math.floor(minutes / 1440);
	const hours = Math.floor((minutes % 1440) / 60);
	const rest = minutes % 60;
	if (days) return `${days} d ${hours} h`;
	if (hours) return `${hours} h ${rest} min`;
	return minutes ? `${minutes} min` : `${Math.floor(ms / 1000)} s`;
}

/**
 * The respond-within target as a reader sees it at `now`: "12 min left", "1 h 5 min left",
 * "overdue by 3 min". Plain text from the server (no script), rounded down as a countdown is,
 * so "1 min left" means at least one minute. Empty for a time that cannot be read.
 */
export function respondWithinText(respondBy: string, now: string): { text: string; overdue: boolean } {
	const ms = Date.parse(respondBy) - Date.parse(now);
	if (!Number.isFinite(ms)) return { text: '', overdue: false };
	if (ms <= 0) return { text: `overdue by ${span(-ms)}`, overdue: true };
	return { text: `${span(ms)} left`, overdue: false };
}
