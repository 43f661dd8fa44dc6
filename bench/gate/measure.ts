/**
 * What the benchmark measures, per phase of a scenario, from the truth of the drafts and what the
 * gate did with them. Pure.
 *
 * - escalation: share of drafts not sent out alone (Review, audit samples included, and Block);
 * - auto-send precision by the truth: acceptable / auto-sent, with a 95 % Wilson interval;
 * - wrong auto-sends: auto-sent drafts that were not acceptable;
 * - alarms: the gate's drift alarm is `hitl.gate.breakerOpen` on each draft. A slice (an intent)
 *   "opens" at a draft of it with the alarm on when the previous draft of that slice had it off.
 *   Openings of several slices within one cluster window (the batch, at least 25 drafts) are one
 *   alarm — a workflow-wide alarm reaches every intent's next draft. An alarm is false when none of
 *   its slices drifts in that phase;
 * - detection delay: from the start of a drift to the first draft of the drifting slice with the
 *   alarm on, counted in drafts of that slice the reviewers saw (Review and audits) and in all
 *   drafts of that slice (cases);
 * - closing delay: from the end of a drift to the first draft of that slice with the alarm off.
 */
import { median as medianOf } from '../shared/stats';
import type { Draft, Phase, Scenario } from './scenarios';
import type { DraftOutcome } from './simulate';

export interface PhaseCounts {
	drafts: number;
	escalated: number;
	reviewed: number;
	/** Reviewed drafts the reviewer edited or rejected: the raw override rate a breaker may watch. */
	overridden: number;
	audits: number;
	auto: number;
	autoAcceptable: number;
	/** Alarm clusters that started in the phase, and those of them that were false. */
	alarms: number;
	falseAlarms: number;
	/** Drafts of the phase with the alarm on. */
	alarmOn: number;
	/** Thresholds applied to drafts outside the intent-threshold intent, for the median. */
	thresholds: number[];
	/** Drift phase: detection delay, or undefined when the alarm never came on for the slice in the phase. */
	detection?: { reviewed: number; cases: number };
	/** Whether this phase has a drift to detect. */
	hasDrift: boolean;
	/** Recovery phase: drafts of the slice until the alarm was off, or undefined when it stayed on. */
	closing?: { cases: number };
	hasRecovery: boolean;
}

export const z95 = 1.959964;

/** Wilson score interval for a binomial proportion. */
export function wilson(successes: number, trials: number, z = z95): { low: number; high: number } {
	if (trials === 0) return { low: 0, high: 1 };
	const p = successes / trials;
	const denominator = 1 + (z * z) / trials;
	const centre = p + (z * z) / (2 * trials);
	const margin = z * Math.sqrt((p * (1 - p)) / trials + (z * z) / (4 * trials * trials));
	return { low: (centre - margin) / denominator, high: (centre + margin) / denominator };
}

const inSlice = (draft: Draft, slice: 'all' | string | undefined) => slice === 'all' || draft.intent === slice;

function phaseRange(phase: Phase, total: number): [number, number] {
	return [Math.round(phase.from * total), Math.round(phase.to * total)];
}

interface Opening {
	index: number;
	intent: string;
}

/** Every draft where its slice's alarm went from off to on. */
function openings(stream: Draft[], outcomes: DraftOutcome[]): Opening[] {
	const last = new Map<string, boolean>();
	const found: Opening[] = [];
	for (const draft of stream) {
		const alarm = outcomes[draft.index].alarm;
		if (alarm && !last.get(draft.intent)) found.push({ index: draft.index, intent: draft.intent });
		last.set(draft.intent, alarm);
	}
	return found;
}

function clusters(found: Opening[], window: number): Opening[][] {
	const grouped: Opening[][] = [];
	for (const opening of found) {
		const current = grouped[grouped.length - 1];
		if (current && opening.index - current[0].index < window) current.push(opening);
		else grouped.push([opening]);
	}
	return grouped;
}

export function measurePhases(
	scenario: Scenario,
	stream: Draft[],
	outcomes: DraftOutcome[],
	options: { batchSize: number; intentThresholdIntent?: string; clusterWindow?: number },
): PhaseCounts[] {
	const total = stream.length;
	const alarmClusters = clusters(openings(stream, outcomes), options.clusterWindow ?? Math.max(options.batchSize, 25));
	return scenario.phases.map((phase) => {
		const [start, end] = phaseRange(phase, total);
		const counts: PhaseCounts = {
			drafts: 0,
			escalated: 0,
			reviewed: 0,
			overridden: 0,
			audits: 0,
			auto: 0,
			autoAcceptable: 0,
			alarms: 0,
			falseAlarms: 0,
			alarmOn: 0,
			thresholds: [],
			hasDrift: phase.drifting !== undefined,
			hasRecovery: phase.recoveredFrom !== undefined,
		};
		let sliceCases = 0;
		let sliceReviewed = 0;
		let closingCases = 0;
		for (let index = start; index < end; index++) {
			const draft = stream[index];
			const outcome = outcomes[index];
			counts.drafts++;
			if (outcome.route !== 'auto') counts.escalated++;
			if (outcome.route === 'review') {
				counts.reviewed++;
				if (draft.reviewerDecision !== 'approved') counts.overridden++;
			}
			if (outcome.sampledForAudit) counts.audits++;
			if (outcome.route === 'auto') {
				counts.auto++;
				if (draft.acceptable) counts.autoAcceptable++;
			}
			if (outcome.alarm) counts.alarmOn++;
			if (draft.intent !== options.intentThresholdIntent) counts.thresholds.push(outcome.threshold);

			if (phase.drifting !== undefined && counts.detection === undefined && inSlice(draft, phase.drifting)) {
				if (outcome.alarm) counts.detection = { reviewed: sliceReviewed, cases: sliceCases };
				else {
					sliceCases++;
					if (outcome.route === 'review') sliceReviewed++;
				}
			}
			if (phase.recoveredFrom !== undefined && counts.closing === undefined && inSlice(draft, phase.recoveredFrom)) {
				if (!outcome.alarm) counts.closing = { cases: closingCases };
				else closingCases++;
			}
		}
		for (const cluster of alarmClusters) {
			if (cluster[0].index < start || cluster[0].index >= end) continue;
			counts.alarms++;
			const drifting = phase.drifting;
			const coversDrift = drifting !== undefined && cluster.some((opening) => drifting === 'all' || opening.intent === drifting);
			if (!coversDrift && !phase.alarmsNotJudged) counts.falseAlarms++;
		}
		return counts;
	});
}

