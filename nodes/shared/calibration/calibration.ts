/**
 * How well do the model's confidence scores match what reviewers did? Reliability bins, expected
 * calibration error (ECE) and Brier score per model and prompt version, from the store's
 * per-percent aggregates — a label is 1 when a human approved the draft unchanged, 0 when edited
 * or rejected.
 */
import type { ConfidenceBin } from '../store/types';
import { versionKey } from './learnedThresholds';
import { recommendThreshold, type RecommendOptions, type ThresholdRecommendation } from './recommendThreshold';

export interface ReliabilityBin {
	/** [lower, upper) of confidence; the last bin includes 1. */
	lower: number;
	upper: number;
	count: number;
	meanConfidence: number | null;
	accuracy: number | null;
}

export interface CalibrationReport {
	model: string | null;
	promptVersion: string | null;
	samples: number;
	accuracy: number | null;
	meanConfidence: number | null;
	expectedCalibrationError: number | null;
	brierScore: number | null;
	bins: ReliabilityBin[];
	recommendation?: ThresholdRecommendation;
}

export function calibrate(rows: readonly ConfidenceBin[], binCount = 10): Omit<CalibrationReport, 'model' | 'promptVersion'> {
	const bins = Array.from({ length: binCount }, (_, index) => ({ count: 0, correct: 0, sumConfidence: 0, index }));
	let samples = 0;
	let correct = 0;
	let sumConfidence = 0;
	let sumSquaredError = 0;
	for (const row of rows) {
		const index = Math.min(binCount - 1, Math.floor((row.percent * binCount) / 100));
		bins[index].count += row.count;
		bins[index].correct += row.correct;
		bins[index].sumConfidence += row.sumConfidence;
		samples += row.count;
		correct += row.correct;
		sumConfidence += row.sumConfidence;
		sumSquaredError += row.sumSquaredError;
	}
	const ece = samples
		? bins.reduce((sum, bin) => (bin.count ? sum + (bin.count / samples) * Math.abs(bin.correct / bin.count - bin.sumConfidence / bin.count) : sum), 0)
		: null;
	return {
		samples,
		accuracy: samples ? correct / samples : null,
		meanConfidence: samples ? sumConfidence / samples : null,
		expectedCalibrationError: ece,
		brierScore: samples ? sumSquaredError / samples : null,
		bins: bins.map((bin) => ({
			lower: bin.index / binCount,
			upper: (bin.index + 1) / binCount,
			count: bin.count,
			meanConfidence: bin.count ? bin.sumConfidence / bin.count : null,
			accuracy: bin.count ? bin.correct / bin.count : null,
		})),
	};
}

/**
 * One report for all labelled decisions (model and promptVersion null), then one per model and
 * prompt version, each with a threshold recommendation when `recommend` is given.
 */
export function calibrationReports(
	rows: readonly ConfidenceBin[],
	options: { binCount?: number; recommend?: RecommendOptions } = {},
): CalibrationReport[] {
	const groups = new Map<string, { model: string | null; promptVersion: string | null; rows: ConfidenceBin[] }>();
	for (const row of rows) {
		const key = versionKey(row.model, row.promptVersion);
		const group = groups.get(key) ?? { model: row.model, promptVersion: row.promptVersion, rows: [] };
		group.rows.push(row);
		groups.set(key, group);
	}
	const report = (model: string | null, promptVersion: string | null, groupRows: readonly ConfidenceBin[]) => {
		const result: CalibrationReport = { model, promptVersion, ...calibrate(groupRows, options.binCount) };
		if (options.recommend) result.recommendation = recommendThreshold(groupRows, options.recommend);
		return result;
	};
	const sorted = [...groups.values()].sort((a, b) =>
		`${a.model ?? ''}\u0000${a.promptVersion ?? ''}`.localeCompare(`${b.model ?? ''}\u0000${b.promptVersion ?? ''}`),
	);
	return [report(null, null, rows), ...sorted.map((group) => report(group.model, group.promptVersion, group.rows))];
}
