/**
 * How precise would auto-send be at a threshold? An estimate of the share of *all* drafts at or
 * above it that a reviewer would accept unchanged — not of the labelled ones, which the gate picked
 * (every doubtful draft, a small share of the confident ones).
 *
 * Method (post-stratified inverse-propensity, "Hájek", estimator; nodes/ConfidenceGate/README.md states it in full):
 * - Strata are score bands of STRATUM_PERCENT points. Within a stratum, a labelled draft counts
 *   with weight 1/π, π being the probability the gate sent it to a person (1 below the threshold
 *   of the day, the audit rate above). p̂ₛ = Σ y/π / Σ 1/π estimates P(acceptable | stratum) over
 *   every draft the gate routed there, even when the threshold and audit rate changed over time.
 * - Precision at or above t weights each stratum by how many drafts were *routed* there:
 *   P̂(t) = Σ Nₛ p̂ₛ / Σ Nₛ over strata ≥ t. A stratum without a label borrows the estimate of the
 *   nearest labelled stratum below it (assumption: acceptability does not fall as the score rises).
 * - Bound: the stratified variance Σ (Nₛ/N)² p̃ₛ(1−p̃ₛ)/n_effₛ (Kish effective size
 *   n_eff = (Σw)²/Σw², p̃ smoothed by half a success so a stratum of all-approved drafts is not
 *   certain) gives an effective sample size n* = p̃(1−p̃)/Var, and the one-sided Wilson bound of
 *   P̂(t) over n* (Korn & Graubard's design-effect Wilson interval). With one stratum and π = 1 it
 *   is exactly the ordinary Wilson bound.
 *
 * Assumptions: labels are missing at random within a stratum given π (time-outs and escalations
 * are not labels); π is recorded correctly by the gate; reviewers' "approved unchanged" is the truth.
 *
 * Pure: no store, no n8n.
 */
import { cellsFrom, fitCalibration, modelPrecisionAbove, type CalibrationFit } from './calibrationModel';
import { STRATUM_PERCENT, stratumIndex, type Stratum } from './strata';
import { wilsonLowerBoundOfShare, wilsonUpperBoundOfShare, Z_ONE_SIDED_95 } from './wilsonBound';

/** One stratum's acceptability estimate: p̂ (Hájek), its smoothed p̃ and effective sample size. */
export interface StratumEstimate {
	estimate: number;
	smoothed: number;
	effective: number;
}

export function estimateStratum(stratum: Stratum): StratumEstimate | undefined {
	if (stratum.labelled === 0 || !(stratum.weight > 0)) return undefined;
	const estimate = stratum.weightApproved / stratum.weight;
	const effective = (stratum.weight * stratum.weight) / stratum.weightSquared;
	return { estimate, smoothed: (estimate * effective + 0.5) / (effective + 1), effective };
}

export interface PrecisionEstimate {
	threshold: number;
	/** P̂(t): estimated share acceptable among all routed drafts at or above t. */
	estimate: number;
	/** One-sided lower bound at the z given (95 % by default). */
	lowerBound: number;
	/** Labelled drafts at or above t, and their effective number after weighting. */
	labelled: number;
	effective: number;
	/** Routed drafts at or above t (labelled or not). */
	routed: number;
	/** The sample size the bound is worth (n* of the Wilson bound). */
	boundSize: number;
	/** `stratified`: the model-free estimate; `model`: the calibration model (calibrationModel.ts). */
	method: 'stratified' | 'model';
}

/**
 * P̂ and its lower bound for the drafts at or above the lower edge of stratum `from`; undefined when
 * that stratum has no label (nothing below it to borrow from within the range).
 */
export function precisionAbove(strata: readonly Stratum[], from: number, z = Z_ONE_SIDED_95): PrecisionEstimate | undefined {
	let current = estimateStratum(strata[from]);
	if (!current) return undefined;
	const groups: { routed: number; estimate: StratumEstimate }[] = [];
	let routed = 0;
	let labelled = 0;
	for (let index = from; index < strata.length; index++) {
		const own = estimateStratum(strata[index]);
		if (own) {
			current = own;
			groups.push({ routed: 0, estimate: own });
		}
		groups[groups.length - 1].routed += strata[index].routed;
		routed += strata[index].routed;
		labelled += strata[index].labelled;
	}
	// Labelled drafts are routed drafts too, so routed > 0 whenever a label exists.
	let estimate = 0;
	let smoothed = 0;
	let variance = 0;
	let effective = 0;
	for (const group of groups) {
		const share = group.routed / routed;
		estimate += share * group.estimate.estimate;
		smoothed += share * group.estimate.smoothed;
		variance += (share * share * group.estimate.smoothed * (1 - group.estimate.smoothed)) / group.estimate.effective;
		effective += group.estimate.effective;
	}
	const effectiveN = (smoothed * (1 - smoothed)) / variance;
	return {
		threshold: strata[from].lower,
		estimate,
		lowerBound: wilsonLowerBoundOfShare(Math.min(1, estimate), effectiveN, z),
		labelled,
		effective,
		routed,
		boundSize: effectiveN,
		method: 'stratified',
	};
}

