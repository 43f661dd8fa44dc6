/**
 * The unbiased precision estimate the gate learns from (nodes/shared/calibration/estimatePrecision.ts),
 * against figures computed by hand.
 */
import { cellsFrom, fitCalibration, modelPrecisionAbove, percentLogit } from '../../../nodes/shared/calibration/calibrationModel';
import { auditRateFor, expectedOverride, learnThreshold, precisionAbove } from '../../../nodes/shared/calibration/estimatePrecision';
import { learnedThresholds } from '../../../nodes/shared/calibration/learnedThresholds';
import { stratumIndex, strataOf } from '../../../nodes/shared/calibration/strata';
import { wilsonLowerBound } from '../../../nodes/shared/calibration/wilsonBound';

/** A per-percent store bin from labelled drafts given as [reviewProbability, approved] pairs. */
function bin(percent: number, routed: number, labels: [number, boolean][] = []) {
	return {
		percent,
		routed,
		labelled: labels.length,
		weight: labels.reduce((sum, [p]) => sum + 1 / p, 0),
		weightSquared: labels.reduce((sum, [p]) => sum + 1 / (p * p), 0),
		weightApproved: labels.reduce((sum, [p, approved]) => sum + (approved ? 1 / p : 0), 0),
		weightSquaredApproved: labels.reduce((sum, [p, approved]) => sum + (approved ? 1 / (p * p) : 0), 0),
	};
}
const times = <T>(count: number, value: T): T[] => Array.from({ length: count }, () => value);

describe('precisionAbove', () => {
	test('with every draft reviewed (π = 1) in one stratum it is the plain share and the plain Wilson bound', () => {
		const strata = strataOf([bin(90, 100, [...times(95, [1, true] as [number, boolean]), ...times(5, [1, false] as [number, boolean])])]);
		const estimate = precisionAbove(strata, stratumIndex(0.9))!;
		expect(estimate.estimate).toBeCloseTo(0.95, 10);
		expect(estimate.lowerBound).toBeCloseTo(wilsonLowerBound(95, 100), 10);
		expect(estimate.lowerBound).toBeCloseTo(0.900833, 5);
		expect(estimate).toMatchObject({ threshold: 0.9, labelled: 100, routed: 100 });
	});

	test('weights labels by 1/π and strata by every routed draft, not by the labelled ones', () => {
		// Stratum [0.90, 0.92): 100 drafts routed. 20 came while everything was reviewed (π = 1), 18
		// approved; of the 80 that came once 0.9 was the threshold, 8 were audited (π = 0.1), all
		// approved. Hájek: (18 + 8·10) / (20 + 8·10) = 98/100 = 0.98 — the naive share of labels,
		// 26/28 = 0.929, over-counts the early, worse period.
		// Stratum [0.96, 0.98): 50 routed, none labelled: borrows 0.98 from the stratum below.
		// Stratum [0.98, 1]: 50 routed, 5 audited at π = 0.1, all approved: 1.0.
		const strata = strataOf([
			bin(90, 100, [...times(18, [1, true] as [number, boolean]), ...times(2, [1, false] as [number, boolean]), ...times(8, [0.1, true] as [number, boolean])]),
			bin(97, 50),
			bin(99, 50, times(5, [0.1, true] as [number, boolean])),
		]);
		const estimate = precisionAbove(strata, stratumIndex(0.9))!;
		// (150·0.98 + 50·1.0) / 200
		expect(estimate.estimate).toBeCloseTo(0.985, 10);
		// n_eff: 100²/(20 + 8·100) = 12.195 and 50²/(5·100) = 5; p̃ = (0.98·12.195 + 0.5)/13.195 = 0.943623
		// and (5 + 0.5)/6 = 0.916667; Var = 0.75²·0.943623·0.056377/12.195 + 0.25²·0.916667·0.083333/5
		// = 0.00340865; p̃ = 0.75·0.943623 + 0.25·0.916667 = 0.936884; n* = p̃(1−p̃)/Var = 17.3478;
		// Wilson(0.985, 17.3478, z 1.645) = 0.840329.
		expect(estimate.lowerBound).toBeCloseTo(0.840329, 5);
		expect(estimate).toMatchObject({ labelled: 33, routed: 200 });
		expect(estimate.effective).toBeCloseTo(17.195, 3);
	});

	test('a threshold whose own stratum has no label is not estimated', () => {
		const strata = strataOf([bin(90, 100), bin(95, 10, [[1, true]])]);
		expect(precisionAbove(strata, stratumIndex(0.9))).toBeUndefined();
	});
});

