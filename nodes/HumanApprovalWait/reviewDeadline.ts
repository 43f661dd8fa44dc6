/**
 * The review's deadline, and the small record execute() leaves for webhook().
 *
 * n8n gives a resumed node's webhook() the node's input items and parameters but not what its
 * execute() computed. The request time and deadline are kept in the execution's custom data
 * (`$execution.customData`, persisted with the execution, visible in n8n's execution list), so a
 * late submission can be refused even in the minute before n8n's wait tracker notices the timeout.
 */

export type DeadlineMode = 'none' | 'afterInterval' | 'atTime';
export type DeadlineUnit = 'minutes' | 'hours' | 'days';

const UNIT_MS: Record<DeadlineUnit, number> = { minutes: 60_000, hours: 3_600_000, days: 86_400_000 };

export interface DeadlineSettings {
	mode: DeadlineMode;
	amount?: number;
	unit?: DeadlineUnit;
	/** ISO date-time, for `atTime`. */
	dateTime?: string;
}

/** The deadline, `undefined` for none; throws an Error with a user-facing message when invalid. */
export function computeDeadline(now: Date, settings: DeadlineSettings): Date | undefined {
	if (settings.mode === 'none') return undefined;
	if (settings.mode === 'afterInterval') {
		const amount = Number(settings.amount);
		const unit = settings.unit ?? 'hours';
		if (!Number.isFinite(amount) || amount <= 0 || !(unit in UNIT_MS)) {
			throw new Error(`The review time limit must be a positive number of ${unit} (got ${String(settings.amount)})`);
		}
		return new Date(now.getTime() + amount * UNIT_MS[unit]);
	}
	const at = new Date(settings.dateTime ?? '');
	if (Number.isNaN(at.getTime())) throw new Error(`"Answer By" is not a date and time (got "${settings.dateTime ?? ''}")`);
	if (at.getTime() <= now.getTime()) throw new Error(`"Answer By" (${at.toISOString()}) is already in the past`);
	return at;
}

export interface ReviewTimes {
	requestedAt: string;
	deadline?: string;
}

/** The custom-data key of one node's review (letters, digits and `_` only, ≤ 50 characters). */
export function reviewTimesKey(nodeId: string): string {
	return `hitlReview_${nodeId.replace(/[^A-Za-z0-9]/g, '')}`.slice(0, 50);
}

export function encodeReviewTimes(times: ReviewTimes): string {
	return JSON.stringify({ r: times.requestedAt, ...(times.deadline ? { d: times.deadline } : {}) });
}

export function decodeReviewTimes(value: unknown): ReviewTimes | undefined {
	if (typeof value !== 'string') return undefined;
	try {
		const parsed = JSON.parse(value) as { r?: unknown; d?: unknown };
		if (typeof parsed.r !== 'string') return undefined;
		return { requestedAt: parsed.r, ...(typeof parsed.d === 'string' ? { deadline: parsed.d } : {}) };
	} catch {
		return undefined;
	}
}

export function isPastDeadline(times: ReviewTimes | undefined, now: Date): boolean {
	return times?.deadline !== undefined && now.getTime() >= new Date(times.deadline).getTime();
}
