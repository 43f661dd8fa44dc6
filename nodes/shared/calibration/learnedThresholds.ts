/**
 * The threshold the Confidence Gate learns, per model and prompt version, from the store's routed
 * bins (`store.routedBins`): one function for the gate (which applies it) and the Feedback Log's
 * Calibration operation (which reports it as `learnedThresholds`), so that what the report says
 * and what the gate applies are the same number for the same decisions (issue 13).
 *
 * Pure.
 */
import type { RoutedBin } from '../store/types';
import { learnThreshold, type LearnedThreshold, type LearnSettings } from './estimatePrecision';
import { strataOf, type Stratum } from './strata';
import { Z_ONE_SIDED_95 } from './wilsonBound';

/** The gate's default Lowest Learned Threshold; the Feedback Log's report uses it too. */
export const DEFAULT_LEARNED_FLOOR = 0.5;

/** The key of a model and prompt version (null: drafts without one). */
export const versionKey = (model: string | null | undefined, promptVersion: string | null | undefined) =>
	JSON.stringify([model ?? null, promptVersion ?? null]);

export interface VersionStrata {
	model: string | null;
	promptVersion: string | null;
	strata: Stratum[];
}

/** Groups the store's bins by model and prompt version, in the order of the key. */
export function strataByVersion(bins: readonly RoutedBin[]): Map<string, VersionStrata> {
	const groups = new Map<string, { model: string | null; promptVersion: string | null; bins: RoutedBin[] }>();
	for (const bin of bins) {
		const key = versionKey(bin.model, bin.promptVersion);
		const group = groups.get(key) ?? { model: bin.model, promptVersion: bin.promptVersion, bins: [] };
		group.bins.push(bin);
		groups.set(key, group);
	}
	return new Map(
		[...groups]
			.sort(([a], [b]) => a.localeCompare(b))
			.map(([key, group]) => [key, { model: group.model, promptVersion: group.promptVersion, strata: strataOf(group.bins) }]),
	);
}

/** What the gate learns for one model and prompt version (strata of that version only). */
export function learnedThresholdOf(strata: readonly Stratum[], settings: LearnSettings): LearnedThreshold {
	return learnThreshold(strata, { ...settings, z: settings.z ?? Z_ONE_SIDED_95 });
}

export type VersionThreshold = { model: string | null; promptVersion: string | null } & LearnedThreshold;

/** The learned threshold of every model and prompt version in the bins: the Calibration report's `learnedThresholds`. */
export function learnedThresholds(bins: readonly RoutedBin[], settings: LearnSettings): VersionThreshold[] {
	return [...strataByVersion(bins).values()].map((version) => {
		// The report's fields stay as they were: modelAgrees only steers the gate's audit rate.
		const learned = learnedThresholdOf(version.strata, settings);
		if (learned.status === 'learned') delete learned.modelAgrees;
		return { model: version.model, promptVersion: version.promptVersion, ...learned };
	});
}
