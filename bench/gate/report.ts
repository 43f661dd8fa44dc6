/**
 * The printout of the gate benchmark: one table per scenario and phase, every strategy a row,
 * pooled over the seeds (counts summed; delays listed per seed). Pure text.
 */
import { median, wilson, type Hindsight, type PhaseCounts } from './measure';
import type { Scenario } from './scenarios';

export interface StrategyResult {
	key: string;
	label: string;
	detects: boolean;
	/** Per seed, per phase. */
	perSeed: PhaseCounts[][];
	/** Per seed: the applied threshold at each tenth of the stream (see thresholdTrajectory). */
	trajectories: (number | undefined)[][];
}

export interface ScenarioResult {
	scenario: Scenario;
	seeds: number[];
	hindsight: Hindsight[][]; // per seed, per phase
	/** Share of the phase's drafts that are not acceptable by the truth, per seed, per phase. */
	errorRates: { realised: number; expected: number }[][];
	strategies: StrategyResult[];
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const p3 = (x: number) => x.toFixed(3);
const pad = (text: string, width: number) => (text.length >= width ? text : text + ' '.repeat(width - text.length));
const padLeft = (text: string, width: number) => (text.length >= width ? text : ' '.repeat(width - text.length) + text);

type CountKey = 'drafts' | 'escalated' | 'auto' | 'autoAcceptable' | 'alarms' | 'falseAlarms' | 'alarmOn' | 'audits' | 'reviewed' | 'overridden';

function sum(rows: PhaseCounts[], key: CountKey): number {
	return rows.reduce((total, row) => total + row[key], 0);
}

export interface Verdict {
	precisionOk: boolean;
	escalationOk: boolean;
}

/** The issue's first "done when" criterion for one strategy in one phase, on pooled figures. */
export function verdict(rows: PhaseCounts[], hindsight: Hindsight[], target: number): Verdict {
	const auto = sum(rows, 'auto');
	const precision = auto === 0 ? 1 : sum(rows, 'autoAcceptable') / auto;
	const escalation = sum(rows, 'escalated') / sum(rows, 'drafts');
	const best = hindsight.reduce((total, h) => total + h.escalated, 0) / hindsight.reduce((total, h) => total + h.drafts, 0);
	return { precisionOk: precision >= target, escalationOk: escalation <= 1.15 * best + 1e-12 };
}

const HEADER = [
	pad('strategy', 27),
	padLeft('escalated', 9),
	padLeft('auto', 6),
	padLeft('precision [95% CI]', 24),
	padLeft('wrong', 6),
	padLeft('thr', 5),
	padLeft('rev.ovr', 7),
	padLeft('alarm on', 9),
	padLeft('alarms', 7),
	padLeft('false/10k', 10),
	'  detection delay rev/cases per seed | closed after (cases)',
].join(' ');

export function renderScenario(result: ScenarioResult, target: number): string {
	const lines: string[] = [];
	lines.push(`${result.scenario.title}`);
	lines.push(`  ${result.scenario.story}`);
	result.scenario.phases.forEach((phase, phaseIndex) => {
		const hindsight = result.hindsight.map((perPhase) => perPhase[phaseIndex]);
		const drafts = hindsight.reduce((total, h) => total + h.drafts, 0);
		const errors = result.errorRates.reduce((total, perPhase) => total + perPhase[phaseIndex].realised, 0) / result.errorRates.length;
		const expected = result.errorRates.reduce((total, perPhase) => total + perPhase[phaseIndex].expected, 0) / result.errorRates.length;
		lines.push('');
		lines.push(
			`  phase "${phase.name}" (${Math.round(phase.from * 100)}–${Math.round(phase.to * 100)} % of the stream, ${drafts} drafts over ` +
				`${result.seeds.length} seed(s), ${pct(errors)} not acceptable by the truth, model ${pct(expected)})${phase.warmUp ? ' — warm-up, not judged' : ''}`,
		);
		lines.push(`  ${HEADER}`);
		const hAuto = hindsight.reduce((total, h) => total + h.auto, 0);
		const hOk = hindsight.reduce((total, h) => total + h.autoAcceptable, 0);
		const hCi = wilson(hOk, hAuto);
		const hThresholds = hindsight.map((h) => (h.threshold === undefined ? 'none' : h.threshold.toFixed(2)));
		lines.push(
			'  ' +
				[
					pad('best fixed in hindsight', 27),
					padLeft(pct((drafts - hAuto) / drafts), 9),
					padLeft(String(hAuto), 6),
					padLeft(hAuto ? `${p3(hOk / hAuto)} [${p3(hCi.low)}, ${p3(hCi.high)}]` : '—', 24),
					padLeft(String(hAuto - hOk), 6),
					padLeft(hThresholds.length === 1 ? hThresholds[0] : '', 5),
				].join(' ') +
				(hThresholds.length > 1 ? `   thresholds per seed: ${hThresholds.join(', ')}` : ''),
		);
		for (const strategy of result.strategies) {
			const rows = strategy.perSeed.map((perPhase) => perPhase[phaseIndex]);
			const auto = sum(rows, 'auto');
			const ok = sum(rows, 'autoAcceptable');
			const ci = wilson(ok, auto);
			const threshold = median(rows.flatMap((row) => row.thresholds));
			const phaseDrafts = sum(rows, 'drafts');
			const delays = rows.map((row) => (row.detection ? `${row.detection.reviewed}/${row.detection.cases}` : 'never'));
			const closings = rows.map((row) => (row.closing ? String(row.closing.cases) : 'open'));
			let alarmsText = '';
			if (strategy.detects) {
				if (rows[0].hasDrift) alarmsText += delays.join(', ');
				if (rows[0].hasRecovery) alarmsText += ` | ${closings.join(', ')}`;
			}
			const judged = !phase.warmUp && strategy.key !== 'fixed' ? verdict(rows, hindsight, target) : undefined;
			const verdictText = judged ? (judged.precisionOk && judged.escalationOk ? '  [ok]' : `  [FAILS:${judged.precisionOk ? '' : ' precision'}${judged.escalationOk ? '' : ' escalation'}]`) : '';
			lines.push(
				'  ' +
					[
						pad(strategy.label, 27),
						padLeft(pct(sum(rows, 'escalated') / phaseDrafts), 9),
						padLeft(String(auto), 6),
						padLeft(auto ? `${p3(ok / auto)} [${p3(ci.low)}, ${p3(ci.high)}]` : '—', 24),
						padLeft(String(auto - ok), 6),
						padLeft(threshold === undefined ? '' : threshold.toFixed(2), 5),
						padLeft(pct(sum(rows, 'overridden') / Math.max(1, sum(rows, 'reviewed'))), 7),
						padLeft(strategy.detects ? pct(sum(rows, 'alarmOn') / phaseDrafts) : '', 9),
						padLeft(strategy.detects ? String(sum(rows, 'alarms')) : '', 7),
						padLeft(strategy.detects && !phase.alarmsNotJudged ? ((sum(rows, 'falseAlarms') / phaseDrafts) * 10_000).toFixed(1) : '', 10),
						`  ${alarmsText}`,
					].join(' ') + verdictText,
			);
		}
	});
	lines.push('');
	lines.push('  threshold applied at each tenth of the stream (median, intents without their own threshold):');
	for (const strategy of result.strategies) {
		strategy.trajectories.forEach((trajectory, seedIndex) => {
			const values = trajectory.map((value) => (value === undefined ? '  -  ' : value.toFixed(2))).join(' ');
			lines.push(`  ${pad(strategy.label, 27)} seed ${pad(String(result.seeds[seedIndex]), 3)} ${values}`);
		});
	}
	return lines.join('\n');
}

/**
 * Issue 12's "done when", per strategy over every scenario run: (1) precision and escalation in
 * each judged phase; (2) nothing sent alone with an uninformative score after its warm-up; (3)
 * detection within 60 reviewed drafts of the drifting slice, at most one false alarm per 10,000
 * drafts without drift, closed after recovery.
 */
export function renderCriteria(results: ScenarioResult[], target: number): string {
	const lines = ['Issue 12, "done when", on these runs:'];
	const keys = [...new Set(results.flatMap((result) => result.strategies.map((strategy) => strategy.key)))];
	for (const key of keys) {
		const label = results.flatMap((result) => result.strategies).find((strategy) => strategy.key === key)!.label;
		const failing: string[] = [];
		let judged = 0;
		let noDriftDrafts = 0;
		let falseAlarms = 0;
		const delays: string[] = [];
		let delaysOk = true;
		const closings: string[] = [];
		let uninformative = '';
		let detects = false;
		for (const result of results) {
			const strategy = result.strategies.find((entry) => entry.key === key);
			if (!strategy) continue;
			detects = strategy.detects;
			result.scenario.phases.forEach((phase, phaseIndex) => {
				const rows = strategy.perSeed.map((perPhase) => perPhase[phaseIndex]);
				if (!phase.warmUp) {
					judged++;
					const check = verdict(rows, result.hindsight.map((perPhase) => perPhase[phaseIndex]), target);
					if (!check.precisionOk || !check.escalationOk) {
						failing.push(`${result.scenario.key}/${phase.name} (${[!check.precisionOk && 'precision', !check.escalationOk && 'escalation'].filter(Boolean).join(', ')})`);
					}
				}
				if (!phase.alarmsNotJudged) {
					falseAlarms += sum(rows, 'falseAlarms');
					if (phase.drifting === undefined) noDriftDrafts += sum(rows, 'drafts');
				}
				if (phase.drifting !== undefined) {
					for (const row of rows) {
						delays.push(`${result.scenario.key}: ${row.detection ? `${row.detection.reviewed}/${row.detection.cases}` : 'never'}`);
						if (!row.detection || row.detection.reviewed > 60) delaysOk = false;
					}
				}
				if (phase.recoveredFrom !== undefined) {
					for (const row of rows) closings.push(`${result.scenario.key}: ${row.closing ? row.closing.cases : 'open'}`);
				}
				if (result.scenario.key === 'uninformative' && !phase.warmUp) {
					const auto = sum(rows, 'auto');
					uninformative = `${auto} sent alone after the warm-up (${auto - sum(rows, 'autoAcceptable')} wrong)`;
				}
			});
		}
		lines.push(`- ${label}:`);
		lines.push(`    (1) ${judged - failing.length} of ${judged} judged phases meet precision >= ${target} and escalation <= 1.15 x best fixed${failing.length ? `; failing: ${failing.join('; ')}` : ''}`);
		if (uninformative) lines.push(`    (2) uninformative score: ${uninformative}`);
		if (detects) {
			lines.push(
				`    (3) detection delay, reviewed/cases of the drifting slice: ${delays.join(', ') || 'no drift run'}${delays.length ? (delaysOk ? ' — all within 60 reviewed' : ' — NOT all within 60 reviewed') : ''}`,
			);
			lines.push(`        false alarms: ${falseAlarms} in ${noDriftDrafts} drafts without drift = ${noDriftDrafts ? ((falseAlarms / noDriftDrafts) * 10_000).toFixed(2) : '-'} per 10,000 (target <= 1)`);
			if (closings.length) lines.push(`        closed after recovery (drafts of the slice): ${closings.join(', ')}`);
		}
	}
	return lines.join('\n');
}

export const LEGEND = [
	'escalated = share of drafts not sent alone (Review incl. audit samples, Block); auto = drafts sent alone;',
	'precision = acceptable / auto-sent by the truth, 95 % Wilson interval; wrong = auto-sent and not acceptable;',
	'thr = median threshold the gate applied (drafts of intents without an intent threshold);',
	'rev.ovr = share of reviewed drafts (Review incl. audits) the reviewer edited or rejected: the raw override rate;',
	'alarm on = share of drafts with hitl.gate.breakerOpen; alarms = alarm openings starting in the phase; false/10k = openings',
	'  where nothing drifts, per 10,000 drafts; detection delay = reviewed drafts / all drafts of the drifting slice from the',
	'  drift start to the first draft with the alarm on ("never": not within the phase); closed after = drafts of the slice',
	'  after recovery until the alarm was off ("open": never in the phase).',
	'[ok] / [FAILS] = issue 12\'s first criterion on the pooled figures: precision >= target and escalation <= 1.15 x best fixed in hindsight.',
].join('\n');
