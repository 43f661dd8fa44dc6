/**
 * The Confidence Gate's routing policy: given an item and the user's policy, decide whether the
 * item may go out on its own (auto), needs a person (review), or must not go out (block) — and
 * say why, in codes a dashboard can count and sentences a reviewer can read.
 *
 * Every step runs and adds its reasons; the route is the most severe one any step asked for
 * (block > review > auto). Reporting every reason, not just the first, is what lets a reviewer
 * see at once that an item was both low-confidence and mentioned a lawyer.
 *
 * Audit samples: a share of the items that would go out on their own is sent to a person anyway
 * (`sampledForAudit`). Reviewers' verdicts on them are the only unbiased measure of how good
 * automatic replies are — the Feedback Log's auto precision — since every other reviewed item
 * was picked for being doubtful.
 */
import { createHash } from 'node:crypto';

import {
	conditionHolds as fieldConditionHolds,
	conditionText as asText,
	CONDITION_OPERATORS,
	type ConditionOperator,
} from '../shared/conditions';
import { getFieldValue } from '../shared/fieldPath';
import type { Compliance, Gate, GateReason, GateRoute } from '../shared/itemContract';
import { percentText, type DriftState, type LearnedPolicy } from './learnFromReviews';

export type RuleRoute = Exclude<GateRoute, 'auto'>;

// The conditions' operators and what they mean are the package's, shared with Compliance Check.
export { CONDITION_OPERATORS, type ConditionOperator };

export interface FieldCondition {
	field: string;
	operator: ConditionOperator;
	/** Compared as a number for the ordering operators, as text otherwise; unused by exists/isTrue. */
	value: string;
	route: RuleRoute;
}

export interface GatePolicy {
	/** Minimum score for auto, in [0, 1]. */
	threshold: number;
	/** Thresholds that replace `threshold` for items of a given intent (matched case-insensitively). */
	intentThresholds: { intent: string; threshold: number }[];
	/** Route on `hitl.compliance` violations when the item has them. */
	useCompliance: boolean;
	riskFlagRules: { flag: string; route: RuleRoute }[];
	conditions: FieldCondition[];
	/** Share in [0, 1] of would-be-auto items sent to review as audit samples (0: none); a learned policy sets its own. */
	auditSampleRate: number;
	/** Shadow mode: decide as usual, but send every item to review, marked with what was decided. */
	shadow?: boolean;
}

/** What the shell has read off the item: the raw score value, the intent and the risk flags. */
export interface GateFacts {
	score: unknown;
	/** Where the score came from, for the reason text (a field path, or "expression"). */
	scoreSource: string;
	intent?: string;
	riskFlags: string[];
	compliance?: Compliance;
	/** The item's JSON, for the field conditions. */
	json: Record<string, unknown>;
	/** A number in [0, 1) drawn for this item; it is an audit sample when below the rate. */
	auditDraw: number;
	/** What was learned for the item's model and prompt version, when the gate learns its threshold. */
	learnedThreshold?: LearnedPolicy;
	/** The drift detector of the item's workflow and slice, when the gate watches for drift: open sends would-be-auto items to review. */
	drift?: DriftState;
	/** The item's slice (its intent by default), recorded for the detector. */
	slice?: string;
}

const SEVERITY: Record<GateRoute, number> = { auto: 0, review: 1, block: 2 };

/** Parses a score the way n8n data often carries it: a number, or a numeric string. */
export function parseScore(value: unknown): number | undefined {
	if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
	if (typeof value === 'string' && value.trim() !== '') {
		const parsed = Number(value);
		return Number.isFinite(parsed) ? parsed : undefined;
	}
	return undefined;
}

/**
 * The threshold for an item and how to name it. What learning decided — a learned threshold,
 * "nothing goes out alone" (`reviewAll`, reported as threshold 1) or the fixed Threshold as a start —
 * and an intent threshold the user set both apply: the stricter wins, so neither an intent nor the
 * absence of evidence ever loosens the gate. Without learning, an intent threshold replaces the
 * fixed Threshold.
 */