export interface LearnSettings {
	/** Target precision of what goes out alone, e.g. 0.95. */
	targetPrecision: number;
	/** Labelled drafts needed at or above a threshold before it can be learned. */
	minLabelled: number;
	/** No threshold below this is learned. */
	floor: number;
	z?: number;
}

export type LearnedThreshold =
	| ({
			status: 'learned';
			/**
			 * Learned on the stratified bound, and the calibration model's bound reaches the target at
			 * the same threshold too (the reason quotes the model-free one). The audit rate then need not
			 * feed the stratified bound: the model already supports the threshold.
			 */
			modelAgrees?: true;
	  } & PrecisionEstimate)
	| { status: 'insufficientData'; labelled: number; minLabelled: number }
	| { status: 'unreachable'; labelled: number; best?: PrecisionEstimate };

/**
 * The lowest threshold, not below the floor, whose lower bound meets the target. Never a laxer
 * fallback: the caller applies its strictest setting unless the status is `learned`.
 *
 * Two kinds of candidate:
 * - a stratum edge, on the stratified (model-free) bound, with at least `minLabelled` labelled
 *   drafts at or above it;
 * - any confidence percent, on the calibration model's bound (calibrationModel.ts, fitted on the
 *   percents from the floor up, on at least `minLabelled` labelled drafts), which is far tighter
 *   because it also learns from the labels below the candidate. The model's is used only where the
 *   stratified estimate of the stratum holding the candidate does not contradict the target — its
 *   one-sided 95 % upper bound reaches it — so a model that misfits the confident drafts cannot
 *   talk the gate into a threshold their own labels refute.
 */
export function learnThreshold(strata: readonly Stratum[], settings: LearnSettings): LearnedThreshold {
	const z = settings.z ?? Z_ONE_SIDED_95;
	const labelledTotal = strata.reduce((sum, stratum) => sum + stratum.labelled, 0);
	const lowest = stratumIndex(settings.floor) + (strata[stratumIndex(settings.floor)].lower < settings.floor - 1e-9 ? 1 : 0);
	const fit = calibrationFitFrom(strata, settings.floor);
	const usableFit = fit && fit.labelled >= settings.minLabelled ? fit : undefined;
	const cells = cellsFrom(strata, lowest);
	const floorPercent = Math.ceil(settings.floor * 100 - 1e-9);
	let learned: PrecisionEstimate | undefined;
	let best: PrecisionEstimate | undefined;
	// Thresholds (in percent) where the model's bound reaches the target.
	const modelMeets = new Set<number>();
	let enough = usableFit !== undefined;
	const consider = (candidate: PrecisionEstimate) => {
		if (!best || candidate.lowerBound > best.lowerBound) best = candidate;
		if (candidate.method === 'model' && candidate.lowerBound >= settings.targetPrecision) modelMeets.add(Math.round(candidate.threshold * 100));
		// The lowest threshold wins; at the same threshold the first found, the model-free one, whose
		// reason rests on fewer assumptions.
		if (candidate.lowerBound >= settings.targetPrecision && (!learned || candidate.threshold < learned.threshold - 1e-9)) learned = candidate;
	};
	for (let index = strata.length - 1; index >= lowest; index--) {
		const stratified = precisionAbove(strata, index, z);
		if (stratified && stratified.labelled >= settings.minLabelled) {
			enough = true;
			consider(stratified);
		}
		if (!usableFit || !stratified) continue;
		// The guard: the labels of this stratum and above do not refute the target.
		if (wilsonUpperBoundOfShare(Math.min(1, stratified.estimate), stratified.boundSize, z) < settings.targetPrecision) continue;
		const top = index === strata.length - 1 ? 100 : Math.round((strata[index].lower + STRATUM_PERCENT / 100) * 100) - 1;
		for (let percent = top; percent >= Math.max(Math.round(strata[index].lower * 100), floorPercent); percent--) {
			// Only a percent some routed draft sits on: below one, the next lower threshold sends
			// nothing more out alone, and would extrapolate into a range never seen.
			if (!cells.some((cell) => cell.percent === percent && cell.routed > 0)) continue;
			const model = modelPrecisionAbove(cells, percent, usableFit);
			if (!model || !(model.variance > 0)) continue;
			const boundSize = (model.estimate * (1 - model.estimate)) / model.variance;
			const lowerBound = wilsonLowerBoundOfShare(model.estimate, boundSize, z);
			const candidate: PrecisionEstimate = {
				threshold: percent / 100,
				estimate: model.estimate,
				lowerBound,
				labelled: model.labelled,
				effective: stratified.effective,
				routed: model.routed,
				boundSize,
				method: 'model',
			};
			consider(candidate);
		}
	}
	if (learned) {
		const found = learned as PrecisionEstimate;
		const modelAgrees = found.method === 'stratified' && modelMeets.has(Math.round(found.threshold * 100));
		return { status: 'learned', ...found, ...(modelAgrees && { modelAgrees: true as const }) };
	}
	if (!enough) return { status: 'insufficientData', labelled: labelledTotal, minLabelled: settings.minLabelled };
	return { status: 'unreachable', labelled: labelledTotal, best };
}

