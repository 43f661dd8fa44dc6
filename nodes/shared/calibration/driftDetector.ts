/**
 * Drift: reviewers override more drafts than the calibration expects for the drafts they actually
 * saw. A Bernoulli CUSUM (Page 1954) per slice, on every labelled score-routed draft in the order
 * it was recorded:
 *
 *   q₀ = the override probability the calibration expects at the draft's score,
 *   q₁ = min(k·q₀, (1 + q₀)/2)  (k = 2: "the error rate doubled", capped below 1),
 *   Λ  = y·ln(q₁/q₀) + (1−y)·ln((1−q₁)/(1−q₀))   (y = 1 when edited or rejected),
 *   S  ← max(0, S + Λ);   open when S ≥ h.
 *
 * Because q₀ is taken at each draft's own score, the gate's policy (what it sends to review, how
 * many audits) changes *which* drafts are watched but not the baseline they are compared with.
 *
 * The alarm level: h = ln(A·κ̄) − ln(k)/2, κ̄ being the mean Kullback–Leibler drift −E₀[Λ] per
 * draft of the slice so far (deterministic from the q₀'s). Wald's approximation of the in-control
 * run length with the overshoot of a jump of about ln k (see alarmLevel), ARL₀ ≈ e^(h + ln(k)/2) / κ̄,
 * then gives about A labelled drafts of the slice between false alarms. The expected delay after a change is about h / KL(q₁‖q₀)
 * drafts of the slice (≈ h / 0.19 at q₀ = 0.3; ≈ h / 0.07 at q₀ = 0.15).
 *
 * Hysteresis: once open, a second CUSUM T ← max(0, T − Λ) gathers evidence for "back to normal";
 * the detector closes when T ≥ h, and S starts again from 0.
 *
 * Pure: the state is a plain JSON object the gate keeps in the store.
 */

export interface SliceState {
	/** The CUSUM for "worse than expected", and, while open, the one for "back to normal". */
	up: number;
	down: number;
	open: boolean;
	/** Drafts of the slice seen, and Σ κ of their q₀'s (for h). */
	drafts: number;
	kappaSum: number;
	/** Since the CUSUM last left 0 — the estimated change point — overrides observed and expected. */
	since?: string;
	observed: number;
	expected: number;
	/** When it opened, with the figures at that moment (kept for the reason while open). */
	openedAt?: string;
	openedObserved?: number;
	openedExpected?: number;
	openedSince?: string;
	/** Labelled drafts of the slice since it opened. */
	reviewedSinceOpen?: number;
}

export interface DetectorSettings {
	/** A: labelled drafts of a slice between false alarms, about. */
	alarmEvery: number;
	/** k: the increase of the override rate to detect (2 = doubling). */
	increase: number;
}

export function newSliceState(): SliceState {
	return { up: 0, down: 0, open: false, drafts: 0, kappaSum: 0, observed: 0, expected: 0 };
}

const clampProbability = (q: number) => Math.min(0.999, Math.max(0.001, q));

/** q₁ for q₀ under the settings: k·q₀, capped half way to 1. */
export function alternativeOverride(q0: number, increase: number): number {
	return Math.min(increase * q0, (1 + q0) / 2);
}

/** The log-likelihood ratio of one draft and the KL drift −E₀[Λ] at its q₀. */
export function logLikelihoodRatio(q0Raw: number, overridden: boolean, increase: number): { llr: number; kappa: number } {
	const q0 = clampProbability(q0Raw);
	const q1 = clampProbability(alternativeOverride(q0, increase));
	const ifOverridden = Math.log(q1 / q0);
	const ifApproved = Math.log((1 - q1) / (1 - q0));
	return { llr: overridden ? ifOverridden : ifApproved, kappa: -(q0 * ifOverridden + (1 - q0) * ifApproved) };
}

