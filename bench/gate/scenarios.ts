/**
 * The seeded draft streams of the gate benchmark, with known truth. Pure: no n8n, no store.
 *
 * Every draft has an intent, a confidence score and a hidden truth "a reviewer would have approved
 * it unchanged" (acceptable). The model behind a stream is stated, not learned:
 *
 * - score: logit(score) ~ Normal(mean, sd), rounded to 2 decimals as verbalised scores are;
 * - calibration: P(acceptable | score) = sigmoid(a + b · logit(score)) (a = 0, b = 1 is a perfectly
 *   calibrated score), or a constant (an uninformative score, independent of the truth);
 * - drift: the error rate 1 − P(acceptable | score) is multiplied by a factor (2 = "doubles") at
 *   every score, for all drafts or for one intent only.
 *
 * The simulated reviewer labels a reviewed draft by its truth (approved when acceptable, edited or
 * rejected otherwise), flipped with a stated noise probability.
 */
import { seededRandom } from '../../test/unit/store/fixtures/decisions';

export const INTENTS = [
	{ intent: 'refund', share: 0.2 },
	{ intent: 'delivery', share: 0.3 },
	{ intent: 'product', share: 0.2 },
	{ intent: 'account', share: 0.15 },
	{ intent: 'other', share: 0.15 },
] as const;

export type Intent = (typeof INTENTS)[number]['intent'];

export type Calibration = { a: number; b: number } | { constant: number };

export interface ModelState {
	promptVersion: string;
	scoreMean: number;
	scoreSd: number;
	calibration: Calibration;
	/** Multiplies the error rate at every score (1: no drift). */
	errorFactor: number;
}

/** A stretch of the stream, as a fraction of it, with what is true there. */
export interface Phase {
	name: string;
	from: number;
	to: number;
	/** Evidence is still accruing: the "done when" criteria are not judged here. */
	warmUp: boolean;
	/** The slice whose error rate is raised in this phase ('all' or an intent), if any. */
	drifting?: 'all' | Intent;
	/** A drift of this slice ended where this phase starts: the detector should close here. */
	recoveredFrom?: 'all' | Intent;
	/** Alarms here are not judged (e.g. a new prompt version: a change, but not a drift of the old one). */
	alarmsNotJudged?: boolean;
}

export interface Scenario {
	key: string;
	title: string;
	/** What each phase means, in one sentence, for the printout and the README. */
	story: string;
	phases: Phase[];
	/** The model for a draft at a position (fraction of the stream) and of an intent. */
	modelAt(position: number, intent: Intent): ModelState;
}

export interface Draft {
	index: number;
	caseId: string;
	intent: Intent;
	model: string;
	promptVersion: string;
	score: number;
	acceptable: boolean;
	/** What the simulated reviewer says if the draft is reviewed (truth, flipped with the noise rate). */
	reviewerDecision: 'approved' | 'edited' | 'rejected';
	/** The truth's probability, for checks: P(acceptable | score) under the model of the moment. */
	pAcceptable: number;
}

/** The base model: somewhat overconfident (an error rate of 13.9 %, 28 % among drafts the template reviews). */
const BASE: ModelState = { promptVersion: 'v1', scoreMean: 2.2, scoreSd: 1.2, calibration: { a: -0.2, b: 1.2 }, errorFactor: 1 };

const phasesWithDrift = (slice: 'all' | Intent): Phase[] => [
	{ name: 'warm-up', from: 0, to: 0.2, warmUp: true },
	{ name: 'stable', from: 0.2, to: 0.5, warmUp: false },
	{ name: `drift (${slice === 'all' ? 'all' : slice} errors x2)`, from: 0.5, to: 0.7, warmUp: false, drifting: slice },
	{ name: 'recovered', from: 0.7, to: 1, warmUp: false, recoveredFrom: slice },
];

const steady = (): Phase[] => [
	{ name: 'warm-up', from: 0, to: 0.2, warmUp: true },
	{ name: 'steady', from: 0.2, to: 1, warmUp: false },
];

const inPhase = (phase: Phase, position: number) => position >= phase.from && position < phase.to;