export interface AuditSettings {
	/** The user's floor, in [0, 1]; while learning, never below MIN_LEARNING_AUDIT_RATE. */
	floor: number;
	targetPrecision: number;
	minLabelled: number;
	z?: number;
}

/** While the gate learns, some confident drafts must always be labelled, or the estimate above the threshold starves. */
export const MIN_LEARNING_AUDIT_RATE = 0.01;
/**
 * Auditing more than this share of confident drafts costs more reviews than a stricter threshold
 * would (bench/gate): past it, the threshold, not the audit rate, gives way.
 */
export const MAX_LEARNING_AUDIT_RATE = 0.25;

/**
 * The audit rate for drafts at or above the applied threshold: enough to keep about as many
 * labelled drafts above it in the window as its bound needs, spread over the drafts routed there
 * in the window; never below the floor, never above MAX_LEARNING_AUDIT_RATE (or the floor, if the
 * user set it higher).
 * - Learned on the stratified bound, which rests on the labels above the threshold only:
 *   n = 2·z²·P̂(1−P̂)/(P̂ − target)², at least minLabelled — many while the estimate is close to the
 *   target, few once it is clearly above.
 * - Learned on the calibration model, whose bound rests mostly on the labels below the threshold —
 *   or on the stratified bound where the model's bound reaches the target at the same threshold
 *   too: minLabelled, for the model-free check above the threshold and the drift detector. (Before
 *   issue 12's second follow-up the tie counted as "stratified" and asked for 300–700 labels above
 *   the threshold: bench/gate's audit rate jumped between 8 % and the 25 % cap from one run to the
 *   next as the tie came and went.)
 * - Nothing learned yet: minLabelled.
 */
export function auditRateFor(
	learned: LearnedThreshold,
	routedAboveThreshold: number,
	settings: AuditSettings,
): { rate: number; wanted: number } {
	const floor = Math.max(settings.floor, MIN_LEARNING_AUDIT_RATE);
	const z = settings.z ?? Z_ONE_SIDED_95;
	let wanted = settings.minLabelled;
	if (learned.status === 'learned' && learned.method === 'stratified' && !learned.modelAgrees) {
		const slack = Math.max(learned.estimate - settings.targetPrecision, 0.005);
		wanted = Math.max(wanted, Math.ceil((2 * z * z * learned.estimate * (1 - learned.estimate)) / (slack * slack)));
	}
	const rate = routedAboveThreshold > 0 ? wanted / routedAboveThreshold : 1;
	return { rate: Math.max(floor, Math.min(MAX_LEARNING_AUDIT_RATE, rate)), wanted };
}

/** Routed drafts at or above a score, for the audit rate. */
export function routedAtOrAbove(strata: readonly Stratum[], threshold: number): number {
	let routed = 0;
	for (let index = stratumIndex(threshold); index < strata.length; index++) routed += strata[index].routed;
	return routed;
}

/**
 * The probability that a reviewer overrides (edits or rejects) a draft at this score, from the
 * calibration: 1 − p̃ of its stratum, or of the nearest labelled stratum below it. Undefined
 * when no stratum at or below has `minEffective` effective labels: no baseline to compare with.
 *
 * Not the calibration model's curve: tried (bench/gate, 3 seeds), a curve fitted on the first few
 * hundred labels misplaces the rare overrides of confident drafts, and the detector raised 7 false
 * alarms in 49,200 drafts without drift (1.4 per 10,000); with the strata, 0 (the same three seeds).
 */
export function expectedOverride(strata: readonly Stratum[], score: number, minEffective: number): number | undefined {
	for (let index = stratumIndex(score); index >= 0; index--) {
		const estimate = estimateStratum(strata[index]);
		if (estimate && estimate.effective >= minEffective) return 1 - estimate.smoothed;
	}
	return undefined;
}

/** The calibration model of a version's strata from the floor up, as learnThreshold fits it. */
export function calibrationFitFrom(strata: readonly Stratum[], floor: number): CalibrationFit | undefined {
	if (strata.length === 0) return undefined;
	const lowest = stratumIndex(floor) + (strata[stratumIndex(floor)].lower < floor - 1e-9 ? 1 : 0);
	return fitCalibration(strata, lowest);
}
