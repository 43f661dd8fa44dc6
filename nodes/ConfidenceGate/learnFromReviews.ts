/**
 * The Confidence Gate's adaptive oversight, from the decisions the Feedback Log recorded:
 *
 * - **Learned threshold.** For the item's model and prompt version, the lowest threshold at which
 *   the drafts reviewers labelled (approved unchanged = right; edited or rejected = wrong) reach
 *   the target precision with a Wilson lower bound — the Feedback Log's own `recommendThreshold`,
 *   so the gate applies exactly what the Calibration operation reports. Until there are enough
 *   labelled drafts, the fixed threshold applies and the reason says why.
 * - **Breaker.** When reviewers overrode (edited or rejected) more than a set share of the drafts
 *   they saw in the last hours, something changed — a new model, a new kind of request, a broken
 *   knowledge base — and drafts the threshold would send out alone are sent to a person instead,
 *   until the override rate falls back.
 *
 * Pure: the node reads the store and passes the aggregates in.
 */
import { calibrationReports } from '../FeedbackLog/calibration';
import type { ThresholdRecommendation } from '../FeedbackLog/recommendThreshold';
import type { ConfidenceBin, OverrideCounts } from '../shared/store/types';

export interface LearningSettings {
	/** Target precision of what goes out alone, e.g. 0.95. */
	targetPrecision: number;
	/** Labelled drafts needed at or above a threshold before it is trusted. */
	minSamples: number;
	/** A learned threshold is never applied below this. */
	floor: number;
}

export interface LearnedThreshold {
	/** The threshold to apply, or undefined when none was learned (the fixed one applies). */
	value?: number;
	/** Why, for the gate's reason text. */
	detail: string;
}

/** A share as a percentage with one decimal, as every gate reason writes it: 0.325 → "32.5%". */
export const percentText = (share: number) => `${Math.round(share * 1000) / 10}%`;

const versionKey = (model: string | null | undefined, promptVersion: string | null | undefined) =>
	JSON.stringify([model ?? null, promptVersion ?? null]);

function describeVersion(model: string | null | undefined, promptVersion: string | null | undefined): string {
	const name = model ? `model ${model}` : 'drafts without a model';
	return promptVersion ? `${name}, prompt ${promptVersion}` : name;
}

function describe(recommendation: ThresholdRecommendation | undefined, settings: LearningSettings, version: string): LearnedThreshold {
	if (!recommendation || recommendation.status === 'insufficientData') {
		const labelled = recommendation?.labelled ?? 0;
		return { detail: `no threshold learned yet: ${labelled} of ${settings.minSamples} reviewed drafts of ${version}` };
	}
	if (recommendation.status === 'unreachable') {
		return {
			detail: `no threshold learned: reviewed drafts of ${version} do not reach a precision of ${settings.targetPrecision} at any threshold`,
		};
	}
	const value = Math.max(recommendation.threshold, settings.floor);
	const floored = value > recommendation.threshold ? `, raised from ${recommendation.threshold} to the lowest allowed` : '';
	return {
		value,
		detail:
			`learned from ${recommendation.samples} reviewed drafts of ${version}: ` +
			`${percentText(recommendation.precision)} approved unchanged at or above it${floored}`,
	};
}

/**
 * The learned threshold of each model and prompt version found in the bins; versions with no
 * reviewed draft get "none learned yet". Returns a lookup for items.
 */
export function learnThresholds(
	bins: readonly ConfidenceBin[],
	settings: LearningSettings,
	z?: number,
): (model: string | undefined, promptVersion: string | undefined) => LearnedThreshold {
	const [, ...perVersion] = calibrationReports(bins, {
		recommend: { targetPrecision: settings.targetPrecision, minSamples: settings.minSamples, z },
	});
	const byVersion = new Map(perVersion.map((report) => [versionKey(report.model, report.promptVersion), report.recommendation]));
	return (model, promptVersion) => describe(byVersion.get(versionKey(model, promptVersion)), settings, describeVersion(model, promptVersion));
}

export interface BreakerSettings {
	/** Open when the share of reviewed drafts that were edited or rejected exceeds this (0–1). */
	maxOverrideRate: number;
	/** Below this many reviewed drafts in the window the breaker stays closed: too few to judge. */
	minReviewed: number;
	windowHours: number;
}

export interface BreakerState {
	open: boolean;
	detail: string;
}

export function breakerState(counts: OverrideCounts, settings: BreakerSettings): BreakerState {
	const window = `the last ${settings.windowHours} h`;
	if (counts.reviewed < settings.minReviewed) {
		return { open: false, detail: `${counts.reviewed} reviewed drafts in ${window}, fewer than the ${settings.minReviewed} needed to judge` };
	}
	const rate = counts.overridden / counts.reviewed;
	const summary = `reviewers edited or rejected ${counts.overridden} of ${counts.reviewed} drafts (${percentText(rate)}) in ${window}`;
	return rate > settings.maxOverrideRate
		? { open: true, detail: `${summary}, above the limit of ${percentText(settings.maxOverrideRate)}` }
		: { open: false, detail: `${summary}, within the limit of ${percentText(settings.maxOverrideRate)}` };
}
