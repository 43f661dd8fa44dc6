/**
 * The Confidence Gate's adaptive oversight, from the decisions the Feedback Log recorded (the
 * statistics are in nodes/shared/calibration; this file turns them into what the gate applies and
 * the sentences its reasons show):
 *
 * - **Learned threshold**, per model and prompt version: the lowest threshold whose 95 % lower
 *   bound on the precision of *all* drafts above it meets the target (estimatePrecision.ts).
 *   Until then — no evidence, or a target no threshold reaches — nothing goes out alone (or, if
 *   the user chose so, the fixed Threshold applies as a start): never a laxer fallback.
 * - **Audit rate**: as many audits above the threshold as the bound needs, never below the floor.
 * - **Drift**: a CUSUM per workflow and per slice (driftDetector.ts); while one is open, every
 *   would-be-Auto item of it goes to Review.
 *
 * Pure: the node reads the store and passes the aggregates in.
 */
import { auditRateFor, expectedOverride, routedAtOrAbove, type LearnedThreshold } from '../shared/calibration/estimatePrecision';
import { learnedThresholdOf, strataByVersion, versionKey } from '../shared/calibration/learnedThresholds';
import { strataOf, type Stratum } from '../shared/calibration/strata';
import { WHOLE_WORKFLOW, type DetectorState, type SliceState } from '../shared/calibration/driftDetector';
import type { RoutedBin } from '../shared/store/types';

export interface LearningSettings {
	/** Target precision of what goes out alone, e.g. 0.95. */
	targetPrecision: number;
	/** Labelled drafts needed at or above a threshold before it can be learned. */
	minSamples: number;
	/** A learned threshold is never below this. */
	floor: number;
	/** The user's Audit Sample Rate, in [0, 1]: the audit rate never goes below it. */
	auditFloor: number;
	/** Until a threshold is learned: every draft to Review, or the fixed Threshold. */
	start: 'reviewAll' | 'threshold';
}

/** What the gate applies to a draft of one model and prompt version. */
export interface LearnedPolicy {
	/** `learned`: `value`; `reviewAll`: nothing goes out alone; `threshold`: the fixed Threshold. */
	apply: 'learned' | 'reviewAll' | 'threshold';
	value?: number;
	/** Why, for the gate's reason text. */
	detail: string;
	/** The share of would-be-Auto drafts sent to a person as audit samples. */
	auditRate: number;
	auditDetail: string;
}

/** A share as a percentage with one decimal, as every gate reason writes it: 0.325 → "32.5%". */
export const percentText = (share: number) => `${Math.round(share * 1000) / 10}%`;

function describeVersion(model: string | null | undefined, promptVersion: string | null | undefined): string {
	const name = model ? `model ${model}` : 'drafts without a model';
	return promptVersion ? `${name}, prompt ${promptVersion}` : name;
}

const three = (value: number) => value.toFixed(3);

function describe(learned: LearnedThreshold, settings: LearningSettings, version: string): string {
	if (learned.status === 'learned') {
		return (
			`learned from ${learned.labelled} labelled drafts of ${version} (estimated precision above it ` +
			`${three(learned.estimate)}, 95 % lower bound ${three(learned.lowerBound)}${learned.method === 'model' ? ', by the calibration model' : ''})`
		);
	}
	const until = settings.start === 'reviewAll' ? 'nothing goes out alone' : 'the start threshold applies';
	if (learned.status === 'insufficientData') {
		return `${until} until a threshold is learned: ${learned.labelled} of ${learned.minLabelled} labelled drafts of ${version}`;
	}
	const best = learned.best
		? ` (best: ${three(learned.best.lowerBound)} at ${learned.best.threshold}, from ${learned.best.labelled} labelled drafts)`
		: '';
	return `${until}: labelled drafts of ${version} show no threshold whose 95 % lower bound on precision reaches ${settings.targetPrecision}${best}`;
}

/** A stratum needs this many effective labels before its calibration is a baseline for the drift detector (bench/gate/limits.js uses it too). */
export const MIN_BASELINE_LABELS = 10;

export interface VersionLearning {
	strata: Stratum[];
	policy: LearnedPolicy;
}

