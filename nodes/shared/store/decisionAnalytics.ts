/**
 * The aggregates the Feedback Log's Metrics and Calibration operations and the Confidence Gate's
 * learning are computed from: counts, sums and percentiles over the decisions of a window.
 */
import { z } from 'zod/v4';

import { aggregatesServe, byHits, byText, greaterName, nearestRank, readAnswers, readFacts, rebuildAggregates, statsFromAggregates, type DecisionFacts } from './decisionAggregates';
import { LABELLED, OVERRIDDEN, tightenFilter, whereDecisions } from './decisionFilter';
import { requireMs } from './timestamps';
import type { SqlDriver, SqlExecutor, SqlValue } from './sqlDriver';
import { flag, gateRouteColumn, integer, nullable, outcomeColumn, parseRows, real, sumOrZero, text } from './storeRows';
import type {
	ConfidenceBin,
	DecisionAnalyticsStore,
	DecisionFilter,
	DecisionStats,
	OutcomeCount,
	ReviewerStats,
	RoutedBin,
	StatsOptions,
} from './types';

const STATS_WORK_MEM = '64MB';

type Where = { sql: string; params: SqlValue[] };

const outcomeRowSchema = z.object({
	route: gateRouteColumn,
	decision: outcomeColumn,
	sampled: flag,
	n: integer,
	cost: sumOrZero,
	cost_n: integer,
});
const bucketRowSchema = z.object({ b: integer, reviewed: sumOrZero, overridden: sumOrZero });
const binKey = { model: nullable(text), prompt_version: nullable(text), pct: integer, n: integer };
const confidenceBinRowSchema = z.object({ ...binKey, correct: sumOrZero, sum_conf: sumOrZero, sse: sumOrZero });
const routedBinRowSchema = z.object({ ...binKey, labelled: sumOrZero, w: sumOrZero, w2: sumOrZero, wy: sumOrZero, w2y: sumOrZero });
const rankedValueSchema = z.object({ k: z.union([text, integer.transform(String)]), v: real });
const windowRankSchema = z.object({ k: z.union([text, integer.transform(String)]), rn: integer, cnt: integer, v: real });

/** The nearest-rank percentiles of (at least one) `values`. */
function nearestRankValues(values: number[], percents: number[]): number[] {
	const sorted = Float64Array.from(values).sort();
	return percents.map((percent) => sorted[nearestRank(sorted.length, percent) - 1]);
}

/**
 * Per-reviewer and per-rule figures, exact, from the decisions themselves: as the aggregates count
 * them (a reviewer's greatest name given, an approval is fast when its time on the page — else its
 * answer time — is under `rubberStampMs`, the median answer time by nearest rank; a rule's hits
 * once per decision), ordered by reviewer id, and by hits then rule id.
 */
export function reviewerAndRuleStats(facts: readonly Pick<DecisionFacts, 'reviewers' | 'ruleIds'>[], rubberStampMs: number): { reviewers: ReviewerStats[]; rules: DecisionStats['rules'] } {
	const stampLimit = Math.floor(rubberStampMs);
	const reviewers = new Map<string, { name: string | null; n: number; approvals: number; fast: number; answers: number[] }>();
	const rules = new Map<string, number>();
	for (const fact of facts) {
		for (const answer of fact.reviewers) {
			let entry = reviewers.get(answer.id);
			if (!entry) reviewers.set(answer.id, (entry = { name: null, n: 0, approvals: 0, fast: 0, answers: [] }));
			entry.name = greaterName(entry.name, answer.name);
			entry.n++;
			if (answer.decision === 'approved') {
				entry.approvals++;
				const stampMs = answer.pageMs ?? answer.answerMs;
				if (stampMs !== null && stampMs < stampLimit) entry.fast++;
			}
			if (answer.answerMs !== null) entry.answers.push(answer.answerMs);
		}
		for (const ruleId of fact.ruleIds) rules.set(ruleId, (rules.get(ruleId) ?? 0) + 1);
	}
	return {
		reviewers: [...reviewers.entries()]
			.sort(([a], [b]) => byText(a, b))
			.map(([id, entry]) => ({
				reviewerId: id,
				reviewerName: entry.name,
				decisions: entry.n,
				approvals: entry.approvals,
				fastApprovals: entry.fast,
				medianDecisionMs: entry.answers.length ? nearestRankValues(entry.answers, [50])[0] : null,
			})),
		rules: [...rules.entries()].map(([ruleId, hits]) => ({ ruleId, hits })).sort(byHits),
	};
}

export class DecisionAnalytics implements DecisionAnalyticsStore {
	constructor(private readonly driver: SqlDriver) {}

