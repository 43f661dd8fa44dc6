import { breakerState, learnThresholds } from '../../../nodes/ConfidenceGate/learnFromReviews';
import type { ConfidenceBin } from '../../../nodes/shared/store/types';

/** `count` labelled drafts of one version at `percent`, `correct` of them approved unchanged. */
const bin = (percent: number, count: number, correct: number, model = 'gpt-4o-mini', promptVersion: string | null = 'v1'): ConfidenceBin => ({
	model,
	promptVersion,
	percent,
	count,
	correct,
	sumConfidence: (count * percent) / 100,
	sumSquaredError: 0,
});

const settings = { targetPrecision: 0.9, minSamples: 50, floor: 0.5 };

describe('learnThresholds', () => {
	// 100 drafts at 95% all approved, 100 at 80% with 90 approved, 100 at 60% with 40 approved.
	const bins = [bin(95, 100, 100), bin(80, 100, 90), bin(60, 100, 40), bin(90, 60, 60, 'other-model', null)];

	test('the lowest threshold whose lower bound reaches the target, per model and prompt version', () => {
		const lookup = learnThresholds(bins, settings);
		// at 0.80: 190 of 200 approved, Wilson lower bound (z 1.645) ≈ 0.919 ≥ 0.9; at 0.60: 230/300 < 0.9
		const learned = lookup('gpt-4o-mini', 'v1');
		expect(learned.value).toBe(0.8);
		expect(learned.detail).toBe('learned from 200 reviewed drafts of model gpt-4o-mini, prompt v1: 95% approved unchanged at or above it');
		expect(lookup('other-model', undefined)).toMatchObject({ value: 0.9 });
	});

	test('a version with too few reviewed drafts learns nothing, and says how far it is', () => {
		const lookup = learnThresholds(bins, settings);
		expect(lookup('gpt-4o-mini', 'v2')).toEqual({ detail: 'no threshold learned yet: 0 of 50 reviewed drafts of model gpt-4o-mini, prompt v2' });
		expect(learnThresholds([bin(90, 10, 10)], settings)('gpt-4o-mini', 'v1')).toEqual({
			detail: 'no threshold learned yet: 10 of 50 reviewed drafts of model gpt-4o-mini, prompt v1',
		});
	});

	test('a version that never reaches the target learns nothing', () => {
		const lookup = learnThresholds([bin(90, 100, 70)], settings);
		expect(lookup('gpt-4o-mini', 'v1')).toEqual({
			detail: 'no threshold learned: reviewed drafts of model gpt-4o-mini, prompt v1 do not reach a precision of 0.9 at any threshold',
		});
	});

	test('a learned threshold below the floor is raised to it', () => {
		const lookup = learnThresholds([bin(30, 200, 200)], { ...settings, floor: 0.6 });
		expect(lookup('gpt-4o-mini', 'v1')).toMatchObject({ value: 0.6, detail: expect.stringContaining('raised from 0.3 to the lowest allowed') });
	});
});

describe('breakerState', () => {
	const limits = { maxOverrideRate: 0.3, minReviewed: 20, windowHours: 24 };

	test('opens above the limit, stays closed at or below it', () => {
		expect(breakerState({ reviewed: 40, overridden: 13 }, limits)).toEqual({
			open: true,
			detail: 'reviewers edited or rejected 13 of 40 drafts (32.5%) in the last 24 h, above the limit of 30%',
		});
		expect(breakerState({ reviewed: 40, overridden: 12 }, limits)).toMatchObject({ open: false, detail: expect.stringContaining('within the limit') });
	});

	test('too few reviewed drafts never open it', () => {
		expect(breakerState({ reviewed: 19, overridden: 19 }, limits)).toEqual({
			open: false,
			detail: '19 reviewed drafts in the last 24 h, fewer than the 20 needed to judge',
		});
	});
});
