/**
 * The figures of a Metrics or Calibration report as short sentences an admin can paste into a
 * mail without knowing the field names: durations in a unit that fits (22 s, not "0 min"), a cost
 * that says how to switch it on when no price was set, and an expected calibration error with a
 * scale to read it against.
 */
import type { OversightMetrics } from './computeMetrics';
import type { SlaFigures } from './computeSlaFigures';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** One decimal below ten of a unit ("2.5 min"), whole numbers above ("14 min"). */
function amount(value: number, unit: string): string {
	const rounded = value < 10 ? Math.round(value * 10) / 10 : Math.round(value);
	return `${rounded} ${unit}`;
}

export function formatDuration(ms: number | null): string {
	if (ms === null || !Number.isFinite(ms)) return 'n/a';
	if (ms < SECOND) return 'under 1 s';
	if (ms < MINUTE) return `${Math.round(ms / SECOND)} s`;
	if (ms < HOUR) return amount(ms / MINUTE, 'min');
	if (ms < 2 * DAY) return amount(ms / HOUR, 'h');
	return amount(ms / DAY, 'days');
}

export function describeTimeToDecision(time: OversightMetrics['timeToDecision']): string {
	if (!time.count) return 'n/a (no review was answered)';
	return `median ${formatDuration(time.p50Ms)}, 90th percentile ${formatDuration(time.p90Ms)} (${time.count} answered)`;
}

/** Cents for sums a person budgets; two significant digits below a cent, so 0.004 USD is not "0.00". */
export function formatUsd(value: number): string {
	if (value === 0) return '0 USD';
	return `${value >= 0.01 ? value.toFixed(2) : Number(value.toPrecision(2)).toString()} USD`;
}

export const PRICE_HINT = "set LLM Draft's Options → Input / Output Price per 1M Tokens (USD)";

export function describeCost(cost: OversightMetrics['costUsd'], volume: number): string {
	if (!volume) return 'n/a (no decisions)';
	if (!cost.priced) return `not measured: no decision carried a price — ${PRICE_HINT} to track it`;
	const perCase = `, ${formatUsd(cost.total / cost.priced)} per decision`;
	const partial = cost.priced < volume ? ` over ${cost.priced} of ${volume} decisions (the others carried no price: ${PRICE_HINT})` : '';
	return `${formatUsd(cost.total)}${perCase}${partial}`;
}

/**
 * Reading the expected calibration error: the gap between the confidence the model stated and the
 * share reviewers approved unchanged, averaged over the drafts. The bands are this package's rule
 * of thumb for routing on the score, not a standard: within 5 points a threshold means about what
 * it says; beyond 15 it does not. With few labelled drafts the figure is noisy and biased upwards
 * (ten bins of a few drafts each differ from the truth by chance alone), so it says so.
 */
export const ECE_GOOD = 0.05;
export const ECE_POOR = 0.15;
export const ECE_MIN_SAMPLES = 100;

export function describeCalibrationError(ece: number | null, samples: number): string {
	if (ece === null) return 'n/a (no reviewed drafts yet)';
	const points = Math.round(ece * 1000) / 10;
	const verdict =
		ece < ECE_GOOD
			? 'good: the scores mean about what they say'
			: ece <= ECE_POOR
				? 'fair: read the threshold with care'
				: 'poor: the scores do not match what reviewers do';
	const few = samples < ECE_MIN_SAMPLES ? `; from only ${samples} reviewed drafts, so a rough figure` : '';
	return (
		`${ece.toFixed(3)} — ${verdict} (confidence is off from the approval rate by ${points} points on average; ` +
		`0 is perfect, under ${ECE_GOOD} good, over ${ECE_POOR} poor${few})`
	);
}

const percentOf = (share: number) => `${Math.round(share * 100)} %`;

/** "83 % (5 of 6; 95 % bounds 49–97 %)": a share within target with its Wilson bounds and counts. */
export function describeWithinTarget(within: SlaFigures['withinTarget']): string {
	if (!within.judged) {
		return within.open ? `n/a (${within.open} review${within.open === 1 ? '' : 's'} still inside the target)` : 'n/a (no review with a target)';
	}
	const bounds = `one-sided 95 % bounds ${percentOf(within.lowerBound as number)}–${percentOf(within.upperBound as number)}`;
	const open = within.open ? `; ${within.open} still inside the target not counted` : '';
	return `${percentOf(within.share as number)} (${within.met} of ${within.judged}; ${bounds}${open})`;
}

function describeDuration(time: SlaFigures['timeToFirstAnswer'], what: string): string {
	if (!time.count) return `n/a (no review was ${what})`;
	return `median ${formatDuration(time.p50Ms)}, 90th percentile ${formatDuration(time.p90Ms)} (${time.count} ${what})`;
}

/** The SLA figures as sentences for a report mail: the whole period, then each priority. */
export function describeSla(sla: SlaFigures) {
	const byPriority = sla.byPriority
		.filter((group) => group.withTarget > 0 || group.overdueNow > 0)
		.map((group) => `${group.name}: answered within target ${describeWithinTarget(group.withinTarget)}, ${group.overdueNow} overdue now`);
	return {
		withinTarget: describeWithinTarget(sla.withinTarget),
		timeToFirstAnswer: describeDuration(sla.timeToFirstAnswer, 'answered'),
		timeToDecision: describeDuration(sla.timeToDecision, 'decided'),
		overdueNow: `${sla.overdueNow} review${sla.overdueNow === 1 ? '' : 's'} past the target and still unanswered`,
		line:
			`Review SLA: answered within target ${describeWithinTarget(sla.withinTarget)}; first answer ${describeDuration(sla.timeToFirstAnswer, 'answered')}; ` +
			`${sla.overdueNow} overdue now`,
		byPriority,
	};
}