describe('learnThreshold', () => {
	const good = (percent: number, approved: number, of: number) =>
		bin(percent, of, [...times(approved, [1, true] as [number, boolean]), ...times(of - approved, [1, false] as [number, boolean])]);

	test('the lowest threshold whose lower bound meets the target', () => {
		// 0.80: 200/200; 0.70: 200 with 190 approved; 0.60: 200 with 100 approved.
		const strata = strataOf([good(80, 200, 200), good(70, 190, 200), good(60, 100, 200)]);
		const learned = learnThreshold(strata, { targetPrecision: 0.95, minLabelled: 50, floor: 0.5 });
		// at 0.70: two strata of 200, p̃ = 190.5/201 and 200.5/201; Var = ¼·Σ p̃(1−p̃)/200 = 6.49891e-5;
		// n* = p̃̄(1−p̃̄)/Var = 409.52 (pooled: 400); Wilson(0.975, 409.52) = 0.958854 ≥ 0.95.
		// At 0.60: 490/600 = 0.817 < 0.95.
		const stratified = precisionAbove(strata, stratumIndex(0.7))!;
		expect(stratified).toMatchObject({ threshold: 0.7, labelled: 400, estimate: 0.975 });
		expect(stratified.lowerBound).toBeCloseTo(0.958854, 5);
		// The calibration model (fitted on the three percents) may bound 0.7 more tightly still; the
		// threshold is the same, and below it neither bound reaches the target.
		expect(learned).toMatchObject({ status: 'learned', threshold: 0.7 });
		if (learned.status === 'learned') expect(learned.lowerBound).toBeGreaterThanOrEqual(stratified.lowerBound);
		// Here both bounds reach 0.95 at 0.7: the reason quotes the model-free one, and says that the
		// model agrees (so the audit rate does not have to feed the stratified bound; auditRateFor).
		expect(learned).toMatchObject({ method: 'stratified', modelAgrees: true });
		// The Feedback Log's Calibration report keeps its fields: no modelAgrees there.
		expect(learnedThresholds(
			[80, 70, 60].map((percent) => ({ model: 'm', promptVersion: null, ...good(percent, percent === 80 ? 200 : percent === 70 ? 190 : 100, 200) })),
			{ targetPrecision: 0.95, minLabelled: 50, floor: 0.5 },
		)[0]).not.toHaveProperty('modelAgrees');
	});

	test('never below the floor', () => {
		const strata = strataOf([good(80, 200, 200), good(40, 200, 200)]);
		expect(learnThreshold(strata, { targetPrecision: 0.95, minLabelled: 50, floor: 0.5 })).toMatchObject({ threshold: 0.8 });
	});

	test('too few labels, or an unreachable target, learn nothing — and say which', () => {
		expect(learnThreshold(strataOf([good(90, 30, 30)]), { targetPrecision: 0.95, minLabelled: 50, floor: 0.5 })).toEqual({
			status: 'insufficientData',
			labelled: 30,
			minLabelled: 50,
		});
		// An uninformative score: every stratum 70 % acceptable.
		const flat = strataOf([good(60, 140, 200), good(80, 140, 200), good(96, 140, 200)]);
		const learned = learnThreshold(flat, { targetPrecision: 0.95, minLabelled: 50, floor: 0.5 });
		expect(learned.status).toBe('unreachable');
	});
});