function thresholdFor(policy: GatePolicy, facts: GateFacts): { value: number; text: string; reviewAll: boolean } {
	const learned = facts.learnedThreshold;
	let base: { value: number; text: string; reviewAll: boolean };
	if (learned?.apply === 'learned' && learned.value !== undefined) {
		base = { value: learned.value, text: `${learned.value} (${learned.detail})`, reviewAll: false };
	} else if (learned?.apply === 'reviewAll') {
		base = { value: 1, text: learned.detail, reviewAll: true };
	} else {
		base = { value: policy.threshold, text: learned ? `${policy.threshold} (${learned.detail})` : `${policy.threshold}`, reviewAll: false };
	}
	if (facts.intent === undefined) return base;
	const wanted = facts.intent.trim().toLowerCase();
	const match = policy.intentThresholds.find((entry) => entry.intent.trim().toLowerCase() === wanted);
	if (!match) return base;
	const forIntent = { value: match.threshold, text: `${match.threshold} (the threshold for intent "${match.intent}")`, reviewAll: false };
	if (!learned) return forIntent;
	return base.reviewAll || base.value >= match.threshold ? base : forIntent;
}

/** Whether one field condition holds for the item: nodes/shared/conditions.ts says what each operator means. */
export function conditionHolds(json: Record<string, unknown>, condition: FieldCondition): boolean {
	return fieldConditionHolds(json, condition);
}

const OPERATOR_TEXT: Record<ConditionOperator, string> = {
	equals: 'equals',
	notEquals: 'does not equal',
	contains: 'contains',
	notContains: 'does not contain',
	greaterThan: '>',
	greaterThanOrEqual: '≥',
	lessThan: '<',
	lessThanOrEqual: '≤',
	exists: 'is set',
	notExists: 'is not set',
	isTrue: 'is true',
};

function describeCondition(condition: FieldCondition, json: Record<string, unknown>): string {
	const unary = ['exists', 'notExists', 'isTrue'].includes(condition.operator);
	const rule = `${condition.field} ${OPERATOR_TEXT[condition.operator]}${unary ? '' : ` ${condition.value}`}`;
	return `${rule} (value: ${asText(getFieldValue(json, condition.field)) || 'none'})`;
}

/**
 * The audit draw of a case: a number in [0, 1) from a hash of its case id, so a case is sampled
 * or not the same way on every run (a retried execution does not draw again) and the sampled
 * share still matches the rate over many cases.
 */
export function auditDrawFor(caseId: string): number {
	return createHash('sha256').update(caseId).digest().readUInt32BE(0) / 2 ** 32;
}

const ROUTE_LABEL: Record<GateRoute, string> = { auto: 'Auto (sent on its own)', review: 'Review', block: 'Block' };

/**
 * Decides the route of one item. Pure: same facts and policy, same answer.
 *
 * In shadow mode — a policy on trial — every item goes to a person, marked with the route the
 * policy would have taken. A draft it would have sent alone is then an audit sample of that
 * policy, so the Feedback Log's auto precision measures the policy before it sends anything.
 */
export function routeItem(facts: GateFacts, policy: GatePolicy): Gate {
	const decided = decideRoute(facts, policy);
	if (!policy.shadow) return decided;
	const wouldBe: GateRoute = decided.sampledForAudit ? 'auto' : decided.route;
	return {
		...decided,
		route: 'review',
		// In shadow mode every draft reaches a person: certain, whatever the policy would have done.
		...(decided.reviewProbability !== undefined && { reviewProbability: 1 }),
		shadow: true,
		shadowRoute: wouldBe,
		sampledForAudit: wouldBe === 'auto',
		reasons: [
			{
				code: 'SHADOW_MODE',
				detail: `Shadow mode: the gate would have routed this item to ${ROUTE_LABEL[wouldBe]}; while the policy is on trial, a person sees every item.`,
			},
			...decided.reasons,
		],
	};
}

