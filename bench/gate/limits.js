#!/usr/bin/env node
// What a gate can reach on bench/gate's base model, beyond the benchmark's few thousand drafts.
//
// 1. The price of safety against an undetected drift: per threshold, the escalation (with the
//    template's "refund at 0.95", no audits) and the precision of what goes out alone, as the model
//    states it and under a doubling of every draft's error rate (computed on 400,000 drafts).
// 2. The drift detector, by simulation of many more drafts than
// the benchmark runs: its false alarms per 10,000 drafts without drift, and its detection delay
// after a doubling of the error rate (whole workflow, or one intent at 20 % of traffic), in reviewed
// drafts of the drifting slice, as bench/gate counts it (an alarm reaches the drafts of the run
// after the labels that opened it). The detector and its baseline are the package's compiled code
// (dist/: strataOf, expectedOverride, advanceDetector), over a rolling window of labelled drafts as
// the gate's store read gives it; only the routing is simplified to a fixed policy (a threshold,
// refund at 0.95, an audit rate), where the gate's learned threshold moves a little.
//
//   npm run build && node bench/gate/limits.js [--alarm-every=10000,5000] [--increase=2,1.5] [--drafts=300000]
//     [--runs=200] [--threshold=0.88] [--audit=0.07] [--window=3000] [--batch=50] [--seed=1]
//
// The draft model is bench/gate/scenarios.ts's BASE (logit score ~ Normal(2.2, 1.2), rounded to
// percents; P(acceptable | score) = sigmoid(-0.2 + 1.2·logit(score)); intents as INTENTS there).
const path = require('node:path');
const dist = (file) => require(path.join(__dirname, '..', '..', 'dist', 'nodes', 'shared', 'calibration', file));
const { strataOf } = dist('strata.js');
const { expectedOverride } = dist('estimatePrecision.js');
const { advanceDetector, WHOLE_WORKFLOW } = dist('driftDetector.js');
const { MIN_BASELINE_LABELS } = require(path.join(__dirname, '..', '..', 'dist', 'nodes', 'ConfidenceGate', 'learnFromReviews.js'));

const flags = new Map(process.argv.slice(2).map((arg) => { const [k, v] = arg.replace(/^--/, '').split('='); return [k, v ?? 'true']; }));
const num = (name, fallback) => (flags.has(name) ? Number(flags.get(name)) : fallback);
const alarmEvery = (flags.get('alarm-every') ?? '10000').split(',').map(Number);
// k of the detector (Detect an Override Rate Increase Of): the drift simulated is always a doubling.
const increases = (flags.get('increase') ?? '2').split(',').map(Number);
const DRAFTS = num('drafts', 300_000), RUNS = num('runs', 200), T = num('threshold', 0.88), AUDIT = num('audit', 0.07);
const WINDOW = num('window', 3000), BATCH = num('batch', 50);
const INTENTS = [['refund', 0.2], ['delivery', 0.3], ['product', 0.2], ['account', 0.15], ['other', 0.15]];

let state = num('seed', 1) >>> 0;
const random = () => { state = (state + 0x6d2b79f5) | 0; let t = Math.imul(state ^ (state >>> 15), 1 | state); t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t; return ((t ^ (t >>> 14)) >>> 0) / 4294967296; };
const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
const sigmoid = (x) => 1 / (1 + Math.exp(-x));
const logit = (p) => Math.log(p / (1 - p));
const pAcceptable = (score) => sigmoid(-0.2 + 1.2 * logit(Math.min(0.995, Math.max(0.005, score))));
function intentOf(u) { let sum = 0; for (const [name, share] of INTENTS) { sum += share; if (u < sum) return name; } return 'other'; }

/** One draft, routed by the fixed policy; `drifting`: its error rate is doubled. */
function draft(drifting) {
	const score = Math.round(sigmoid(2.2 + 1.2 * normal()) * 100) / 100;
	const intent = intentOf(random());
	const threshold = intent === 'refund' ? Math.max(T, 0.95) : T;
	const pi = score < threshold ? 1 : AUDIT;
	const labelled = random() < pi;
	const q = 1 - pAcceptable(score);
	const approved = random() >= Math.min(1, q * (drifting(intent) ? 2 : 1));
	return { score, intent, pi, labelled, approved };
}

/** The window of routed drafts as the store's per-percent bins, added and removed incrementally. */
function newWindow() {
	const bins = Array.from({ length: 101 }, (_, percent) => ({ percent, routed: 0, labelled: 0, weight: 0, weightSquared: 0, weightApproved: 0, weightSquaredApproved: 0 }));
	const queue = [];
	const apply = (d, sign) => {
		const bin = bins[Math.round(d.score * 100)];
		bin.routed += sign;
		if (!d.labelled) return;
		const w = 1 / d.pi;
		bin.labelled += sign; bin.weight += sign * w; bin.weightSquared += sign * w * w;
		if (d.approved) { bin.weightApproved += sign * w; bin.weightSquaredApproved += sign * w * w; }
	};
	return {
		add(d) { queue.push(d); apply(d, 1); while (queue.length > WINDOW) apply(queue.shift(), -1); },
		strata: () => strataOf(bins.filter((bin) => bin.routed > 0)),
	};
}

/** Routes a batch, records it, then feeds its labels to the detector (as the gate's next run does). */
function batchStep(window, detector, settings, drifting, counter) {
	const batch = Array.from({ length: BATCH }, () => draft(drifting));
	for (const d of batch) window.add(d);
	const strata = window.strata();
	const labelled = batch.filter((d) => d.labelled).map((d) => {
		counter.id++;
		return { id: String(counter.id), slice: d.intent, overridden: !d.approved, expectedOverride: expectedOverride(strata, d.score, MIN_BASELINE_LABELS), at: '' };
	});
	return { batch, detector: advanceDetector(detector, labelled, settings) };
}

