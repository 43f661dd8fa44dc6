/**
 * The Confidence Gate benchmark (issue 12): seeded draft streams with known truth, driven through
 * the compiled Confidence Gate and Feedback Log nodes over the embedded HITL store, per scenario,
 * seed and strategy; per phase it prints escalation, auto-send precision by the truth, wrong
 * auto-sends, detection delay and false alarms. See README.md.
 *
 * The nodes read the wall clock; the benchmark fakes only `Date` (jest's modern fake timers with
 * every other timer real) and moves it to each batch's simulated arrival time.
 */
import { readFileSync, writeFileSync } from 'node:fs';

import { gateStrategies } from './gateConfig';
import { bestFixedInHindsight, errorRate, measurePhases, median, thresholdTrajectory } from './measure';
import { LEGEND, renderCriteria, renderScenario, type ScenarioResult } from './report';
import { generateStream, SCENARIOS, type Scenario } from './scenarios';
import { simulate } from './simulate';

interface BenchConfig {
	drafts: number;
	seeds: number[];
	batchSize: number;
	draftsPerDay: number;
	auditPercent: number;
	reviewerNoise: number;
	targetPrecision: number;
	intentThreshold: boolean;
	learnDays: number;
	driftAlarmEvery: number;
	scenarios: string[];
	strategies: string[];
	json?: string;
	/** Set by run.js --jobs: this process runs part `index` of `of` and writes raw results to partOut. */
	part?: { index: number; of: number };
	partOut?: string;
	/** Set by run.js --jobs: render the parts' raw results instead of running. */
	merge?: string[];
}

function readConfig(args: string): BenchConfig {
	const flags = new Map<string, string>();
	for (const arg of args.split(/\s+/).filter(Boolean)) {
		const match = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
		if (!match) throw new Error(`Unknown argument "${arg}": flags look like --drafts=2000`);
		flags.set(match[1], match[2] ?? 'true');
	}
	const full = flags.get('full') === 'true';
	const known = ['full', 'drafts', 'seeds', 'batch', 'per-day', 'audit', 'noise', 'target', 'no-intent-threshold', 'learn-days', 'alarm-every', 'scenarios', 'strategies', 'json', 'part', 'part-out', 'merge'];
	for (const name of flags.keys()) if (!known.includes(name)) throw new Error(`Unknown flag --${name} (known: ${known.join(', ')})`);
	const number = (name: string, fallback: number) => {
		const value = flags.has(name) ? Number(flags.get(name)) : fallback;
		if (!Number.isFinite(value)) throw new Error(`--${name} must be a number`);
		return value;
	};
	const list = (name: string, fallback: string[]) => (flags.get(name)?.split(',').filter(Boolean) ?? fallback);
	const scenarios = list('scenarios', SCENARIOS.map((scenario) => scenario.key));
	for (const key of scenarios) if (!SCENARIOS.some((scenario) => scenario.key === key)) throw new Error(`Unknown scenario "${key}"`);
	return {
		drafts: number('drafts', full ? 10_000 : 4_000),
		seeds: list('seeds', full ? ['1', '2', '3', '4', '5'] : ['1']).map(Number),
		batchSize: number('batch', 50),
		draftsPerDay: number('per-day', 1000),
		auditPercent: number('audit', 5),
		reviewerNoise: number('noise', 0),
		targetPrecision: number('target', 0.95),
		intentThreshold: !flags.has('no-intent-threshold'),
		learnDays: number('learn-days', 2),
		driftAlarmEvery: number('alarm-every', 10_000),
		scenarios,
		strategies: list('strategies', ['fixed', 'learned', 'detector']),
		json: flags.get('json'),
		part: flags.has('part') ? { index: Number(flags.get('part')!.split('/')[0]), of: Number(flags.get('part')!.split('/')[1]) } : undefined,
		partOut: flags.get('part-out'),
		merge: flags.get('merge')?.split(','),
	};
}

const write = (text: string) => process.stdout.write(`${text}\n`);

/** One scenario's results as a part run writes them for the merge (the scenario by its key). */
type SerialisedResult = Omit<ScenarioResult, 'scenario'> & { scenario: string };

/**
 * Runs the streams of the given (scenario, seed) pairs through every strategy. The nodes read
 * Date; only Date is simulated (n8n-core and the store keep real timers).
 */
async function runPairs(config: BenchConfig, pairs: { scenario: Scenario; seed: number }[]): Promise<ScenarioResult[]> {
	jest.useFakeTimers({
		doNotFake: ['hrtime', 'nextTick', 'performance', 'queueMicrotask', 'setImmediate', 'clearImmediate', 'setInterval', 'clearInterval', 'setTimeout', 'clearTimeout'],
	});
	const startMs = Date.parse('2026-03-02T08:00:00Z');
	const strategies = gateStrategies(config).filter((strategy) => config.strategies.includes(strategy.key));
	const intentThresholdIntent = config.intentThreshold ? 'refund' : undefined;
	const results = new Map<string, ScenarioResult>();
	try {
		for (const { scenario, seed } of pairs) {
			let result = results.get(scenario.key);
			if (!result) {
				result = {
					scenario,
					seeds: [],
					hindsight: [],
					errorRates: [],
					strategies: strategies.map((strategy) => ({ key: strategy.key, label: strategy.label, detects: strategy.detects, perSeed: [], trajectories: [] })),
				};
				results.set(scenario.key, result);
			}
			const stream = generateStream(scenario, { drafts: config.drafts, seed, reviewerNoise: config.reviewerNoise });
			result.seeds.push(seed);
			result.errorRates.push(scenario.phases.map((phase) => errorRate(stream, phase)));
			result.hindsight.push(scenario.phases.map((phase) => bestFixedInHindsight(stream, phase, config.targetPrecision, intentThresholdIntent ? { intent: intentThresholdIntent, threshold: 0.95 } : undefined)));
			for (const [position, strategy] of strategies.entries()) {
				const runStarted = performance.now();
				const outcomes = await simulate(stream, strategy, {
					batchSize: config.batchSize,
					draftsPerDay: config.draftsPerDay,
					startMs,
					setClock: (ms) => jest.setSystemTime(ms),
				});
				result.strategies[position].perSeed.push(measurePhases(scenario, stream, outcomes, { batchSize: config.batchSize, intentThresholdIntent }));
				result.strategies[position].trajectories.push(thresholdTrajectory(stream, outcomes, intentThresholdIntent));
				process.stderr.write(`  ${scenario.key}, seed ${seed}, ${strategy.label}: ${stream.length} drafts in ${((performance.now() - runStarted) / 1000).toFixed(0)} s\n`);
			}
		}
	} finally {
		jest.useRealTimers();
	}
	return [...results.values()];
}