export const SCENARIOS: Scenario[] = [
	{
		key: 'degrade',
		title: '(a) the model degrades halfway and recovers',
		story: 'From 50 % to 70 % of the stream every draft\'s error rate doubles; from 70 % the model is as before.',
		phases: phasesWithDrift('all'),
		modelAt(position) {
			return { ...BASE, errorFactor: position >= 0.5 && position < 0.7 ? 2 : 1 };
		},
	},
	{
		key: 'intent',
		title: '(b) a drift in one intent only (refund, 20 % of traffic)',
		story: 'From 50 % to 70 % of the stream the error rate of refund drafts doubles; other intents do not change.',
		phases: phasesWithDrift('refund'),
		modelAt(position, intent) {
			return { ...BASE, errorFactor: intent === 'refund' && position >= 0.5 && position < 0.7 ? 2 : 1 };
		},
	},
	{
		key: 'uninformative',
		title: '(c) an uninformative score',
		story: 'The score is independent of the truth: 86 % of drafts are acceptable at every score, so no threshold reaches 0.95.',
		phases: steady(),
		modelAt() {
			return { ...BASE, calibration: { constant: 0.86 } };
		},
	},
	{
		key: 'calibrated',
		title: '(d) a perfectly calibrated model',
		story: 'P(acceptable | score) = score, scores a little higher than the base model\'s; nothing changes.',
		phases: steady(),
		modelAt() {
			return { ...BASE, scoreMean: 2.5, calibration: { a: 0, b: 1 } };
		},
	},
	{
		key: 'prompt',
		title: '(e) a new prompt version arrives mid-stream',
		story:
			'At 50 % every draft comes from prompt v2: it sounds surer (higher scores) and is more overconfident at a given score.',
		phases: [
			{ name: 'warm-up (v1)', from: 0, to: 0.2, warmUp: true },
			{ name: 'v1', from: 0.2, to: 0.5, warmUp: false },
			{ name: 'warm-up (v2)', from: 0.5, to: 0.6, warmUp: true, alarmsNotJudged: true },
			{ name: 'v2', from: 0.6, to: 1, warmUp: false, alarmsNotJudged: true },
		],
		modelAt(position) {
			return position < 0.5 ? BASE : { ...BASE, promptVersion: 'v2', scoreMean: 3.0, calibration: { a: -0.8, b: 1.1 } };
		},
	},
];

export function phaseOf(scenario: Scenario, position: number): Phase {
	return scenario.phases.find((phase) => inPhase(phase, position)) ?? scenario.phases[scenario.phases.length - 1];
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
const logit = (p: number) => Math.log(p / (1 - p));

export function pAcceptable(model: ModelState, score: number): number {
	const calibrated =
		'constant' in model.calibration
			? model.calibration.constant
			: sigmoid(model.calibration.a + model.calibration.b * logit(Math.min(0.995, Math.max(0.005, score))));
	return Math.max(0, 1 - (1 - calibrated) * model.errorFactor);
}

/** A standard normal draw (Box–Muller). */
function normal(random: () => number): number {
	const u = 1 - random();
	return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

function pickIntent(u: number): Intent {
	let sum = 0;
	for (const { intent, share } of INTENTS) {
		sum += share;
		if (u < sum) return intent;
	}
	return INTENTS[INTENTS.length - 1].intent;
}

/** A small stable hash so each scenario gets its own stream for the same seed. */
function hashKey(text: string): number {
	let hash = 2166136261;
	for (const char of text) hash = Math.imul(hash ^ char.charCodeAt(0), 16777619) >>> 0;
	return hash;
}

export interface StreamOptions {
	drafts: number;
	seed: number;
	/** Probability that the reviewer's label contradicts the truth. */
	reviewerNoise: number;
}

export function generateStream(scenario: Scenario, options: StreamOptions): Draft[] {
	const random = seededRandom((hashKey(scenario.key) ^ Math.imul(options.seed, 0x9e3779b1)) >>> 0);
	const drafts: Draft[] = [];
	for (let index = 0; index < options.drafts; index++) {
		const position = index / options.drafts;
		const intent = pickIntent(random());
		const model = scenario.modelAt(position, intent);
		const score = Math.round(sigmoid(model.scoreMean + model.scoreSd * normal(random)) * 100) / 100;
		const p = pAcceptable(model, score);
		const acceptable = random() < p;
		const says = random() < options.reviewerNoise ? !acceptable : acceptable;
		// Of the drafts a reviewer will not send as they are, most get edited, some rejected.
		const overrideKind = random() < 0.7 ? 'edited' : 'rejected';
		drafts.push({
			index,
			caseId: `${scenario.key}-s${options.seed}-${index}`,
			intent,
			model: 'sim-model',
			promptVersion: model.promptVersion,
			score,
			acceptable,
			reviewerDecision: says ? 'approved' : overrideKind,
			pAcceptable: p,
		});
	}
	return drafts;
}
