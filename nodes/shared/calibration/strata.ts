/**
 * Score strata: the store bins by whole percent; estimation groups them in bands of
 * STRATUM_PERCENT points, per model and prompt version.
 */
import type { RoutedBin } from '../store/types';

/** Width of a score stratum in percent points: 50 strata, thresholds at 0, 0.02, … 0.98. */
export const STRATUM_PERCENT = 2;
export const STRATUM_COUNT = 100 / STRATUM_PERCENT;

export interface Stratum {
	/** The stratum covers [lower, lower + STRATUM_PERCENT/100); the last one includes 1. */
	lower: number;
	routed: number;
	labelled: number;
	weight: number;
	weightSquared: number;
	weightApproved: number;
	weightSquaredApproved: number;
}

/** Adds the store's per-percent bins into STRATUM_COUNT strata (of one model and prompt version). */
export function strataOf(bins: readonly Omit<RoutedBin, 'model' | 'promptVersion'>[]): Stratum[] {
	const strata: Stratum[] = Array.from({ length: STRATUM_COUNT }, (_, index) => ({
		lower: Math.round(index * STRATUM_PERCENT) / 100,
		routed: 0,
		labelled: 0,
		weight: 0,
		weightSquared: 0,
		weightApproved: 0,
		weightSquaredApproved: 0,
	}));
	for (const bin of bins) {
		const stratum = strata[stratumIndex(bin.percent / 100)];
		stratum.routed += bin.routed;
		stratum.labelled += bin.labelled;
		stratum.weight += bin.weight;
		stratum.weightSquared += bin.weightSquared;
		stratum.weightApproved += bin.weightApproved;
		stratum.weightSquaredApproved += bin.weightSquaredApproved;
	}
	return strata;
}

export function stratumIndex(score: number): number {
	return Math.min(STRATUM_COUNT - 1, Math.max(0, Math.floor((score * 100 + 1e-9) / STRATUM_PERCENT)));
}