function decideRoute(facts: GateFacts, policy: GatePolicy): Gate {
	const reasons: (GateReason & { route: GateRoute })[] = [];
	const ask = (route: GateRoute, code: string, detail: string) => reasons.push({ route, code, detail });

	if (policy.useCompliance && facts.compliance) {
		const bySeverity = (severity: 'block' | 'review') =>
			facts.compliance!.violations.filter((violation) => violation.severity === severity);
		const blocking = bySeverity('block');
		const reviewing = bySeverity('review');
		if (blocking.length > 0) {
			ask('block', 'COMPLIANCE_BLOCK', `Compliance found ${blocking.length} blocking issue(s): ${summarise(blocking)}`);
		}
		if (reviewing.length > 0) {
			ask('review', 'COMPLIANCE_REVIEW', `Compliance found ${reviewing.length} issue(s) to review: ${summarise(reviewing)}`);
		}
	}

	const threshold = thresholdFor(policy, facts);
	const score = parseScore(facts.score);
	const thresholdText = threshold.text;
	if (score === undefined) {
		const seen = facts.score === undefined || facts.score === null ? 'missing' : `not a number (${asText(facts.score)})`;
		ask('review', 'SCORE_MISSING', `The confidence score at ${facts.scoreSource} is ${seen}, so the item cannot go out on its own.`);
	} else if (score < 0 || score > 1) {
		ask('review', 'SCORE_OUT_OF_RANGE', `The confidence score ${score} is outside 0–1, so it cannot be trusted.`);
	} else if (threshold.reviewAll) {
		ask('review', 'NOT_LEARNED', `Confidence ${score}, but ${thresholdText}.`);
	} else if (score < threshold.value) {
		ask('review', 'LOW_CONFIDENCE', `Confidence ${score} is below the threshold ${thresholdText}.`);
	}

	const flags = new Set(facts.riskFlags.map((flag) => flag.trim().toLowerCase()));
	for (const rule of policy.riskFlagRules) {
		if (flags.has(rule.flag.trim().toLowerCase())) {
			ask(rule.route, 'RISK_FLAG', `The draft carries the risk flag "${rule.flag}".`);
		}
	}

	for (const condition of policy.conditions) {
		if (conditionHolds(facts.json, condition)) {
			ask(condition.route, 'CONDITION', `Condition matched: ${describeCondition(condition, facts.json)}.`);
		}
	}

	// Only these reasons are about the score: a draft any other step stopped is not in the
	// population whose precision learning estimates, so it carries no review probability.
	const scoreOnly = reasons.every((reason) => reason.code === 'LOW_CONFIDENCE' || reason.code === 'NOT_LEARNED');
	const route = reasons.reduce<GateRoute>((worst, reason) => (SEVERITY[reason.route] > SEVERITY[worst] ? reason.route : worst), 'auto');
	const drift = facts.drift;
	const auditRate = facts.learnedThreshold?.auditRate ?? policy.auditSampleRate;
	const gate = (finalRoute: GateRoute, finalReasons: GateReason[], reviewProbability: number | undefined, sampledForAudit = false): Gate => ({
		route: finalRoute,
		reasons: finalReasons,
		threshold: threshold.value,
		sampledForAudit,
		shadow: false,
		breakerOpen: drift?.open ?? false,
		...(reviewProbability !== undefined && { reviewProbability }),
		...(facts.slice !== undefined && { slice: facts.slice }),
	});
	if (route !== 'auto') return gate(route, reasons.map(({ code, detail }) => ({ code, detail })), scoreOnly ? 1 : undefined);

	const passed = `Confidence ${score} meets the threshold ${thresholdText} and no rule asked for a review`;
	if (drift?.open) {
		return gate('review', [{ code: 'BREAKER_OPEN', detail: `${passed}, but auto-send is paused: ${drift.detail}.` }], 1);
	}
	// Whether or not this draft is picked, the chance it had of being picked is its review probability.
	const auditText = facts.learnedThreshold ? facts.learnedThreshold.auditDetail : `${percentText(auditRate)} of such items`;
	if (facts.auditDraw < auditRate) {
		return gate('review', [{ code: 'AUDIT_SAMPLE', detail: `${passed}; picked at random (${auditText}) so a person can check how good automatic replies are.` }], auditRate, true);
	}
	return gate('auto', [{ code: 'AUTO_OK', detail: `${passed}.` }], auditRate);
}

function summarise(violations: Compliance['violations']): string {
	const shown = violations.slice(0, 3).map((violation) => `${violation.ruleId} (${violation.message})`);
	const more = violations.length > 3 ? ` and ${violations.length - 3} more` : '';
	return shown.join('; ') + more;
}
