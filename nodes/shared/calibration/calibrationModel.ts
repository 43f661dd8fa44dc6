/**
 * A calibration model that borrows strength across scores: P(acceptable | score) = σ(α + β·logit(score))
 * (Platt scaling), fitted by inverse-propensity-weighted maximum likelihood on the strata, with the
 * robust (sandwich) covariance of a weighted fit. The stratified estimate uses only the labels above
 * a threshold — mostly audit samples, a few percent of the confident drafts — so its bound is wide;
 * the model also learns from the many labelled drafts just below, which is what lets the threshold
 * come down without auditing most drafts. estimatePrecision.ts uses it only where the stratified
 * (model-free) estimate does not contradict it.
 *
 * Pure.
 */
import { STRATUM_PERCENT, type Stratum } from './strata';

export interface CalibrationFit {
	intercept: number;
	slope: number;
	/** Sandwich covariance of (intercept, slope): [var α, cov, var β]. */
	covariance: [number, number, number];
}

const sigmoid = (value: number) => 1 / (1 + Math.exp(-value));

/** logit of a stratum's centre score (0.01, 0.03, … 0.99). */
export function stratumLogit(index: number): number {
	const centre = (index * STRATUM_PERCENT + STRATUM_PERCENT / 2) / 100;
	return Math.log(centre / (1 - centre));
}

/**
 * Fits α, β on the labelled strata from `from` up. Each stratum adds half an effective success and
 * half a failure (as the stratified p̃ does), so all-approved strata do not push β to infinity.
 * Undefined when fewer than two labelled strata, or the fit does not converge.
 */
export function fitCalibration(strata: readonly Stratum[], from: number): CalibrationFit | undefined {
	const rows: { x: number; weight: number; approved: number; weightSquared: number; weightSquaredApproved: number }[] = [];
	for (let index = from; index < strata.length; index++) {
		const stratum = strata[index];
		if (stratum.labelled === 0 || !(stratum.weight > 0)) continue;
		const meanWeight = stratum.weightSquared / stratum.weight; // = W / n_eff
		rows.push({
			x: stratumLogit(index),
			weight: stratum.weight + meanWeight,
			approved: stratum.weightApproved + meanWeight / 2,
			weightSquared: stratum.weightSquared,
			weightSquaredApproved: stratum.weightSquaredApproved,
		});
	}
	if (rows.length < 2) return undefined;
	let intercept = 0;
	let slope = 1;
	for (let iteration = 0; iteration < 100; iteration++) {
		let g0 = 0;
		let g1 = 0;
		let h00 = 0;
		let h01 = 0;
		let h11 = 0;
		for (const row of rows) {
			const p = sigmoid(intercept + slope * row.x);
			const residual = row.approved - row.weight * p;
			const curvature = row.weight * p * (1 - p);
			g0 += residual;
			g1 += residual * row.x;
			h00 += curvature;
			h01 += curvature * row.x;
			h11 += curvature * row.x * row.x;
		}
		const det = h00 * h11 - h01 * h01;
		if (!(det > 1e-12)) return undefined;
		const step0 = (h11 * g0 - h01 * g1) / det;
		const step1 = (h00 * g1 - h01 * g0) / det;
		intercept += step0;
		slope += step1;
		if (!Number.isFinite(intercept) || !Number.isFinite(slope)) return undefined;
		if (Math.abs(step0) + Math.abs(step1) < 1e-10) return { intercept, slope, covariance: sandwich(rows, intercept, slope) };
	}
	return undefined;
}

/** H⁻¹ M H⁻¹, with M from the squared weights: Σ w²(y − p)² x xᵀ per stratum. */
function sandwich(
	rows: readonly { x: number; weight: number; weightSquared: number; weightSquaredApproved: number }[],
	intercept: number,
	slope: number,
): [number, number, number] {
	let h00 = 0;
	let h01 = 0;
	let h11 = 0;
	let m00 = 0;
	let m01 = 0;
	let m11 = 0;
	for (const row of rows) {
		const p = sigmoid(intercept + slope * row.x);
		const curvature = row.weight * p * (1 - p);
		h00 += curvature;
		h01 += curvature * row.x;
		h11 += curvature * row.x * row.x;
		const spread = row.weightSquaredApproved * (1 - p) * (1 - p) + (row.weightSquared - row.weightSquaredApproved) * p * p;
		m00 += spread;
		m01 += spread * row.x;
		m11 += spread * row.x * row.x;
	}
	const det = h00 * h11 - h01 * h01;
	// H⁻¹ = [h11, −h01; −h01, h00] / det
	const a = [h11 / det, -h01 / det, h00 / det];
	// C = A M A for symmetric 2×2 A = [a0 a1; a1 a2], M = [m00 m01; m01 m11]
	const am00 = a[0] * m00 + a[1] * m01;
	const am01 = a[0] * m01 + a[1] * m11;
	const am10 = a[1] * m00 + a[2] * m01;
	const am11 = a[1] * m01 + a[2] * m11;
	return [am00 * a[0] + am01 * a[1], am00 * a[1] + am01 * a[2], am10 * a[1] + am11 * a[2]];
}

/**
 * The model's precision of every routed draft from stratum `from` up, Σ Nₛ σ(ηₛ) / Σ Nₛ, and its
 * variance by the delta method.
 */
export function modelPrecisionAbove(strata: readonly Stratum[], from: number, fit: CalibrationFit): { estimate: number; variance: number } | undefined {
	let routed = 0;
	let sum = 0;
	let g0 = 0;
	let g1 = 0;
	for (let index = from; index < strata.length; index++) {
		const count = strata[index].routed;
		if (count === 0) continue;
		const x = stratumLogit(index);
		const p = sigmoid(fit.intercept + fit.slope * x);
		routed += count;
		sum += count * p;
		g0 += count * p * (1 - p);
		g1 += count * p * (1 - p) * x;
	}
	if (routed === 0) return undefined;
	g0 /= routed;
	g1 /= routed;
	const [v00, v01, v11] = fit.covariance;
	return { estimate: sum / routed, variance: g0 * g0 * v00 + 2 * g0 * g1 * v01 + g1 * g1 * v11 };
}
