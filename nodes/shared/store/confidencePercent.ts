/**
 * The store bins confidence by whole percent, so calibration and threshold search are SQL
 * aggregates. floor(confidence × 100), guarded against 0.29 × 100 = 28.999…
 */
export function confidencePercent(confidence: number): number {
	return Math.min(100, Math.max(0, Math.floor(confidence * 100 + 1e-9)));
}