	async decisionStats(filter: DecisionFilter, options: StatsOptions): Promise<DecisionStats> {
		if (this.driver.dialect === 'sqlite') return this.computeStats(this.driver, filter, options);
		// PostgreSQL sorts for the percentiles; its default 4 MB of sort memory spills a few hundred
		// thousand rows to disk. Raise it for these statements only (SET LOCAL ends with the
		// transaction), which also reads all figures from one connection.
		return this.driver.transaction(async (tx) => {
			await tx.run(`SET LOCAL work_mem = '${STATS_WORK_MEM}'`);
			return this.computeStats(tx, filter, options);
		});
	}

	private async computeStats(db: SqlExecutor, filter: DecisionFilter, options: StatsOptions): Promise<DecisionStats> {
		const window = await tightenFilter(db, filter);
		if (aggregatesServe(window, options)) {
			const edgeFacts = (fromMs: number | null, toMs: number | null) =>
				readFacts(
					db,
					whereDecisions({
						...window,
						since: fromMs === null ? undefined : new Date(fromMs).toISOString(),
						until: toMs === null ? undefined : new Date(toMs).toISOString(),
					}),
				);
			return statsFromAggregates(
				this.driver,
				db,
				window,
				options,
				window.since === undefined ? null : requireMs(window.since, 'since'),
				window.until === undefined ? null : requireMs(window.until, 'until'),
				edgeFacts,
			);
		}
		return this.statsFromRows(db, window, options);
	}

	/** The same figures read from every decision row of the window (exact percentiles): for what the aggregates cannot answer. */
	async statsFromRows(db: SqlExecutor, window: DecisionFilter, options: StatsOptions): Promise<DecisionStats> {
		const where = whereDecisions(window);
		const q = async <S extends z.ZodType>(table: string, schema: S, sql: string, extra: SqlValue[] = []) =>
			parseRows(table, schema, await db.query(sql, [...extra, ...where.params]));

		const outcomeRows = await q(
			'hitl_decisions',
			outcomeRowSchema,
			`SELECT d.route AS route, d.decision AS decision, d.sampled_for_audit AS sampled, COUNT(*) AS n,
			        SUM(d.cost_usd) AS cost, COUNT(d.cost_usd) AS cost_n
			 FROM hitl_decisions d ${where.sql}
			 GROUP BY d.route, d.decision, d.sampled_for_audit`,
		);
		const outcomes: OutcomeCount[] = outcomeRows.map((row) => ({
			route: row.route,
			decision: row.decision,
			sampledForAudit: row.sampled,
			count: row.n,
			costUsd: row.cost,
			costCount: row.cost_n,
		}));

		const ttdRanks = await this.nearestRanks(
			db,
			'hitl_decisions',
			`SELECT '' AS k, d.time_to_decision_ms AS v FROM hitl_decisions d ${where.sql} AND d.time_to_decision_ms IS NOT NULL`,
			where.params,
			[50, 90],
		);
		const ttd = ttdRanks.get('') ?? { count: 0, values: [null, null] };

		// Reviewer answers and rule hits are JSON columns of the decision rows: read by the rule the
		// aggregates read a window's edges with (readAnswers, a part of readFacts), and counted here.
		const { reviewers, rules } = reviewerAndRuleStats(await readAnswers(db, where), options.rubberStampMs);

		const bucketMs = Math.max(1, Math.floor(options.bucketMs));
		const bucketRows = await q(
			'hitl_decisions',
			bucketRowSchema,
			`SELECT CAST(d.recorded_ms / ? AS BIGINT) AS b,
			        SUM(CASE WHEN d.decision IN ${LABELLED} THEN 1 ELSE 0 END) AS reviewed,
			        SUM(CASE WHEN d.decision IN ${OVERRIDDEN} THEN 1 ELSE 0 END) AS overridden
			 FROM hitl_decisions d ${where.sql}
			 GROUP BY b ORDER BY b`,
			[bucketMs],
		);

		const confidenceBins = await this.queryConfidenceBins(db, where);

		return {
			total: outcomes.reduce((sum, o) => sum + o.count, 0),
			outcomes,
			timeToDecision: { count: ttd.count, p50Ms: ttd.values[0], p90Ms: ttd.values[1] },
			reviewers,
			rules,
			overrideOverTime: bucketRows.map((row) => ({
				bucketStart: new Date(row.b * bucketMs).toISOString(),
				reviewed: row.reviewed,
				overridden: row.overridden,
			})),
			confidenceBins,
		};
	}

	rebuildAggregates(): Promise<number> {
		return this.driver.transaction((tx) => rebuildAggregates(this.driver, tx));
	}