/**
 * What the gate applies per model and prompt version. A version with no routed draft yet learns
 * nothing: it starts strict.
 */
export function learnPolicies(
	bins: readonly RoutedBin[],
	settings: LearningSettings,
): {
	policyFor: (model: string | undefined, promptVersion: string | undefined) => LearnedPolicy;
	expectedOverrideOf: (draft: { model: string | null; promptVersion: string | null; confidence: number }) => number | undefined;
} {
	const strata = new Map([...strataByVersion(bins)].map(([key, version]) => [key, version.strata]));
	const cache = new Map<string, LearnedPolicy>();
	const policyFor = (model: string | undefined, promptVersion: string | undefined): LearnedPolicy => {
		const key = versionKey(model, promptVersion);
		const cached = cache.get(key);
		if (cached) return cached;
		const versionStrata = strata.get(key) ?? strataOf([]);
		const estimate = { targetPrecision: settings.targetPrecision, minLabelled: settings.minSamples, floor: settings.floor };
		// The same function as the Feedback Log's Calibration report (its learnedThresholds).
		const learned = learnedThresholdOf(versionStrata, estimate);
		const threshold = learned.status === 'learned' ? learned.threshold : undefined;
		const routedAbove = threshold === undefined ? 0 : routedAtOrAbove(versionStrata, threshold);
		const audit = auditRateFor(learned, routedAbove, { floor: settings.auditFloor, targetPrecision: settings.targetPrecision, minLabelled: settings.minSamples });
		const policy: LearnedPolicy = {
			apply: learned.status === 'learned' ? 'learned' : settings.start,
			value: threshold,
			detail: describe(learned, settings, describeVersion(model, promptVersion)),
			auditRate: audit.rate,
			auditDetail:
				threshold === undefined
					? `${percentText(audit.rate)} of such items while no threshold is learned`
					: `${percentText(audit.rate)} of such items, to keep about ${audit.wanted} labelled drafts above the threshold of the ${routedAbove} routed there`,
		};
		cache.set(key, policy);
		return policy;
	};
	// The drift detector's baseline: what the calibration of the draft's version expects.
	const expectedOverrideOf = (draft: { model: string | null; promptVersion: string | null; confidence: number }) => {
		const versionStrata = strata.get(versionKey(draft.model, draft.promptVersion));
		return versionStrata ? expectedOverride(versionStrata, draft.confidence, MIN_BASELINE_LABELS) : undefined;
	};
	return { policyFor, expectedOverrideOf };
}

export interface DriftState {
	open: boolean;
	detail: string;
}

function minuteText(iso: string | undefined): string {
	return iso ? `${iso.slice(0, 16).replace('T', ' ')} UTC` : 'an unknown time';
}

function describeSlice(key: string, sliceLabel: string): string {
	return key === WHOLE_WORKFLOW ? 'this workflow' : `${sliceLabel} "${key}"`;
}

function describeOpen(key: string, state: SliceState, sliceLabel: string): string {
	return (
		`drift detected for ${describeSlice(key, sliceLabel)}: ${state.openedObserved ?? 0} overrides observed, ` +
		`${(state.openedExpected ?? 0).toFixed(1)} expected from the calibration, since ${minuteText(state.openedSince)} ` +
		`(opened ${minuteText(state.openedAt)}; ${state.reviewedSinceOpen ?? 0} labelled drafts since)`
	);
}

/**
 * The drift state of an item's slice: open when the whole workflow's detector or its slice's is.
 * `sliceLabel` names the field in reasons ("intent").
 */
export function driftFor(state: DetectorState, sliceLabel: string): (slice: string | undefined) => DriftState {
	return (slice) => {
		const keys = slice ? [WHOLE_WORKFLOW, slice] : [WHOLE_WORKFLOW];
		const open = keys.filter((key) => state.slices[key]?.open);
		if (open.length > 0) {
			return { open: true, detail: open.map((key) => describeOpen(key, state.slices[key], sliceLabel)).join('; ') };
		}
		return { open: false, detail: `no drift detected for ${keys.map((key) => describeSlice(key, sliceLabel)).join(' or ')}` };
	};
}
