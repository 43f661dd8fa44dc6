/**
 * Review-SLA figures (issue 15): does the team keep its respond-within promise? Computed from the
 * store's rows of the reviews requested in the reported period (pending reviews, the audit
 * trail's `answered` lines, the SLA steps emitted), all of them, overall, per priority and per
 * reviewer. Pure: the store reads the rows, this counts.
 *
 * Definitions (also in the node's README, "SLA figures"):
 * - first answer: the review's earliest `answered` audit line (any reviewer, the shared link too);
 * - within target: the first answer came at or before the review's respond-by time. A review
 *   counts as missed when its first answer came later, or when its target passed without an
 *   answer (still pending, expired or cancelled after the target). A review whose target has not
 *   passed and that has no answer yet, or that was closed unanswered before its target, has no
 *   verdict yet and is left out of the share (counted as `open`);
 * - the share's interval: the Wilson score bounds at the package's one confidence level (each a
 *   one-sided 95 % bound, z = 1.645, so the two together form a 90 % interval), treating the
 *   judged reviews as independent trials with one probability of being answered in time;
 * - time to first answer: first answer − request; time to decision: decision − request, over the
 *   decided reviews; both as nearest-rank percentiles (the value at rank ⌈p·n/100⌉), exact;
 * - overdue now: pending reviews whose target passed before now and whose hard deadline (Time
 *   Limit) has not — from every pending review of the store (of the Workflow ID filter when set),
 *   not only those of the period, because an overdue review is today's problem however old;
 * - per reviewer: their own answers — time from request to their answer, and whether it came at
 *   or before the target; time to decision over the reviews they answered; overdue now over the
 *   reviews that name them or that they have claimed.
 */
import { wilsonLowerBound, wilsonUpperBoundOfShare } from '../shared/calibration/wilsonBound';
import { priorityName, type PriorityName } from '../shared/reviewPriority';
import type { OverdueReview, SlaReviewFacts } from '../shared/store/reviewSlaTypes';

export interface DurationFigures {
	count: number;
	p50Ms: number | null;
	p90Ms: number | null;
}

export interface WithinTargetFigures {
	/** Reviews with a verdict: met + missed. */
	judged: number;
	met: number;
	missed: number;
	/** No verdict yet: target not passed and no answer (or closed unanswered before it). */
	open: number;
	share: number | null;
	/** One-sided 95 % Wilson bounds on the share (together a 90 % interval); null without a judged review. */
	lowerBound: number | null;
	upperBound: number | null;
}

export interface SlaGroupFigures {
	/** Reviews requested in the period. */
	reviews: number;
	/** Of them, with a respond-within target. */
	withTarget: number;
	withinTarget: WithinTargetFigures;
	timeToFirstAnswer: DurationFigures;
	timeToDecision: DurationFigures;
	overdueNow: number;
}

export interface SlaReviewerFigures {
	reviewerId: string;
	name: string;
	/** Reviews they answered (of the period). */
	answered: number;
	/** Their answers to reviews with a target: at or before it (met) or after (missed). */
	withinTarget: WithinTargetFigures;
	timeToAnswer: DurationFigures;
	timeToDecision: DurationFigures;
	overdueNow: number;
}

export interface SlaFigures extends SlaGroupFigures {
	/** How many reviews each SLA step was emitted for (the Review SLA Trigger's reminders, overdue notices, escalations). */
	steps: { reminder: number; overdue: number; escalated: number };
	byPriority: (SlaGroupFigures & { priority: number; name: PriorityName })[];
	byReviewer: SlaReviewerFigures[];
}

/** Nearest-rank percentile: the value at rank ⌈p·n/100⌉ of the sorted values (the store's definition too). */
function nearestRank(sorted: readonly number[], percent: number): number | null {
	if (!sorted.length) return null;
	return sorted[Math.max(1, Math.ceil((sorted.length * percent) / 100)) - 1];
}

export function durationFigures(values: readonly number[]): DurationFigures {
	const sorted = [...values].sort((a, b) => a - b);
	return { count: sorted.length, p50Ms: nearestRank(sorted, 50), p90Ms: nearestRank(sorted, 90) };
}

export function withinTargetFigures(met: number, missed: number, open: number): WithinTargetFigures {
	const judged = met + missed;
	const share = judged ? met / judged : null;
	return {
		judged,
		met,
		missed,
		open,
		share,
		lowerBound: share === null ? null : wilsonLowerBound(met, judged),
		upperBound: share === null ? null : wilsonUpperBoundOfShare(share, judged),
	};
}

type Verdict = 'met' | 'missed' | 'open';

