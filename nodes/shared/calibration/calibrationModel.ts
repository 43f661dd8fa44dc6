/**
 * A calibration model that borrows strength across scores: P(acceptable | score) = σ(α + β·logit(score))
 * (Platt scaling), fitted by maximum likelihood on the confidence percents from the floor up. The
 * stratified estimate uses only the labels above a threshold — mostly audit samples, a few percent
 * of the confident drafts — so its bound is wide; the model also learns from the many labelled
 * drafts just below, which is what lets the threshold come down without auditing most drafts.
 * estimatePrecision.ts uses it only where the stratified (model-free) estimate does not contradict it.
 *
 * Why this likelihood (and not one weighted by 1/π per draft): the gate picks drafts for review by
 * their score (and the time: the threshold of the day), never by their outcome, so *at a given
 * score* the labelled drafts are a random sample of the routed ones and P(acceptable | score) is
 * estimated without bias by the labels of that score alone. Scores are whole percents in the store,
 * so each percent is such a "given score". Weighting by 1/π only matters where scores of different
 * selection probabilities are pooled (the strata of the model-free estimate); here it would only
 * add variance: an audit sample at π = 5 % would count as twenty drafts. A percent whose labels
 * came at different π (the threshold moved) enters with Kish's effective size n = (Σw)²/Σw² and
 * the Hájek share Σw·y/Σw, which for one π are the plain count and share.
 *
 * No pseudo-counts: half a success and half a failure per percent (or per stratum, weighted by an
 * audit's 1/π, as before) pulls every confident percent towards 0.5 — at the top, where the
 * threshold is decided, that made precision look 0.01–0.05 lower than it is (bench/gate).
 * All-approved data (perfect separation) has no finite fit: then no model.
 *
 * The covariance is the inverse Fisher information of the binomial likelihood. Checked by
 * simulation (the base model of bench/gate, 3,000 drafts, threshold 0.86, 5 % audits, 300 seeds):
 * the estimate of the precision above 0.84–0.92 is unbiased to 0.0006 and its one-sided 95 %
 * bound covers the truth in 92–93 % of the seeds; the Wilson form of the bound adds a little.
 *
 * Pure.
 */
import { STRATUM_PERCENT, type ScoreCell, type Stratum } from './strata';

export interface CalibrationFit {
	intercept: number;
	slope: number;
	/** Covariance of (intercept, slope): [var α, cov, var β]. */
	covariance: [number, number, number];
	/** Labelled drafts the fit used. */
	labelled: number;
}

const sigmoid = (value: number) => 1 / (1 + Math.exp(-value));

/** The logit of a score in percent, the scores 0 and 1 taken as 0.005 and 0.995. */
export function percentLogit(percent: number): number {
	const score = Math.min(0.995, Math.max(0.005, percent / 100));
	return Math.log(score / (1 - score));
}

/** The percents of a stratum; a stratum built without them stands as one cell at its centre. */
export function cellsOf(stratum: Stratum): ScoreCell[] {
	if (stratum.cells) return stratum.cells;
	return [
		{
			percent: stratum.lower * 100 + STRATUM_PERCENT / 2,
			routed: stratum.routed,
			labelled: stratum.labelled,
			weight: stratum.weight,
			weightSquared: stratum.weightSquared,
			weightApproved: stratum.weightApproved,
		},
	];
}

/** Every percent from stratum `from` up, in increasing order. */
export function cellsFrom(strata: readonly Stratum[], from: number): ScoreCell[] {
	const cells: ScoreCell[] = [];
	for (let index = from; index < strata.length; index++) cells.push(...cellsOf(strata[index]));
	return cells;
}

/**
 * Fits α, β on the labelled percents from stratum `from` up. Undefined when fewer than two percents
 * have labels, or the likelihood has no finite maximum (e.g. every label an approval).
 */
export function fitCalibration(strata: readonly Stratum[], from: number): CalibrationFit | undefined {
	const rows: { x: number; trials: number; approved: number }[] = [];
	let labelled = 0;
	for (const cell of cellsFrom(strata, from)) {
		if (cell.labelled === 0 || !(cell.weight > 0) || !(cell.weightSquared > 0)) continue;
		const trials = (cell.weight * cell.weight) / cell.weightSquared;
		rows.push({ x: percentLogit(cell.percent), trials, approved: (trials * cell.weightApproved) / cell.weight });
		labelled += cell.labelled;
	}
	if (rows.length < 2) return undefined;
	let intercept = 0;
	let slope = 1;
	for (let iteration = 0; iteration < 100; iteration++) {
		const { g0, g1, h00, h01, h11 } = derivatives(rows, intercept, slope);
		const det = h00 * h11 - h01 * h01;
		if (!(det > 1e-12)) return undefined;
		const step0 = (h11 * g0 - h01 * g1) / det;
		const step1 = (h00 * g1 - h01 * g0) / det;
		intercept += step0;
		slope += step1;
		if (!Number.isFinite(intercept) || !Number.isFinite(slope) || Math.abs(slope) > 50) return undefined;
		if (Math.abs(step0) + Math.abs(step1) < 1e-10) {
			const at = derivatives(rows, intercept, slope);
			const atDet = at.h00 * at.h11 - at.h01 * at.h01;
			if (!(atDet > 1e-12)) return undefined;
			return { intercept, slope, covariance: [at.h11 / atDet, -at.h01 / atDet, at.h00 / atDet], labelled };
		}
	}
	return undefined;
}

/** Score and Fisher information of the binomial log-likelihood. */
function derivatives(rows: readonly { x: number; trials: number; approved: number }[], intercept: number, slope: number) {
	let g0 = 0;
	let g1 = 0;
	let h00 = 0;
	let h01 = 0;
	let h11 = 0;
	for (const row of rows) {
		const p = sigmoid(intercept + slope * row.x);
		const residual = row.approved - row.trials * p;
		const curvature = row.trials * p * (1 - p);
		g0 += residual;
		g1 += residual * row.x;
		h00 += curvature;
		h01 += curvature * row.x;
		h11 += curvature * row.x * row.x;
	}
	return { g0, g1, h00, h01, h11 };
}

/**
 * The model's precision of every routed draft at or above `fromPercent`, Σ Nₛ σ(ηₛ) / Σ Nₛ over
 * the percents s, and its variance by the delta method.
 */
export function modelPrecisionAbove(
	cells: readonly ScoreCell[],
	fromPercent: number,
	fit: CalibrationFit,
): { estimate: number; variance: number; routed: number; labelled: number } | undefined {
	let routed = 0;
	let labelled = 0;
	let sum = 0;
	let g0 = 0;
	let g1 = 0;
	for (const cell of cells) {
		if (cell.percent < fromPercent - 1e-9 || cell.routed === 0) continue;
		const x = percentLogit(cell.percent);
		const p = sigmoid(fit.intercept + fit.slope * x);
		routed += cell.routed;
		labelled += cell.labelled;
		sum += cell.routed * p;
		g0 += cell.routed * p * (1 - p);
		g1 += cell.routed * p * (1 - p) * x;
	}
	if (routed === 0) return undefined;
	g0 /= routed;
	g1 /= routed;
	const [v00, v01, v11] = fit.covariance;
	return { estimate: sum / routed, variance: g0 * g0 * v00 + 2 * g0 * g1 * v01 + g1 * g1 * v11, routed, labelled };
}
