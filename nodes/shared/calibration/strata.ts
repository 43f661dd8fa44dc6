/**
 * Score strata: the store bins by whole percent; estimation groups them in bands of
 * STRATUM_PERCENT points, per model and prompt version.
 */
import type { RoutedBin } from '../store/types';

/** Width of a score stratum in percent points: 50 strata, thresholds at 0, 0.02, … 0.98. */
export const STRATUM_PERCENT = 2;
export const STRATUM_COUNT = 100 / STRATUM_PERCENT;

/**
 * One confidence percent of a stratum (the store's bin): the calibration model fits on these, so
 * that a threshold can sit on any percent and no score is moved to its stratum's centre.
 */
export type ScoreCell = Pick<RoutedBin, 'percent' | 'routed' | 'labelled' | 'weight' | 'weightSquared' | 'weightApproved'>;

export interface Stratum {
	/** The stratum covers [lower, lower + STRATUM_PERCENT/100); the last one includes 1. */
	lower: number;
	routed: number;
	labelled: number;
	weight: number;
	weightSquared: number;
	weightApproved: number;
	weightSquaredApproved: number;
	/** Its percents, in increasing order (absent on strata built by hand: the model then uses the stratum's centre). */
	cells?: ScoreCell[];
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
		cells: [] as ScoreCell[],
	}));
	for (const bin of bins) {
		const stratum = strata[stratumIndex(bin.percent / 100)];
		stratum.routed += bin.routed;
		stratum.labelled += bin.labelled;
		stratum.weight += bin.weight;
		stratum.weightSquared += bin.weightSquared;
		stratum.weightApproved += bin.weightApproved;
		stratum.weightSquaredApproved += bin.weightSquaredApproved;
		const percent = Math.min(100, Math.max(0, Math.floor(bin.percent)));
		const cells = stratum.cells!;
		let cell = cells.find((candidate) => candidate.percent === percent);
		if (!cell) {
			cell = { percent, routed: 0, labelled: 0, weight: 0, weightSquared: 0, weightApproved: 0 };
			cells.push(cell);
		}
		cell.routed += bin.routed;
		cell.labelled += bin.labelled;
		cell.weight += bin.weight;
		cell.weightSquared += bin.weightSquared;
		cell.weightApproved += bin.weightApproved;
	}
	for (const stratum of strata) stratum.cells!.sort((a, b) => a.percent - b.percent);
	return strata;
}

export function stratumIndex(score: number): number {
	return Math.min(STRATUM_COUNT - 1, Math.max(0, Math.floor((score * 100 + 1e-9) / STRATUM_PERCENT)));
}