	async routedBins(filter: DecisionFilter): Promise<RoutedBin[]> {
		const where = whereDecisions(await tightenFilter(this.driver, filter));
		// A label with p = 0 cannot happen (a person saw it); guard the division anyway.
		const labelled = `d.decision IN ${LABELLED} AND d.review_probability > 0`;
		const rows = parseRows(
			'hitl_decisions',
			routedBinRowSchema,
			await this.driver.query(
				`SELECT d.model AS model, d.prompt_version AS prompt_version, d.confidence_pct AS pct, COUNT(*) AS n,
				        SUM(CASE WHEN ${labelled} THEN 1 ELSE 0 END) AS labelled,
				        SUM(CASE WHEN ${labelled} THEN 1.0 / d.review_probability ELSE 0 END) AS w,
				        SUM(CASE WHEN ${labelled} THEN 1.0 / (d.review_probability * d.review_probability) ELSE 0 END) AS w2,
				        SUM(CASE WHEN d.decision = 'approved' AND d.review_probability > 0 THEN 1.0 / d.review_probability ELSE 0 END) AS wy,
				        SUM(CASE WHEN d.decision = 'approved' AND d.review_probability > 0 THEN 1.0 / (d.review_probability * d.review_probability) ELSE 0 END) AS w2y
				 FROM hitl_decisions d ${where.sql} AND d.confidence_pct IS NOT NULL AND d.review_probability IS NOT NULL
				 GROUP BY d.model, d.prompt_version, d.confidence_pct`,
				where.params,
			),
		);
		return rows.map((row) => ({
			model: row.model,
			promptVersion: row.prompt_version,
			percent: row.pct,
			routed: row.n,
			labelled: row.labelled,
			weight: row.w,
			weightSquared: row.w2,
			weightApproved: row.wy,
			weightSquaredApproved: row.w2y,
		}));
	}

	private async queryConfidenceBins(db: SqlExecutor, where: Where): Promise<ConfidenceBin[]> {
		const label = `CASE WHEN d.decision = 'approved' THEN 1.0 ELSE 0.0 END`;
		const rows = parseRows(
			'hitl_decisions',
			confidenceBinRowSchema,
			await db.query(
				`SELECT d.model AS model, d.prompt_version AS prompt_version, d.confidence_pct AS pct, COUNT(*) AS n,
				        SUM(CASE WHEN d.decision = 'approved' THEN 1 ELSE 0 END) AS correct,
				        SUM(d.confidence) AS sum_conf,
				        SUM((d.confidence - ${label}) * (d.confidence - ${label})) AS sse
				 FROM hitl_decisions d ${where.sql} AND d.confidence IS NOT NULL AND d.decision IN ${LABELLED}
				 GROUP BY d.model, d.prompt_version, d.confidence_pct`,
				where.params,
			),
		);
		return rows.map((row) => ({
			model: row.model,
			promptVersion: row.prompt_version,
			percent: row.pct,
			count: row.n,
			correct: row.correct,
			sumConfidence: row.sum_conf,
			sumSquaredError: row.sse,
		}));
	}

	/**
	 * Nearest-rank percentiles (the value at rank ceil(p × n / 100)) of column `v` per group `k`, of
	 * the rows `selectValues` returns. PostgreSQL ranks in the server with window functions;
	 * SQLite's window functions sort about twice as slowly as reading the two columns and sorting
	 * here, so it does that.
	 */
	private async nearestRanks(
		db: SqlExecutor,
		table: string,
		selectValues: string,
		params: SqlValue[],
		percents: number[],
	): Promise<Map<string, { count: number; values: (number | null)[] }>> {
		const result = new Map<string, { count: number; values: (number | null)[] }>();
		if (this.driver.dialect === 'sqlite') {
			const groups = new Map<string, number[]>();
			for (const row of parseRows(table, rankedValueSchema, await db.query(selectValues, params))) {
				const values = groups.get(row.k);
				if (values) values.push(row.v);
				else groups.set(row.k, [row.v]);
			}
			for (const [key, values] of groups) result.set(key, { count: values.length, values: nearestRankValues(values, percents) });
			return result;
		}
		const wanted = percents.map((percent) => `t.rn = (t.cnt * ${percent} + 99) / 100`).join(' OR ');
		const rows = parseRows(
			table,
			windowRankSchema,
			await db.query(
				`SELECT t.k AS k, t.rn AS rn, t.cnt AS cnt, t.v AS v FROM (
				   SELECT s.k AS k, s.v AS v, ROW_NUMBER() OVER (PARTITION BY s.k ORDER BY s.v) AS rn,
				          COUNT(*) OVER (PARTITION BY s.k) AS cnt
				   FROM (${selectValues}) s
				 ) t WHERE ${wanted}`,
				params,
			),
		);
		for (const row of rows) {
			const entry = result.get(row.k) ?? { count: row.cnt, values: percents.map(() => null) };
			percents.forEach((percent, index) => {
				if (row.rn === nearestRank(row.cnt, percent)) entry.values[index] = row.v;
			});
			result.set(row.k, entry);
		}
		return result;
	}
}