/**
 * h = ln(A·κ̄) − ln(k)/2, never below ln(A)/2 nor 2 (a slice with few drafts must not alarm on a
 * handful).
 *
 * Why the − ln(k)/2: Wald's ARL₀ ≈ e^h/κ̄ ignores the overshoot — the CUSUM rises in jumps of
 * ln(q₁/q₀) ≈ ln k (an override) and crosses h by about half a jump, so the in-control run length
 * is about e^(h + ln(k)/2)/κ̄ (Siegmund's correction, with the mean overshoot of a jump of ln k
 * taken as half of it). Simulated on the labelled-draft mix of bench/gate (threshold 0.9, 6 %
 * audits, k = 2, κ̄ = 0.094, 40–60 runs per h): ARL₀ 7,600 at h = 6.0, 11,800 at 6.5 and 18,400 at
 * 7.0 labelled drafts, where Wald's formula says 4,300, 7,100 and 11,700; with the correction it
 * says 6,100, 10,000 and 16,500. The correction makes A what it says (about A labelled drafts of
 * the slice between false alarms) instead of a bound 1.6–1.9 times too strict, which cost about
 * 0.35/KL ≈ 3 labelled drafts of delay for nothing.
 */
export function alarmLevel(state: SliceState, settings: DetectorSettings): number {
	const kappa = state.drafts > 0 ? state.kappaSum / state.drafts : 0;
	const corrected = Math.log(Math.max(1, settings.alarmEvery * kappa)) - Math.log(Math.max(1, settings.increase)) / 2;
	return Math.max(2, Math.log(settings.alarmEvery) / 2, corrected);
}

export interface Observation {
	/** q₀: the override probability the calibration expects for this draft. */
	expectedOverride: number;
	overridden: boolean;
	at: string;
}

/** One labelled draft into one slice's state; returns the new state (the input is not changed). */
export function observe(previous: SliceState, observation: Observation, settings: DetectorSettings): SliceState {
	const state = { ...previous };
	const { llr, kappa } = logLikelihoodRatio(observation.expectedOverride, observation.overridden, settings.increase);
	state.drafts += 1;
	state.kappaSum += kappa;
	if (state.up === 0) {
		state.since = observation.at;
		state.observed = 0;
		state.expected = 0;
	}
	state.up = Math.max(0, state.up + llr);
	state.observed += observation.overridden ? 1 : 0;
	state.expected += observation.expectedOverride;
	if (state.up === 0) {
		state.observed = 0;
		state.expected = 0;
	}
	const h = alarmLevel(state, settings);
	if (!state.open) {
		if (state.up >= h) {
			state.open = true;
			state.down = 0;
			state.openedAt = observation.at;
			state.openedObserved = state.observed;
			state.openedExpected = state.expected;
			state.openedSince = state.since;
			state.reviewedSinceOpen = 0;
		}
		return state;
	}
	state.reviewedSinceOpen = (state.reviewedSinceOpen ?? 0) + 1;
	state.down = Math.max(0, state.down - llr);
	if (state.down >= h) {
		state.open = false;
		state.up = 0;
		state.down = 0;
		state.observed = 0;
		state.expected = 0;
		delete state.openedAt;
		delete state.openedObserved;
		delete state.openedExpected;
		delete state.openedSince;
		delete state.reviewedSinceOpen;
	}
	return state;
}

/** The slice key of the whole workflow; other slices are `<field value>`. */
export const WHOLE_WORKFLOW = '*';

export interface DetectorState {
	/** The store id of the last labelled draft read. */
	cursor?: string;
	slices: Record<string, SliceState>;
}

export interface LabelledDraft {
	id: string;
	slice: string | null;
	overridden: boolean;
	/** undefined: no calibration to compare with yet; the draft moves the cursor only. */
	expectedOverride: number | undefined;
	at: string;
}

/** Feeds drafts (oldest first) to the whole workflow's detector and their slice's. */
export function advanceDetector(previous: DetectorState, drafts: readonly LabelledDraft[], settings: DetectorSettings): DetectorState {
	const slices = { ...previous.slices };
	let cursor = previous.cursor;
	for (const draft of drafts) {
		cursor = draft.id;
		if (draft.expectedOverride === undefined) continue;
		const observation = { expectedOverride: draft.expectedOverride, overridden: draft.overridden, at: draft.at };
		const keys = draft.slice ? [WHOLE_WORKFLOW, draft.slice] : [WHOLE_WORKFLOW];
		for (const key of keys) slices[key] = observe(slices[key] ?? newSliceState(), observation, settings);
	}
	return { cursor, slices };
}
