/**
 * The drift detector (nodes/shared/calibration/driftDetector.ts): a Bernoulli CUSUM of observed
 * overrides against those the calibration expects, on fixed sequences with a known answer.
 */
import {
	advanceDetector,
	alarmLevel,
	logLikelihoodRatio,
	newSliceState,
	observe,
	WHOLE_WORKFLOW,
	type SliceState,
} from '../../../nodes/shared/calibration/driftDetector';

const settings = { alarmEvery: 10_000, increase: 2 };
const at = (index: number) => new Date(Date.UTC(2026, 0, 1, 10, 0) + index * 60_000).toISOString();

/** Feeds overridden flags at q₀ one by one; returns the index (1-based) at which it opened. */
function run(state: SliceState, q0: number, overridden: boolean[], start = 0): { state: SliceState; openedAt?: number } {
	let current = state;
	for (let index = 0; index < overridden.length; index++) {
		const wasOpen = current.open;
		current = observe(current, { expectedOverride: q0, overridden: overridden[index], at: at(start + index) }, settings);
		if (!wasOpen && current.open) return { state: current, openedAt: index + 1 };
	}
	return { state: current };
}

describe('logLikelihoodRatio', () => {
	test('doubling at q₀ = 0.3: ln 2 per override, ln(4/7) per approval; κ = −E₀[Λ]', () => {
		expect(logLikelihoodRatio(0.3, true, 2).llr).toBeCloseTo(Math.log(2), 12);
		expect(logLikelihoodRatio(0.3, false, 2).llr).toBeCloseTo(Math.log(0.4 / 0.7), 12);
		expect(logLikelihoodRatio(0.3, false, 2).kappa).toBeCloseTo(-(0.3 * Math.log(2) + 0.7 * Math.log(0.4 / 0.7)), 12);
		// q₀ = 0.6: k·q₀ = 1.2 is capped half way to 1, at 0.8
		expect(logLikelihoodRatio(0.6, true, 2).llr).toBeCloseTo(Math.log(0.8 / 0.6), 12);
	});
});

describe('observe', () => {
	test('known delay on a fixed sequence: at q₀ = 0.3, overrides on every other draft open it at draft 99', () => {
		// Per pair (override, approval): ln 2 + ln(4/7) = 0.133531. κ = −(0.3 ln 2 + 0.7 ln(4/7)) =
		// 0.183822 per draft (constant here), so h = max(2, ln(10 000)/2, ln(10 000·0.183822) − ln(2)/2)
		// = 7.51655 − 0.346574 = 7.16998. After 2m drafts S = 0.133531·m; after the override 2m+1,
		// S = 0.133531·m + 0.693147. The even drafts would cross at m = 54 (draft 108); the odd ones
		// when 0.133531·m ≥ 6.47683, m = 49: it opens at draft 99, with 50 overrides observed against
		// 99·0.3 = 29.7 expected.
		const kappa = -(0.3 * Math.log(2) + 0.7 * Math.log(0.4 / 0.7));
		expect(alarmLevel({ ...newSliceState(), drafts: 1, kappaSum: kappa }, settings)).toBeCloseTo(Math.log(10_000 * kappa) - Math.log(2) / 2, 10);
		const sequence = Array.from({ length: 200 }, (_, index) => index % 2 === 0);
		const { state, openedAt } = run(newSliceState(), 0.3, sequence);
		expect(openedAt).toBe(99);
		expect(state).toMatchObject({ open: true, openedObserved: 50, openedSince: at(0), openedAt: at(98) });
		expect(state.openedExpected).toBeCloseTo(99 * 0.3, 10);
	});

	test('at the expected rate it stays closed: 30 overrides in every 100 drafts, 10 000 drafts', () => {
		const sequence = Array.from({ length: 10_000 }, (_, index) => index % 10 < 3);
		expect(run(newSliceState(), 0.3, sequence).openedAt).toBeUndefined();
	});

	test('hysteresis: once open it stays open until the evidence for "back to normal" reaches h, then closes', () => {
		const opened = run(newSliceState(), 0.3, Array.from({ length: 200 }, (_, index) => index % 2 === 0)).state;
		expect(opened.open).toBe(true);
		// Back to the expected rate: each approval adds −ln(4/7) = 0.559616 to T, each override −ln 2,
		// never below 0. Blocks of 3 overrides then 7 approvals: T = 0 after draft 3 (floored), 3.917312
		// after 10, 1.837871 after 13, 5.755183 after 20, 3.675742 after 23, 7.593054 after 30: the first
		// value ≥ h = 7.51655 (draft 29: 7.033438 is not). It closes at draft 30.
		let state = opened;
		let closedAt: number | undefined;
		for (let index = 0; index < 100 && closedAt === undefined; index++) {
			state = observe(state, { expectedOverride: 0.3, overridden: index % 10 < 3, at: at(300 + index) }, settings);
			if (!state.open) closedAt = index + 1;
		}
		expect(closedAt).toBe(30);
		expect(state).toMatchObject({ open: false, up: 0, down: 0 });
	});
});

describe('advanceDetector', () => {
	test('a drift in one intent opens that slice; the cursor moves past drafts without a baseline', () => {
		const drafts = Array.from({ length: 300 }, (_, index) => ({
			id: String(index + 1),
			slice: index % 5 === 0 ? 'refund' : 'shipping',
			// refund: overridden every other draft at q₀ 0.2 (a rate 2.5 × the expected); shipping: as expected
			overridden: index % 5 === 0 ? index % 10 === 0 : index % 5 === 1,
			expectedOverride: index === 299 ? undefined : 0.2,
			at: at(index),
		}));
		const state = advanceDetector({ slices: {} }, drafts, settings);
		expect(state.cursor).toBe('300');
		expect(state.slices.refund.open).toBe(true);
		expect(state.slices.shipping.open).toBe(false);
		expect(state.slices[WHOLE_WORKFLOW].drafts).toBe(299);
	});
});