describe('auditRateFor', () => {
	test('enough audits to keep the bound informative, within the floor and the cap', () => {
		const learned = { status: 'learned' as const, threshold: 0.9, estimate: 0.97, lowerBound: 0.955, labelled: 400, effective: 300, routed: 5000, boundSize: 300, method: 'stratified' as const };
		// 2·1.645²·0.97·0.03/0.02² = 393.6 → 394 wanted over 5000 routed = 7.88 %
		expect(auditRateFor(learned, 5000, { floor: 0.02, targetPrecision: 0.95, minLabelled: 100 }).rate).toBeCloseTo(394 / 5000, 10);
		expect(auditRateFor(learned, 100_000, { floor: 0.02, targetPrecision: 0.95, minLabelled: 100 }).rate).toBe(0.02);
		expect(auditRateFor(learned, 100_000, { floor: 0, targetPrecision: 0.95, minLabelled: 100 }).rate).toBe(0.01);
		// capped: past 25 % the threshold, not the audit rate, gives way — unless the user's floor is higher
		expect(auditRateFor(learned, 10, { floor: 0, targetPrecision: 0.95, minLabelled: 100 }).rate).toBe(0.25);
		expect(auditRateFor(learned, 10, { floor: 0.4, targetPrecision: 0.95, minLabelled: 100 }).rate).toBe(0.4);
	});

	test('a threshold the calibration model supports too needs only Minimum Reviewed Drafts above it', () => {
		const stratified = { status: 'learned' as const, threshold: 0.9, estimate: 0.97, lowerBound: 0.955, labelled: 400, effective: 300, routed: 5000, boundSize: 300, method: 'stratified' as const };
		// The same tie, reported as model-free but also met by the model: 100 wanted over 5000 routed = 2 %.
		expect(auditRateFor({ ...stratified, modelAgrees: true }, 5000, { floor: 0.01, targetPrecision: 0.95, minLabelled: 100 })).toEqual({ rate: 0.02, wanted: 100 });
		expect(auditRateFor(stratified, 5000, { floor: 0.01, targetPrecision: 0.95, minLabelled: 100 }).wanted).toBe(394);
	});
});

describe('expectedOverride', () => {
	test('1 − p̃ of the draft’s stratum, or of the nearest one below with enough labels', () => {
		const strata = strataOf([bin(80, 20, [...times(18, [1, true] as [number, boolean]), ...times(2, [1, false] as [number, boolean])])]);
		// p̃ = (18 + 0.5)/21
		expect(expectedOverride(strata, 0.81, 10)).toBeCloseTo(1 - 18.5 / 21, 10);
		expect(expectedOverride(strata, 0.95, 10)).toBeCloseTo(1 - 18.5 / 21, 10);
		expect(expectedOverride(strata, 0.7, 10)).toBeUndefined();
		expect(expectedOverride(strata, 0.81, 30)).toBeUndefined();
	});
});