export interface Hindsight {
	/** The lowest threshold whose auto-sent drafts reach the target precision, or undefined: none does. */
	threshold?: number;
	escalated: number;
	auto: number;
	autoAcceptable: number;
	drafts: number;
}

/**
 * The best fixed threshold in hindsight for a phase: one threshold for every draft of the phase,
 * the one with the lowest escalation whose auto-sent drafts reach the target precision *by the
 * model's truth* — the mean of P(acceptable | score) over the drafts at or above it, which a
 * perfect knower of the phase's model would compute (the realised outcomes of a few hundred
 * drafts would reward luck at the top scores). No audit samples. When no threshold reaches the
 * target, everything is escalated. The realised precision of that threshold is reported beside it.
 */
export function bestFixedInHindsight(stream: Draft[], phase: Phase, target: number, intentRule?: { intent: string; threshold: number }): Hindsight {
	const [start, end] = phaseRange(phase, stream.length);
	const drafts = stream.slice(start, end);
	if (intentRule) return bestFixedUnderIntentRule(drafts, target, intentRule);
	const sorted = [...drafts].sort((x, y) => y.score - x.score);
	let best: Hindsight = { escalated: drafts.length, auto: 0, autoAcceptable: 0, drafts: drafts.length };
	let count = 0;
	let acceptable = 0;
	let expected = 0;
	for (let index = 0; index < sorted.length; index++) {
		count++;
		expected += sorted[index].pAcceptable;
		if (sorted[index].acceptable) acceptable++;
		const lastOfScore = index === sorted.length - 1 || sorted[index + 1].score !== sorted[index].score;
		if (lastOfScore && expected / count >= target) {
			best = { threshold: sorted[index].score, escalated: drafts.length - count, auto: count, autoAcceptable: acceptable, drafts: drafts.length };
		}
	}
	return best;
}

/**
 * The same, for a gate that also has the user's intent threshold (the template's "refund at 0.95"):
 * drafts of that intent go out alone at a score ≥ max(t, its threshold), every other draft at
 * ≥ t. Every strategy run by the benchmark has that rule, so the hindsight it is compared with
 * gets it too: otherwise the comparison charges the learner for the user's rule (at the best
 * single threshold, the rule alone raises escalation by about 7 points). Scores are whole
 * percents, so t runs over 0, 0.01, … 1.
 */
function bestFixedUnderIntentRule(drafts: Draft[], target: number, rule: { intent: string; threshold: number }): Hindsight {
	let best: Hindsight = { escalated: drafts.length, auto: 0, autoAcceptable: 0, drafts: drafts.length };
	for (let percent = 100; percent >= 0; percent--) {
		const threshold = percent / 100;
		let count = 0;
		let acceptable = 0;
		let expected = 0;
		for (const draft of drafts) {
			const applied = draft.intent === rule.intent ? Math.max(threshold, rule.threshold) : threshold;
			if (draft.score < applied - 1e-9) continue;
			count++;
			expected += draft.pAcceptable;
			if (draft.acceptable) acceptable++;
		}
		if (count > 0 && expected / count >= target && drafts.length - count < best.escalated) {
			best = { threshold, escalated: drafts.length - count, auto: count, autoAcceptable: acceptable, drafts: drafts.length };
		}
	}
	return best;
}

/**
 * The threshold the gate applied over the stream, at each tenth of it: the median over the drafts
 * of that tenth outside the intent that has its own threshold. Shows when (and whether) a
 * threshold was learned and whether it follows the model.
 */
export function thresholdTrajectory(stream: Draft[], outcomes: DraftOutcome[], intentThresholdIntent?: string): (number | undefined)[] {
	const tenths: number[][] = Array.from({ length: 10 }, () => []);
	for (const draft of stream) {
		if (draft.intent === intentThresholdIntent) continue;
		tenths[Math.min(9, Math.floor((10 * draft.index) / stream.length))].push(outcomes[draft.index].threshold);
	}
	return tenths.map(median);
}

/**
 * Share of a phase's drafts that are not acceptable by the truth, realised and as the stated model
 * expects it (the mean of 1 − P(acceptable | score)): a check that the generator draws what the
 * scenario states.
 */
export function errorRate(stream: Draft[], phase: Phase): { realised: number; expected: number } {
	const [start, end] = phaseRange(phase, stream.length);
	const drafts = stream.slice(start, end);
	const n = Math.max(1, drafts.length);
	return {
		realised: drafts.filter((draft) => !draft.acceptable).length / n,
		expected: drafts.reduce((total, draft) => total + 1 - draft.pAcceptable, 0) / n,
	};
}

/** The median threshold of a phase, or undefined when it has none. */
export function median(values: number[]): number | undefined {
	return values.length === 0 ? undefined : medianOf(values);
}
