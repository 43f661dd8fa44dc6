/**
 * Oversight metrics from the store's aggregates: how much goes out alone, how often reviewers
 * override the model, how long they take, who approves suspiciously fast, which rules fire.
 *
 * Definitions (also in the node's documentation):
 * - reviewed = decisions a human approved, edited or rejected (escalations and time-outs are not
 *   a verdict on the draft);
 * - override rate = (edited + rejected) / reviewed; rejection rate = rejected / reviewed;
 * - auto precision = approved / reviewed among the items the gate sampled for audit (items that
 *   would have gone out on their own, sent to a person instead);
 * - cost per escalated case = LLM cost of items routed to review / their number.
 */
import {
	ACCEPTED_DECISION,
	DECISION_OUTCOMES,
	isLabelledDecision,
	LABELLED_DECISIONS,
	OVERRIDE_DECISIONS,
	type DecisionOutcome,
} from '../shared/itemContract';
import type { DecisionStats, ReviewerStats } from '../shared/store/types';
import { wilsonLowerBound } from '../shared/calibration/wilsonBound';
import { isSelfDeclared } from './reviewerIdentity';

export interface MetricsOptions {
	/** Flag a reviewer when at least this share of their approvals were rubber stamps (default 0.5). */
	rubberStampShare?: number;
	rubberStampMs: number;
}

export interface ReviewerMetrics extends ReviewerStats {
	fastApprovalShare: number | null;
	rubberStamp: boolean;
	/** Answered through a shared link: told apart only by the name they typed, which nobody checked. */
	nameSelfDeclared: boolean;
}

export interface OversightMetrics {
	volume: number;
	byRoute: { auto: number; review: number; block: number; none: number };
	byDecision: Record<DecisionOutcome, number>;
	autoRate: number | null;
	escalationRate: number | null;
	blockRate: number | null;
	reviewed: number;
	overrideRate: number | null;
	rejectionRate: number | null;
	timeToDecision: { count: number; p50Ms: number | null; p90Ms: number | null };
	autoPrecision: { audited: number; approved: number; precision: number | null; lowerBound: number | null };
	/** `priced`: decisions that carried a cost (LLM Draft sets one only when its prices are set). */
	costUsd: { total: number; perCase: number | null; perEscalatedCase: number | null; priced: number };
	reviewers: ReviewerMetrics[];
	rules: { ruleId: string; hits: number; hitRate: number }[];
	overrideOverTime: { bucketStart: string; reviewed: number; overridden: number; overrideRate: number | null }[];
}

const ratio = (part: number, whole: number) => (whole > 0 ? part / whole : null);

export function computeMetrics(stats: DecisionStats, options: MetricsOptions): OversightMetrics {
	const byRoute = { auto: 0, review: 0, block: 0, none: 0 };
	const byDecision = Object.fromEntries(DECISION_OUTCOMES.map((decision) => [decision, 0])) as Record<DecisionOutcome, number>;
	let audited = 0;
	let auditedApproved = 0;
	let totalCost = 0;
	let reviewCost = 0;
	let priced = 0;
	for (const outcome of stats.outcomes) {
		byRoute[outcome.route ?? 'none'] += outcome.count;
		byDecision[outcome.decision] = (byDecision[outcome.decision] ?? 0) + outcome.count;
		totalCost += outcome.costUsd;
		priced += outcome.costCount;
		if (outcome.route === 'review') reviewCost += outcome.costUsd;
		if (outcome.sampledForAudit && isLabelledDecision(outcome.decision)) {
			audited += outcome.count;
			if (outcome.decision === ACCEPTED_DECISION) auditedApproved += outcome.count;
		}
	}
	const volume = stats.total;
	const countOf = (decisions: readonly DecisionOutcome[]) => decisions.reduce((sum, decision) => sum + byDecision[decision], 0);
	const reviewed = countOf(LABELLED_DECISIONS);
	const share = options.rubberStampShare ?? 0.5;
	return {
		volume,
		byRoute,
		byDecision,
		autoRate: ratio(byRoute.auto, volume),
		escalationRate: ratio(byRoute.review, volume),
		blockRate: ratio(byRoute.block, volume),
		reviewed,
		overrideRate: ratio(countOf(OVERRIDE_DECISIONS), reviewed),
		rejectionRate: ratio(byDecision.rejected, reviewed),
		timeToDecision: stats.timeToDecision,
		autoPrecision: {
			audited,
			approved: auditedApproved,
			precision: ratio(auditedApproved, audited),
			lowerBound: audited ? wilsonLowerBound(auditedApproved, audited) : null,
		},
		costUsd: { total: totalCost, perCase: ratio(totalCost, volume), perEscalatedCase: ratio(reviewCost, byRoute.review), priced },
		reviewers: stats.reviewers.map((reviewer) => {
			const fastApprovalShare = ratio(reviewer.fastApprovals, reviewer.approvals);
			return {
				...reviewer,
				fastApprovalShare,
				rubberStamp: fastApprovalShare !== null && reviewer.fastApprovals > 0 && fastApprovalShare >= share,
				nameSelfDeclared: isSelfDeclared(reviewer.reviewerId),
			};
		}),
		rules: stats.rules.map((rule) => ({ ...rule, hitRate: volume ? rule.hits / volume : 0 })),
		overrideOverTime: stats.overrideOverTime.map((bucket) => ({ ...bucket, overrideRate: ratio(bucket.overridden, bucket.reviewed) })),
	};
}