const openSlices = (detector) => new Set(Object.entries(detector.slices).filter(([, s]) => s.open).map(([key]) => key));

function falseAlarms(settings) {
	const window = newWindow();
	let detector = { slices: {} };
	const counter = { id: 0 };
	let alarms = 0, drafts = 0, labelled = 0;
	for (let b = 0; b * BATCH < DRAFTS + WINDOW; b++) {
		const before = openSlices(detector);
		const step = batchStep(window, detector, settings, () => false, counter);
		detector = step.detector;
		if (b * BATCH < WINDOW) continue; // the window fills first
		drafts += BATCH;
		labelled += step.batch.filter((d) => d.labelled).length;
		// Openings within one run are one alarm (as bench/gate clusters them).
		if ([...openSlices(detector)].some((key) => !before.has(key))) alarms++;
	}
	return { alarms, drafts, labelled };
}

function detection(settings, slice) {
	const window = newWindow();
	let detector = { slices: {} };
	const counter = { id: 0 };
	const inSlice = (intent) => slice === 'all' || intent === slice;
	for (let b = 0; b * BATCH < WINDOW; b++) detector = batchStep(window, detector, settings, () => false, counter).detector;
	const reset = (s) => ({ ...s, up: 0 }); // a run that starts in control (no alarm pending)
	detector = { ...detector, slices: Object.fromEntries(Object.entries(detector.slices).map(([k, s]) => [k, reset(s)])) };
	let reviewed = 0;
	for (let b = 0; b < 400; b++) {
		const step = batchStep(window, detector, settings, inSlice, counter);
		detector = step.detector;
		reviewed += step.batch.filter((d) => d.labelled && inSlice(d.intent)).length;
		const keys = slice === 'all' ? [WHOLE_WORKFLOW] : [WHOLE_WORKFLOW, slice];
		if (keys.some((key) => detector.slices[key]?.open)) return reviewed;
	}
	return Infinity;
}

const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
function poissonInterval(k) {
	// Exact 95 % interval by bisection on the Poisson CDF (small k).
	const cdf = (x, mu) => { let term = Math.exp(-mu), sum = term; for (let i = 1; i <= x; i++) { term *= mu / i; sum += term; } return sum; };
	const solve = (f) => { let lo = 0, hi = 10 * (k + 5); for (let i = 0; i < 100; i++) { const mid = (lo + hi) / 2; if (f(mid)) lo = mid; else hi = mid; } return lo; };
	return [k === 0 ? 0 : solve((mu) => 1 - cdf(k - 1, mu) < 0.025), solve((mu) => cdf(k, mu) > 0.025)];
}

function marginCurve() {
	const drafts = Array.from({ length: 400_000 }, () => ({ score: Math.round(sigmoid(2.2 + 1.2 * normal()) * 100) / 100, refund: random() < 0.2 }));
	console.log('Threshold, escalation (refund at 0.95, no audits), precision above it by the model, and under a doubling of every error rate:');
	let hindsight;
	for (let percent = 84; percent <= 96; percent++) {
		let auto = 0, acceptable = 0, acceptableDrifted = 0;
		for (const d of drafts) {
			if (d.score < (d.refund ? Math.max(percent, 95) : percent) / 100 - 1e-9) continue;
			const p = pAcceptable(d.score);
			auto++; acceptable += p; acceptableDrifted += 1 - 2 * (1 - p);
		}
		const escalation = 1 - auto / drafts.length;
		if (hindsight === undefined && acceptable / auto >= 0.95) hindsight = escalation;
		const ratio = hindsight === undefined ? '' : `  ${(escalation / hindsight).toFixed(2)} x the lowest threshold reaching 0.95`;
		console.log(`  ${(percent / 100).toFixed(2)}  escalated ${(escalation * 100).toFixed(1)} %  precision ${(acceptable / auto).toFixed(4)}  doubled errors ${(acceptableDrifted / auto).toFixed(4)}${ratio}`);
	}
}

if (!flags.has('no-curve')) marginCurve();
console.log(`\nDrift detector on bench/gate's base model: threshold ${T} (refund ${Math.max(T, 0.95)}), audit ${AUDIT}, window ${WINDOW} drafts, batches of ${BATCH}`);
for (const increase of increases) for (const every of alarmEvery) {
	const settings = { alarmEvery: every, increase };
	const fa = falseAlarms(settings);
	const [low, high] = poissonInterval(fa.alarms);
	const per10k = (x) => ((x / fa.drafts) * 10_000).toFixed(2);
	console.log(`\nFalse Alarm: One per Labelled Drafts = ${every}, tuned for an increase of ${increase} x`);
	console.log(`  without drift: ${fa.alarms} alarms in ${fa.drafts} drafts (${fa.labelled} labelled) = ${per10k(fa.alarms)} per 10,000 drafts [95 % CI ${per10k(low)}, ${per10k(high)}]`);
	for (const slice of ['all', 'refund']) {
		const delays = Array.from({ length: RUNS }, () => detection(settings, slice)).sort((a, b) => a - b);
		const mean = delays.reduce((a, b) => a + b, 0) / delays.length;
		const within = delays.filter((d) => d <= 60).length / delays.length;
		console.log(`  doubling of ${slice === 'all' ? 'every draft' : 'refund (20 %)'}: reviewed drafts of the slice before the alarm — mean ${mean.toFixed(1)}, median ${quantile(delays, 0.5)}, 80th ${quantile(delays, 0.8)}, 90th ${quantile(delays, 0.9)}; within 60 in ${(within * 100).toFixed(0)} % of ${RUNS} runs`);
	}
}