describe('the calibration model (Platt scaling on the confidence percents)', () => {
	// Labels drawn exactly at P(acceptable | s) = σ(−0.2 + 1.2·logit(s)) at each percent,
	// 200 per percent from 0.5 up, π = 1: the fit recovers α, β.
	const truth = (score: number) => 1 / (1 + Math.exp(-(-0.2 + 1.2 * Math.log(score / (1 - score)))));
	const exact = () =>
		strataOf(
			Array.from({ length: 50 }, (_, index) => {
				const percent = 50 + index;
				const approved = Math.round(200 * truth(percent / 100));
				return bin(percent, 200, [...times(approved, [1, true] as [number, boolean]), ...times(200 - approved, [1, false] as [number, boolean])]);
			}),
		);

	test('a label at a score counts once whatever its π: selection by score does not bias P(acceptable | score)', () => {
		// 0.60: 10 drafts reviewed (π = 1), 6 approved; 0.95: 10 audit samples at π = 0.05 of 200
		// routed, 9 approved. Two percents: the fit passes through both shares, 0.6 and 0.9, and the
		// precision above 0.95 is 0.9 with variance p(1−p)/n = 0.09/10 — ten labels, not 200
		// (a per-draft 1/π weight would make them two hundred).
		const strata = strataOf([
			bin(60, 10, [...times(6, [1, true] as [number, boolean]), ...times(4, [1, false] as [number, boolean])]),
			bin(95, 200, [...times(9, [0.05, true] as [number, boolean]), [0.05, false]]),
		]);
		const fit = fitCalibration(strata, stratumIndex(0.5))!;
		const sigma = (x: number) => 1 / (1 + Math.exp(-x));
		expect(sigma(fit.intercept + fit.slope * percentLogit(60))).toBeCloseTo(0.6, 8);
		expect(sigma(fit.intercept + fit.slope * percentLogit(95))).toBeCloseTo(0.9, 8);
		const above = modelPrecisionAbove(cellsFrom(strata, stratumIndex(0.5)), 95, fit)!;
		expect(above.estimate).toBeCloseTo(0.9, 8);
		expect(above.variance).toBeCloseTo(0.009, 8);
		expect(above).toMatchObject({ routed: 200, labelled: 10 });
	});

	test('a threshold can sit on any percent, not only on a stratum edge', () => {
		const learned = learnThreshold(exact(), { targetPrecision: 0.93, minLabelled: 100, floor: 0.5 });
		expect(learned).toMatchObject({ status: 'learned', method: 'model' });
		if (learned.status === 'learned') expect(Math.round(learned.threshold * 100) % 2).toBe(1);
	});

	test('recovers the slope and intercept of a logistic calibration', () => {
		const fit = fitCalibration(exact(), stratumIndex(0.5))!;
		// No pseudo-counts: only the rounding of 400·P to whole labels moves it off the truth.
		expect(fit.intercept).toBeCloseTo(-0.2, 2);
		expect(fit.slope).toBeCloseTo(1.2, 2);
		expect(fit.labelled).toBe(50 * 200);
		expect(fit.covariance[0]).toBeGreaterThan(0);
		expect(fit.covariance[2]).toBeGreaterThan(0);
	});

	test('its bound is tighter than the stratified one, and is used where the labels above agree', () => {
		// As the gate sees it: every draft below 0.8 reviewed (200 per percent), 5 % of those above
		// audited (10 of 200 per percent, π = 0.05).
		const strata = strataOf(
			Array.from({ length: 50 }, (_, index) => {
				const percent = 50 + index;
				const [labels, pi] = percent < 80 ? [200, 1] : [10, 0.05];
				const approved = Math.round(labels * truth(percent / 100));
				return bin(percent, 200, [...times(approved, [pi, true] as [number, boolean]), ...times(labels - approved, [pi, false] as [number, boolean])]);
			}),
		);
		// The lowest stratum edge whose stratified bound alone reaches 0.9.
		let stratifiedThreshold = 1;
		for (let index = strata.length - 1; index >= stratumIndex(0.5); index--) {
			const stratified = precisionAbove(strata, index)!;
			if (stratified.lowerBound >= 0.9) stratifiedThreshold = stratified.threshold;
		}
		const learned = learnThreshold(strata, { targetPrecision: 0.9, minLabelled: 100, floor: 0.5 });
		expect(learned.status).toBe('learned');
		if (learned.status === 'learned') {
			expect(learned.method).toBe('model');
			expect(learned.threshold).toBeLessThan(stratifiedThreshold);
		}
	});

	test('a model the labels above the threshold contradict is not used', () => {
		// Below 0.9 the drafts look well calibrated; at and above 0.9 reviewers reject half: the
		// stratified estimate's upper bound there is far under the target, so no model threshold.
		const strata = strataOf(
			Array.from({ length: 50 }, (_, index) => {
				const percent = 50 + index;
				const approved = percent >= 90 ? 100 : Math.round(200 * truth(percent / 100));
				return bin(percent, 200, [...times(approved, [1, true] as [number, boolean]), ...times(200 - approved, [1, false] as [number, boolean])]);
			}),
		);
		const learned = learnThreshold(strata, { targetPrecision: 0.95, minLabelled: 100, floor: 0.5 });
		expect(learned.status).toBe('unreachable');
	});
});
