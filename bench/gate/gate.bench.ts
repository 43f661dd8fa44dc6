/**
 * The Confidence Gate benchmark (issue 12): seeded draft streams with known truth, driven through
 * the compiled Confidence Gate and Feedback Log nodes over the embedded HITL store, per scenario,
 * seed and strategy; per phase it prints escalation, auto-send precision by the truth, wrong
 * auto-sends, detection delay and false alarms. See README.md.
 *
 * The nodes read the wall clock; the benchmark fakes only `Date` (jest's modern fake timers with
 * every other timer real) and moves it to each batch's simulated arrival time.
 */
import { writeFileSync } from 'node:fs';

import { gateStrategies } from './gateConfig';
import { bestFixedInHindsight, errorRate, measurePhases, median, thresholdTrajectory } from './measure';
import { LEGEND, renderCriteria, renderScenario, type ScenarioResult } from './report';
import { generateStream, SCENARIOS } from './scenarios';
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
	scenarios: string[];
	strategies: string[];
	json?: string;
}

function readConfig(args: string): BenchConfig {
	const flags = new Map<string, string>();
	for (const arg of args.split(/\s+/).filter(Boolean)) {
		const match = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
		if (!match) throw new Error(`Unknown argument "${arg}": flags look like --drafts=2000`);
		flags.set(match[1], match[2] ?? 'true');
	}
	const full = flags.get('full') === 'true';
	const known = ['full', 'drafts', 'seeds', 'batch', 'per-day', 'audit', 'noise', 'target', 'no-intent-threshold', 'scenarios', 'strategies', 'json'];
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
		scenarios,
		strategies: list('strategies', ['fixed', 'learned', 'detector']),
		json: flags.get('json'),
	};
}

const write = (text: string) => process.stdout.write(`${text}\n`);

test('Confidence Gate benchmark', async () => {
	const config = readConfig(process.env.GATE_BENCH_ARGS ?? '');
	// Only Date is simulated; n8n-core and the store keep real timers.
	jest.useFakeTimers({
		doNotFake: ['hrtime', 'nextTick', 'performance', 'queueMicrotask', 'setImmediate', 'clearImmediate', 'setInterval', 'clearInterval', 'setTimeout', 'clearTimeout'],
	});
	const startMs = Date.parse('2026-03-02T08:00:00Z');
	const strategies = gateStrategies(config).filter((strategy) => config.strategies.includes(strategy.key));
	const started = performance.now();
	const cpuBefore = process.cpuUsage();
	write(
		`Confidence Gate benchmark: ${config.drafts} drafts x seeds ${config.seeds.join(',')}, batches of ${config.batchSize}, ` +
			`${config.draftsPerDay} drafts/day, audit ${config.auditPercent} %, reviewer noise ${config.reviewerNoise}, target ${config.targetPrecision}` +
			`${config.intentThreshold ? ', refund at 0.95' : ', no intent threshold'}\n`,
	);
	const results: ScenarioResult[] = [];
	try {
		for (const scenario of SCENARIOS.filter((entry) => config.scenarios.includes(entry.key))) {
			const result: ScenarioResult = {
				scenario,
				seeds: config.seeds,
				hindsight: [],
				errorRates: [],
				strategies: strategies.map((strategy) => ({ key: strategy.key, label: strategy.label, detects: strategy.detects, perSeed: [], trajectories: [] })),
			};
			for (const seed of config.seeds) {
				const stream = generateStream(scenario, { drafts: config.drafts, seed, reviewerNoise: config.reviewerNoise });
				result.errorRates.push(scenario.phases.map((phase) => errorRate(stream, phase)));
				result.hindsight.push(scenario.phases.map((phase) => bestFixedInHindsight(stream, phase, config.targetPrecision)));
				for (const [position, strategy] of strategies.entries()) {
					const runStarted = performance.now();
					const outcomes = await simulate(stream, strategy, {
						batchSize: config.batchSize,
						draftsPerDay: config.draftsPerDay,
						startMs,
						setClock: (ms) => jest.setSystemTime(ms),
					});
					const intentThresholdIntent = config.intentThreshold ? 'refund' : undefined;
					result.strategies[position].perSeed.push(measurePhases(scenario, stream, outcomes, { batchSize: config.batchSize, intentThresholdIntent }));
					result.strategies[position].trajectories.push(thresholdTrajectory(stream, outcomes, intentThresholdIntent));
					process.stderr.write(`  ${scenario.key}, seed ${seed}, ${strategy.label}: ${stream.length} drafts in ${((performance.now() - runStarted) / 1000).toFixed(0)} s\n`);
				}
			}
			results.push(result);
			write(renderScenario(result, config.targetPrecision));
			write('');
		}
	} finally {
		jest.useRealTimers();
	}
	write(renderCriteria(results, config.targetPrecision));
	write('');
	write(LEGEND);
	const cpu = process.cpuUsage(cpuBefore);
	write(`\n(${((performance.now() - started) / 1000).toFixed(0)} s wall, ${((cpu.user + cpu.system) / 1e6).toFixed(0)} s CPU)`);
	if (config.json) {
		writeFileSync(
			config.json,
			JSON.stringify(
				{
					config,
					results: results.map((result) => ({
						scenario: result.scenario.key,
						phases: result.scenario.phases,
						seeds: result.seeds,
						hindsight: result.hindsight,
						// the applied thresholds of every draft are summarised by their median
						strategies: result.strategies.map((strategy) => ({
							...strategy,
							perSeed: strategy.perSeed.map((perPhase) => perPhase.map(({ thresholds, ...counts }) => ({ ...counts, medianThreshold: median(thresholds) }))),
						})),
					})),
				},
				null,
				1,
			),
		);
	}
});