/** Whether a response at `answeredMs` (undefined: none yet) kept the target of `review`. */
function verdictOf(review: SlaReviewFacts, answeredMs: number | undefined, nowMs: number): Verdict | undefined {
	if (review.respondByMs === null) return undefined;
	if (answeredMs !== undefined) return answeredMs <= review.respondByMs ? 'met' : 'missed';
	// Unanswered: missed once the target passed while the review could still be answered.
	const endMs = review.status === 'pending' ? nowMs : (review.closedMs ?? nowMs);
	return endMs > review.respondByMs ? 'missed' : 'open';
}

function groupFigures(reviews: readonly SlaReviewFacts[], overdueNow: number, nowMs: number): SlaGroupFigures {
	const verdicts = { met: 0, missed: 0, open: 0 };
	const firstAnswer: number[] = [];
	const decision: number[] = [];
	for (const review of reviews) {
		const first = review.answers[0]?.atMs;
		const verdict = verdictOf(review, first, nowMs);
		if (verdict) verdicts[verdict]++;
		if (first !== undefined) firstAnswer.push(Math.max(0, first - review.requestedMs));
		if (review.status === 'decided' && review.closedMs !== null) decision.push(Math.max(0, review.closedMs - review.requestedMs));
	}
	return {
		reviews: reviews.length,
		withTarget: reviews.filter((review) => review.respondByMs !== null).length,
		withinTarget: withinTargetFigures(verdicts.met, verdicts.missed, verdicts.open),
		timeToFirstAnswer: durationFigures(firstAnswer),
		timeToDecision: durationFigures(decision),
		overdueNow,
	};
}

function reviewerFigures(reviews: readonly SlaReviewFacts[], overdue: readonly OverdueReview[]): SlaReviewerFigures[] {
	const byId = new Map<string, { name: string; answered: Set<SlaReviewFacts>; times: number[]; met: number; missed: number; decision: number[] }>();
	const entry = (id: string, name: string) => {
		let found = byId.get(id);
		if (!found) byId.set(id, (found = { name, answered: new Set(), times: [], met: 0, missed: 0, decision: [] }));
		return found;
	};
	for (const review of reviews) {
		for (const answer of review.answers) {
			const name = answer.actor === 'link' ? 'shared link' : (review.reviewers.find((reviewer) => reviewer.id === answer.actor)?.name ?? answer.actor);
			const reviewer = entry(answer.actor, name);
			// One answer per reviewer and review (the ledger refuses a second): a repeated line is the same answer.
			if (reviewer.answered.has(review)) continue;
			reviewer.answered.add(review);
			reviewer.times.push(Math.max(0, answer.atMs - review.requestedMs));
			if (review.respondByMs !== null) reviewer[answer.atMs <= review.respondByMs ? 'met' : 'missed']++;
			if (review.status === 'decided' && review.closedMs !== null) reviewer.decision.push(Math.max(0, review.closedMs - review.requestedMs));
		}
	}
	const waitsFor = (review: OverdueReview, id: string) => review.claimedBy === id || review.reviewers.some((reviewer) => reviewer.id === id);
	const overdueOf = (id: string) => overdue.filter((review) => waitsFor(review, id)).length;
	for (const review of overdue) {
		for (const reviewer of review.reviewers) entry(reviewer.id, reviewer.name);
		if (review.claimedBy) entry(review.claimedBy, review.claimedBy);
	}
	// A claimant known only by id gets the name the reviews give them.
	const names = new Map([...reviews, ...overdue].flatMap((review) => review.reviewers.map((reviewer) => [reviewer.id, reviewer.name] as const)));
	return [...byId.entries()]
		.map(([reviewerId, figures]) => ({
			reviewerId,
			name: figures.name === reviewerId ? (names.get(reviewerId) ?? reviewerId) : figures.name,
			answered: figures.answered.size,
			withinTarget: withinTargetFigures(figures.met, figures.missed, 0),
			timeToAnswer: durationFigures(figures.times),
			timeToDecision: durationFigures(figures.decision),
			overdueNow: overdueOf(reviewerId),
		}))
		.sort((a, b) => b.answered - a.answered || a.reviewerId.localeCompare(b.reviewerId));
}

export function computeSlaFigures(reviews: readonly SlaReviewFacts[], overdue: readonly OverdueReview[], now: Date): SlaFigures {
	const nowMs = now.getTime();
	const priorities = [...new Set([...reviews.map((review) => review.priority), ...overdue.map((review) => review.priority)])].sort((a, b) => b - a);
	const steps = { reminder: 0, overdue: 0, escalated: 0 };
	for (const review of reviews) for (const step of review.steps) steps[step]++;
	return {
		...groupFigures(reviews, overdue.length, nowMs),
		steps,
		byPriority: priorities.map((priority) => ({
			priority,
			name: priorityName(priority),
			...groupFigures(
				reviews.filter((review) => review.priority === priority),
				overdue.filter((review) => review.priority === priority).length,
				nowMs,
			),
		})),
		byReviewer: reviewerFigures(reviews, overdue),
	};
}
