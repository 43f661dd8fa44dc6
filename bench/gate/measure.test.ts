/**
 * The benchmark's own measures on hand-made streams with hand-computed answers: a benchmark's
 * figures are claims too. Runs with the benchmark (bench/gate/jest.config.js), not in the test tiers.
 */
import { bestFixedInHindsight, measurePhases, wilson } from './measure';
import { generateStream, pAcceptable, SCENARIOS, type Draft, type Intent, type Scenario } from './scenarios';
import type { DraftOutcome } from './simulate';

const draft = (index: number, intent: Intent, score: number, acceptable: boolean, p = acceptable ? 1 : 0): Draft => ({
	index,
	caseId: `c${index}`,
	intent,
	model: 'm',
	promptVersion: 'v1',
	score,
	acceptable,
	reviewerDecision: acceptable ? 'approved' : 'edited',
	pAcceptable: p,
});

const outcome = (route: DraftOutcome['route'], alarm = false): DraftOutcome => ({ route, sampledForAudit: false, threshold: 0.85, alarm });

describe('gate benchmark measures', () => {
	test('Wilson interval: 95 of 100 → [0.888, 0.978] (by hand: (0.9692 ∓ 0.0468) / 1.0384)', () => {
		const { low, high } = wilson(95, 100);
		expect(low).toBeCloseTo(0.8883, 3);
		expect(high).toBeCloseTo(0.9785, 3);
	});

	test('best fixed in hindsight: the lowest threshold whose expected precision reaches the target', () => {
		const phase = { name: 'all', from: 0, to: 1, warmUp: false };
		// p by score: 0.99, 0.97, 0.93, 0.90, 0.50 → cumulative means 0.99, 0.98, 0.963, 0.9475, 0.858
		const stream = [0.99, 0.97, 0.93, 0.9, 0.5].map((p, index) => draft(index, 'other', p, index !== 1, p));
		const best = bestFixedInHindsight(stream, phase, 0.95);
		expect(best).toMatchObject({ threshold: 0.93, auto: 3, autoAcceptable: 2, escalated: 2, drafts: 5 });
		expect(bestFixedInHindsight(stream, phase, 0.999)).toEqual({ escalated: 5, auto: 0, autoAcceptable: 0, drafts: 5 });
	});

	test('best fixed in hindsight under the gate\'s intent rule: the rule applies to the hindsight too', () => {
		const phase = { name: 'all', from: 0, to: 1, warmUp: false };
		const stream = [
			draft(0, 'other', 0.99, true, 0.99),
			draft(1, 'refund', 0.93, false, 0.5),
			draft(2, 'other', 0.93, true, 0.93),
			draft(3, 'other', 0.9, true, 0.9),
			draft(4, 'other', 0.5, false, 0.5),
		];
		// Refund only at ≥ 0.95: at t = 0.93 the others give (0.99 + 0.93)/2 = 0.96; at 0.90 (0.99 + 0.93 + 0.90)/3 = 0.94.
		expect(bestFixedInHindsight(stream, phase, 0.95, { intent: 'refund', threshold: 0.95 })).toMatchObject({ threshold: 0.93, auto: 2, escalated: 3 });
		// Without the rule the refund draft at 0.93 counts: (0.99 + 0.5 + 0.93)/3 = 0.807, so only 0.99 reaches 0.95.
		expect(bestFixedInHindsight(stream, phase, 0.95)).toMatchObject({ threshold: 0.99, auto: 1, escalated: 4 });
	});

	test('detection delay counts reviewed and all drafts of the drifting slice before the alarm; false alarms elsewhere', () => {
		const scenario: Scenario = {
			key: 'hand',
			title: 'hand',
			story: '',
			phases: [
				{ name: 'before', from: 0, to: 0.5, warmUp: false },
				{ name: 'drift', from: 0.5, to: 1, warmUp: false, drifting: 'refund' },
			],
			modelAt: () => ({ promptVersion: 'v1', scoreMean: 0, scoreSd: 1, calibration: { a: 0, b: 1 }, errorFactor: 1 }),
		};
		const intents: Intent[] = ['other', 'other', 'refund', 'other', 'other', 'refund', 'refund', 'other', 'refund', 'refund'];
		const stream = intents.map((intent, index) => draft(index, intent, 0.9, true));
		const outcomes = [
			outcome('auto'),
			outcome('review', true), // a false alarm of "other" in the phase without drift
			outcome('auto'),
			outcome('auto'),
			outcome('auto'),
			outcome('review'), // refund, reviewed, alarm off
			outcome('auto'), // refund, not reviewed
			outcome('auto'),
			outcome('review', true), // refund: detected after 2 refund drafts, 1 of them reviewed
			outcome('review', true),
		];
		const [before, drift] = measurePhases(scenario, stream, outcomes, { batchSize: 1, clusterWindow: 1 });
		expect(before).toMatchObject({ drafts: 5, escalated: 1, auto: 4, alarms: 1, falseAlarms: 1, alarmOn: 1 });
		expect(drift.detection).toEqual({ reviewed: 1, cases: 2 });
		expect(drift).toMatchObject({ alarms: 1, falseAlarms: 0, escalated: 3 });
	});

	test('the generator draws what the scenario states: a calibrated score matches its truth rate', () => {
		const calibrated = SCENARIOS.find((scenario) => scenario.key === 'calibrated')!;
		const stream = generateStream(calibrated, { drafts: 20_000, seed: 7, reviewerNoise: 0 });
		const mean = (values: number[]) => values.reduce((total, value) => total + value, 0) / values.length;
		const rate = mean(stream.map((entry) => (entry.acceptable ? 1 : 0)));
		// P(acceptable | score) = score, so the acceptable rate is the mean score, within 4 standard errors
		expect(Math.abs(rate - mean(stream.map((entry) => entry.score)))).toBeLessThan(4 * Math.sqrt(0.1 / 20_000));
		expect(pAcceptable(calibrated.modelAt(0, 'refund'), 0.9)).toBeCloseTo(0.9, 10);
	});
});