/** The parts' results, one per scenario in the run's order, seeds in the run's order. */
function mergeParts(config: BenchConfig, parts: SerialisedResult[][]): ScenarioResult[] {
	const merged: ScenarioResult[] = [];
	for (const scenario of SCENARIOS.filter((entry) => config.scenarios.includes(entry.key))) {
		const pieces = parts.flat().filter((part) => part.scenario === scenario.key);
		if (pieces.length === 0) continue;
		const bySeed = pieces.flatMap((piece) => piece.seeds.map((seed, index) => ({ seed, piece, index })));
		bySeed.sort((x, y) => config.seeds.indexOf(x.seed) - config.seeds.indexOf(y.seed));
		merged.push({
			scenario,
			seeds: bySeed.map((entry) => entry.seed),
			hindsight: bySeed.map((entry) => entry.piece.hindsight[entry.index]),
			errorRates: bySeed.map((entry) => entry.piece.errorRates[entry.index]),
			strategies: pieces[0].strategies.map((strategy, position) => ({
				...strategy,
				perSeed: bySeed.map((entry) => entry.piece.strategies[position].perSeed[entry.index]),
				trajectories: bySeed.map((entry) => entry.piece.strategies[position].trajectories[entry.index]),
			})),
		});
	}
	return merged;
}

function describeRun(config: BenchConfig): string {
	return (
		`Confidence Gate benchmark: ${config.drafts} drafts x seeds ${config.seeds.join(',')}, batches of ${config.batchSize}, ` +
		`${config.draftsPerDay} drafts/day, audit ${config.auditPercent} %, reviewer noise ${config.reviewerNoise}, target ${config.targetPrecision}` +
		`${config.intentThreshold ? ', refund at 0.95' : ', no intent threshold'}\n`
	);
}

function writeJson(file: string, config: BenchConfig, results: ScenarioResult[]): void {
	const serialised = results.map((result) => ({
		scenario: result.scenario.key,
		phases: result.scenario.phases,
		seeds: result.seeds,
		hindsight: result.hindsight,
		errorRates: result.errorRates,
		// the applied thresholds of every draft are summarised by their median
		strategies: result.strategies.map((strategy) => ({
			...strategy,
			perSeed: strategy.perSeed.map((perPhase) => perPhase.map(({ thresholds, ...counts }) => ({ ...counts, medianThreshold: median(thresholds) }))),
		})),
	}));
	writeFileSync(file, JSON.stringify({ config, results: serialised }, null, 1));
}

test('Confidence Gate benchmark', async () => {
	const config = readConfig(process.env.GATE_BENCH_ARGS ?? '');
	const started = performance.now();
	const cpuBefore = process.cpuUsage();
	const pairs = SCENARIOS.filter((scenario) => config.scenarios.includes(scenario.key)).flatMap((scenario) =>
		config.seeds.map((seed) => ({ scenario, seed })),
	);

	if (config.part) {
		if (!config.partOut || !(config.part.index >= 1 && config.part.index <= config.part.of)) throw new Error('--part=k/n needs 1 <= k <= n and --part-out=FILE');
		// one of run.js's parallel jobs: every jobs-th pair, raw results for the merge
		const { index, of } = config.part;
		const results = await runPairs(config, pairs.filter((_, position) => position % of === index - 1));
		const cpu = process.cpuUsage(cpuBefore);
		const serialised: SerialisedResult[] = results.map((result) => ({ ...result, scenario: result.scenario.key }));
		writeFileSync(config.partOut!, JSON.stringify({ cpuSeconds: (cpu.user + cpu.system) / 1e6, results: serialised }));
		return;
	}

	let results: ScenarioResult[];
	let cpuSeconds: number;
	if (config.merge) {
		const parts = config.merge.map((file) => JSON.parse(readFileSync(file, 'utf8')) as { cpuSeconds: number; results: SerialisedResult[] });
		results = mergeParts(config, parts.map((part) => part.results));
		cpuSeconds = parts.reduce((total, part) => total + part.cpuSeconds, 0);
	} else {
		results = await runPairs(config, pairs);
		const cpu = process.cpuUsage(cpuBefore);
		cpuSeconds = (cpu.user + cpu.system) / 1e6;
	}
	write(describeRun(config));
	for (const result of results) {
		write(renderScenario(result, config.targetPrecision));
		write('');
	}
	write(renderCriteria(results, config.targetPrecision));
	write('');
	write(LEGEND);
	const wall = config.merge ? '' : `${((performance.now() - started) / 1000).toFixed(0)} s wall, `;
	write(`\n(${wall}${cpuSeconds.toFixed(0)} s CPU${config.merge ? ` in ${config.merge.length} jobs` : ''})`);
	if (config.json) writeJson(config.json, config, results);
});
