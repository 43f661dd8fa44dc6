/**
 * Where should the Confidence Gate's auto-approval threshold sit? The lowest threshold at which
 * the drafts a human labelled (approved unchanged = right; edited or rejected = wrong) reach the
 * target precision — not as a point estimate but with a Wilson lower confidence bound, and only
 * with enough labelled samples above it. The lowest such threshold sends the most items out alone.
 *
 * Pure. This is the Feedback Log's *Calibration* report over labelled drafts only; the Confidence
 * Gate learns from `estimatePrecision.ts`, which also corrects for how drafts were picked for review.
 */
import { confidencePercent } from '../store/confidencePercent';
import { wilsonLowerBound, Z_ONE_SIDED_95 } from './wilsonBound';

/** Labelled decisions per confidence percent (floor(confidence × 100), 0..100). */
export interface PercentBin {
	percent: number;
	count: number;
	correct: number;
}

export interface LabelledSample {
	confidence: number;
	/** A human approved the draft unchanged. */
	correct: boolean;
}

export interface RecommendOptions {
	/** Target precision of auto-approved drafts, e.g. 0.95. */
	targetPrecision: number;
	/** Below this many labelled samples at or above a threshold, that threshold is not trusted. */
	minSamples?: number;
	/** Normal quantile of the one-sided bound: 1.645 ≈ 95 %, 2.326 ≈ 99 %. */
	z?: number;
}

export type ThresholdRecommendation =
	| {
			status: 'recommended';
			threshold: number;
			/** Observed precision at or above the threshold, and its Wilson lower bound. */
			precision: number;
			lowerBound: number;
			samples: number;
			/** Share of all labelled drafts at or above the threshold (how much would go out alone). */
			coverage: number;
			labelled: number;
	  }
	| { status: 'insufficientData'; labelled: number; minSamples: number; reason: string }
	| { status: 'unreachable'; labelled: number; bestLowerBound: number; reason: string };

export const DEFAULT_MIN_SAMPLES = 100;
export const DEFAULT_Z = Z_ONE_SIDED_95;


export function binsFromSamples(samples: readonly LabelledSample[]): PercentBin[] {
	const bins = new Map<number, PercentBin>();
	for (const sample of samples) {
		const percent = confidencePercent(sample.confidence);
		const bin = bins.get(percent) ?? { percent, count: 0, correct: 0 };
		bin.count++;
		if (sample.correct) bin.correct++;
		bins.set(percent, bin);
	}
	return [...bins.values()];
}

export function recommendThreshold(
	input: readonly PercentBin[] | readonly LabelledSample[],
	options: RecommendOptions,
): ThresholdRecommendation {
	const minSamples = Math.max(1, Math.floor(options.minSamples ?? DEFAULT_MIN_SAMPLES));
	const z = options.z ?? DEFAULT_Z;
	const target = options.targetPrecision;
	if (!(target > 0 && target < 1)) throw new RangeError(`targetPrecision must be between 0 and 1, got ${target}`);

	const bins: readonly PercentBin[] =
		input.length > 0 && 'confidence' in input[0] ? binsFromSamples(input as LabelledSample[]) : (input as PercentBin[]);
	const count = new Array<number>(101).fill(0);
	const correct = new Array<number>(101).fill(0);
	for (const bin of bins) {
		const p = Math.min(100, Math.max(0, Math.floor(bin.percent)));
		count[p] += bin.count;
		correct[p] += bin.correct;
	}
	const labelled = count.reduce((a, b) => a + b, 0);
	if (labelled < minSamples) {
		return {
			status: 'insufficientData',
			labelled,
			minSamples,
			reason: `Only ${labelled} labelled decisions; at least ${minSamples} are needed before recommending a threshold.`,
		};
	}

	// Walk thresholds from the top down, accumulating what lies at or above each; remember the
	// lowest one that qualifies.
	let n = 0;
	let k = 0;
	let best: ThresholdRecommendation | undefined;
	let bestLowerBound = 0;
	for (let p = 100; p >= 0; p--) {
		n += count[p];
		k += correct[p];
		// Only thresholds that some labelled draft sits on: below one, the next lower threshold
		// adds nothing observed, and recommending it would extrapolate into a range never reviewed.
		if (count[p] === 0 || n < minSamples) continue;
		const lowerBound = wilsonLowerBound(k, n, z);
		bestLowerBound = Math.max(bestLowerBound, lowerBound);
		if (lowerBound >= target) {
			best = { status: 'recommended', threshold: p / 100, precision: k / n, lowerBound, samples: n, coverage: n / labelled, labelled };
		}
	}
	return (
		best ?? {
			status: 'unreachable',
			labelled,
			bestLowerBound,
			reason:
				`No threshold reaches a precision of ${target} with confidence (best lower bound ${bestLowerBound.toFixed(3)} ` +
				`with at least ${minSamples} samples). Keep reviewing, or lower the target.`,
		}
	);
}
