/**
 * A review's priority, shown in the Review Inbox and on the review page and used to order the
 * inbox. Field guidance on human review: high-impact and regulatory cases first, then doubtful
 * drafts, then the random audit samples that only measure quality. Pure module.
 */
export const PRIORITY_LEVELS = { urgent: 4, high: 3, normal: 2, low: 1 } as const;
export type PriorityName = keyof typeof PRIORITY_LEVELS;

const NAMES: Record<number, PriorityName> = { 4: 'urgent', 3: 'high', 2: 'normal', 1: 'low' };

export function priorityName(level: number): PriorityName {
	return NAMES[Math.min(4, Math.max(1, Math.round(level)))];
}

interface ItemFacts {
	hitl?: {
		compliance?: { violations?: { severity?: string }[] };
		draft?: { riskFlags?: unknown[] };
		gate?: { sampledForAudit?: boolean; reasons?: { code?: string }[] };
	};
}

/**
 * From the item: a `block`-severity compliance finding or a risk flag → high; an audit sample
 * (and nothing else) → low; anything else a person must look at (low confidence…) → normal.
 */
export function derivePriority(json: unknown): number {
	const hitl = (json as ItemFacts | undefined)?.hitl;
	const blocking = (hitl?.compliance?.violations ?? []).some((violation) => violation?.severity === 'block');
	const flagged = (hitl?.draft?.riskFlags ?? []).length > 0 || (hitl?.gate?.reasons ?? []).some((reason) => reason?.code === 'RISK_FLAG');
	if (blocking || flagged) return PRIORITY_LEVELS.high;
	const codes = (hitl?.gate?.reasons ?? []).map((reason) => reason?.code);
	if (hitl?.gate?.sampledForAudit && codes.every((code) => code === 'AUDIT_SAMPLE')) return PRIORITY_LEVELS.low;
	return PRIORITY_LEVELS.normal;
}

/**
 * The Priority parameter's value: a name (urgent, high, normal, low) or a number 1–4; empty means
 * "derive it from the item". Anything else is undefined (the caller says what is wrong).
 */
export function readPriority(value: unknown): number | undefined | 'derive' {
	if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) return 'derive';
	if (typeof value === 'number') return Number.isInteger(value) && value >= 1 && value <= 4 ? value : undefined;
	const text = String(value).trim().toLowerCase();
	if (text in PRIORITY_LEVELS) return PRIORITY_LEVELS[text as PriorityName];
	const number = Number(text);
	return Number.isInteger(number) && number >= 1 && number <= 4 ? number : undefined;
}
