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
}

export interface ScenarioResult {
	scenario: Scenario;
	seeds: number[];
	hindsight: Hindsight[][]; // per seed, per phase
	strategies: StrategyResult[];
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const p3 = (x: number) => x.toFixed(3);
const pad = (text: string, width: number) => (text.length >= width ? text : text + ' '.repeat(width - text.length));
const padLeft = (text: string, width: number) => (text.length >= width ? text : ' '.repeat(width - text.length) + text);

function sum(rows: PhaseCounts[], key: 'drafts' | 'escalated' | 'auto' | 'autoAcceptable' | 'alarms' | 'falseAlarms' | 'alarmOn' | 'audits' | 'reviewed'): number {
	return rows.reduce((total, row) => total + row[key], 0);
}

export interface Verdict {
	precisionOk: boolean;
	escalationOk: boolean;
}

/** The first "done when" criterion for one strategy in one phase, on pooled figures. */
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
		lines.push('');
		lines.push(`  phase "${phase.name}" (${Math.round(phase.from * 100)}–${Math.round(phase.to * 100)} % of the stream, ${drafts} drafts over ${result.seeds.length} seed(s))${phase.warmUp ? ' — warm-up, not judged' : ''}`);
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
						padLeft(strategy.detects ? pct(sum(rows, 'alarmOn') / phaseDrafts) : '', 9),
						padLeft(strategy.detects ? String(sum(rows, 'alarms')) : '', 7),
						padLeft(strategy.detects && !phase.alarmsNotJudged ? ((sum(rows, 'falseAlarms') / phaseDrafts) * 10_000).toFixed(1) : '', 10),
						`  ${alarmsText}`,
					].join(' ') + verdictText,
			);
		}
	});
	return lines.join('\n');
}

export const LEGEND = [
	'escalated = share of drafts not sent alone (Review incl. audit samples, Block); auto = drafts sent alone;',
	'precision = acceptable / auto-sent by the truth, 95 % Wilson interval; wrong = auto-sent and not acceptable;',
	'thr = median threshold the gate applied (drafts of intents without an intent threshold);',
	'alarm on = share of drafts with hitl.gate.breakerOpen; alarms = alarm openings starting in the phase; false/10k = openings',
	'  where nothing drifts, per 10,000 drafts; detection delay = reviewed drafts / all drafts of the drifting slice from the',
	'  drift start to the first draft with the alarm on ("never": not within the phase); closed after = drafts of the slice',
	'  after recovery until the alarm was off ("open": never in the phase).',
	'[ok] / [FAILS] = issue 12\'s first criterion on the pooled figures: precision >= target and escalation <= 1.15 x best fixed in hindsight.',
].join('\n');
