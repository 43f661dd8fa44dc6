/**
 * Maintained aggregates of the decisions, so the Metrics and Calibration figures of a window cost
 * in proportion to the window's length, not to the table (issue 16).
 *
 * Four tables, each row a sum over the decisions of one period and one (workflow, model, prompt
 * version), updated in the transaction that records (or deletes) the decisions:
 * - `hitl_agg_outcomes`, per HOUR: count and cost per (route, decision, audit sample) — the totals,
 *   the outcome rates and the override series (hour, day and week buckets are whole hours);
 * - `hitl_agg_reviewers`, per DAY: decisions and approvals per reviewer (id, name);
 * - `hitl_agg_histograms`, per DAY: counts per bucket of a value — `ttd` (time to decision) and
 *   `answer` (per reviewer) on a logarithmic scale (see LOG_BUCKET_RELATIVE_ERROR), `stamp` (an
 *   approval's time on the page, per reviewer) per whole second below one minute, `rule` (hits);
 * - `hitl_agg_confidence`, per DAY: the labelled confidence bins (count, correct, Σ confidence, Σ
 *   squared error) per model, prompt version and confidence percent.
 * Each daily table has an hourly twin. A recording adds its decisions to the hourly rows only; the
 * daily rows are summed from them a day at a time, once the day is over (see DAYS_TABLE).
 * A window is read as whole periods from these tables plus its ragged edges (the part of a
 * period the window cuts) from the decision rows themselves, through the same function that turns
 * decisions into aggregate rows. So every count is exact; only the percentiles are approximate.
 *
 * Key columns hold `''` for NULL and `'=' + value` otherwise: SQLite and PostgreSQL both treat
 * NULLs in a unique key as distinct, which would split one group into many rows.
 */
import { z } from 'zod/v4';

import type { Reviewer } from '../itemContract';
import { insertMany, insertStatement, rowInsert, type RowInsert, type TypedColumns } from './batchInsert';
import { LABELLED_DECISIONS, OVERRIDDEN_DECISIONS } from './decisionFilter';
import type { SqlDriver, SqlExecutor, SqlScalar, SqlValue } from './sqlDriver';
import { decisionRowSchema, integer, parseRow, parseRows, real, text } from './storeRows';
import { toMs } from './timestamps';
import type { ConfidenceBin, DecisionFilter, DecisionOutcome, DecisionStats, OutcomeCount, ReviewerStats, StatsOptions } from './types';

export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;
/** The start of the day (UTC) `ms` falls in. */
export const dayOf = (ms: number) => Math.floor(ms / DAY_MS) * DAY_MS;

/**
 * The time percentiles come from a logarithmic histogram: bucket i holds the values in
 * (γ^(i−1), γ^i] and reports 2γ^i / (γ + 1), which is within α = (γ − 1)/(γ + 1) of every value in
 * the bucket. So a reported percentile is within 1 % of the exact nearest-rank percentile (plus
 * half a millisecond, as times are whole milliseconds). Histograms of any periods merge by adding.
 */
export const LOG_BUCKET_RELATIVE_ERROR = 0.01;
const GAMMA = (1 + LOG_BUCKET_RELATIVE_ERROR) / (1 - LOG_BUCKET_RELATIVE_ERROR);
const LOG_GAMMA = Math.log(GAMMA);
/** Values ≤ 0 (an answer at the request's own millisecond) get a bucket of their own. */
const ZERO_BUCKET = -1_000_000;

export function logBucket(value: number): number {
	if (value <= 0) return ZERO_BUCKET;
	return Math.ceil(Math.log(value) / LOG_GAMMA - 1e-9);
}

export function logBucketValue(bucket: number): number {
	if (bucket === ZERO_BUCKET) return 0;
	return Math.round((2 * GAMMA ** bucket) / (GAMMA + 1));
}

/** Rubber-stamp thresholds are counted exactly in whole seconds up to this; above, the report reads the rows. */
export const STAMP_SECONDS_CAP = 60;

/** One decision as the aggregates see it (from a record being written, or a row being read or deleted). */
export interface DecisionFacts {
	recordedMs: number;
	workflowId: string | null;
	model: string | null;
	promptVersion: string | null;
	route: string | null;
	decision: string;
	sampledForAudit: boolean;
	costUsd: number | null;
	confidence: number | null;
	confidencePct: number | null;
	timeToDecisionMs: number | null;
	reviewers: { id: string; name: string | null; decision: string; answerMs: number | null; pageMs: number | null }[];
	ruleIds: string[];
}

/**
 * A decision's reviewer answers as the facts hold them, from the answers its record gives (and its
 * `reviewers` column holds): the time from the request to each answer, and the time on the page.
 * The recording path and every read of the rows (window edges, retention, rebuild) use this one
 * rule, so what a batch adds to the aggregates is what a later read takes away.
 */
export function reviewerAnswers(requestedAt: string | null, votes: readonly Reviewer[]): DecisionFacts['reviewers'] {
	const requestedMs = toMs(requestedAt);
	return votes.map((vote) => {
		const atMs = toMs(vote.at);
		return {
			id: vote.id,
			name: vote.name ?? null,
			decision: vote.decision,
			answerMs: requestedMs !== null && atMs !== null ? Math.max(0, atMs - requestedMs) : null,
			pageMs: typeof vote.timeOnPageMs === 'number' && Number.isFinite(vote.timeOnPageMs) ? Math.max(0, Math.round(vote.timeOnPageMs)) : null,
		};
	});
}

/** A rule fired twice on one draft is one hit. */
export const distinctRuleIds = (ruleIds: string[]): string[] => (ruleIds.length > 1 ? [...new Set(ruleIds)] : ruleIds);

const keyText = (value: string | null) => (value === null ? '' : `=${value}`);
const keyValue = (key: string) => (key === '' ? null : key.slice(1));

interface Table {
	name: string;
	periodMs: number;
	/** Key columns after period_ms, workflow_key, model_key, prompt_key. */
	keys: TypedColumns;
	sums: TypedColumns;
	/** For an hourly twin: the daily table whose sums it holds per hour. */
	hourlyOf?: DailyKind;
}

const SCOPE: TypedColumns = [
	['period_ms', 'int8'],
	['workflow_key', 'text'],
	['model_key', 'text'],
	['prompt_key', 'text'],
];

const KINDS = {
	outcomes: {
		name: 'hitl_agg_outcomes',
		periodMs: HOUR_MS,
		keys: [
			['route_key', 'text'],
			['decision', 'text'],
			['sampled', 'int4'],
		],
		sums: [
			['n', 'int8'],
			['cost_sum', 'float8'],
			['cost_n', 'int8'],
		],
	},
	reviewers: {
		name: 'hitl_agg_reviewers',
		periodMs: DAY_MS,
		keys: [
			['reviewer_id', 'text'],
			['name_key', 'text'],
		],
		sums: [
			['n', 'int8'],
			['approvals', 'int8'],
		],
	},
	histograms: {
		name: 'hitl_agg_histograms',
		periodMs: DAY_MS,
		keys: [
			['metric', 'text'],
			['group_key', 'text'],
			['bucket', 'int4'],
		],
		// lo / hi: the smallest and largest value seen in the bucket. A bucket that held one value
		// reports it exactly; any other reports its midpoint clamped into [lo, hi].
		sums: [
			['n', 'int8'],
			['lo', 'int8'],
			['hi', 'int8'],
		],
	},
	confidence: {
		name: 'hitl_agg_confidence',
		periodMs: DAY_MS,
		keys: [['pct', 'int4']],
		sums: [
			['n', 'int8'],
			['correct', 'int8'],
			['sum_conf', 'float8'],
			['sse', 'float8'],
		],
	},
} satisfies Record<string, Table>;

type Kind = keyof typeof KINDS;
type DailyKind = Exclude<Kind, 'outcomes'>;
/** The kinds kept per day, each with an hourly twin. */
export const DAILY_KINDS: readonly DailyKind[] = ['reviewers', 'histograms', 'confidence'];

/**
 * Every daily table has an hourly twin with the same columns: a window's whole hours next to its
 * whole days are read from these, so only the part of an hour at each end is read from the
 * decision rows (issue 16: windows that cut days stay cheap).
 */
const hourlyTwin = (kind: DailyKind): Table => ({ ...KINDS[kind], name: `${KINDS[kind].name}_hourly`, periodMs: HOUR_MS, hourlyOf: kind });

export const AGGREGATE_TABLES = {
	...KINDS,
	reviewersHourly: hourlyTwin('reviewers'),
	histogramsHourly: hourlyTwin('histograms'),
	confidenceHourly: hourlyTwin('confidence'),
} satisfies Record<string, Table>;

export type TableName = keyof typeof AGGREGATE_TABLES;
/** The tables a kind of sum is written to: the kind's own and its hourly twin. */
const TABLES_OF_KIND: Record<Kind, TableName[]> = {
	outcomes: ['outcomes'],
	reviewers: ['reviewers', 'reviewersHourly'],
	histograms: ['histograms', 'histogramsHourly'],
	confidence: ['confidence', 'confidenceHourly'],
};

/** How a column of two rows with the same key combines: added, except the histogram's bounds. */
const combine = (column: string): 'sum' | 'min' | 'max' => (column === 'lo' ? 'min' : column === 'hi' ? 'max' : 'sum');
/** Bounds a removal passes: they leave the stored bounds as they are (still bounds of what remains). */
const NO_LOW = Number.MAX_SAFE_INTEGER;
const NO_HIGH = -1;
const TABLE_NAMES = Object.keys(AGGREGATE_TABLES) as TableName[];

/** A total order of keys (numbers by value, texts by code unit), the same in every writer. */
function compareKeys(a: readonly SqlScalar[], b: readonly SqlScalar[]): number {
	for (let index = 0; index < a.length; index++) {
		const x = a[index] ?? '';
		const y = b[index] ?? '';
		if (x !== y) return x < y ? -1 : 1;
	}
	return 0;
}

/** A table's CREATE statement, under `tableName`; clustered on its key on SQLite (`withoutRowid`). */
function createTable(name: TableName, tableName: string, withoutRowid: boolean): string {
	const table: Table = AGGREGATE_TABLES[name];
	const keyColumns = [...SCOPE, ...table.keys];
	const sqlType = (type: string) => (type === 'text' ? 'TEXT' : type === 'float8' ? 'DOUBLE PRECISION' : type === 'int8' ? 'BIGINT' : 'INTEGER');
	return `CREATE TABLE IF NOT EXISTS ${tableName} (
				${[...keyColumns, ...table.sums].map(([column, type]) => `${column} ${sqlType(type)} NOT NULL`).join(',\n\t\t\t\t')},
				PRIMARY KEY (${keyColumns.map(([column]) => column).join(', ')})
			)${withoutRowid ? ' WITHOUT ROWID' : ''}`;
}

/** The DDL of these tables, for the migration that introduces them. */
export function aggregateTableStatements(names: readonly TableName[]): string[] {
	return names.map((name) => createTable(name, AGGREGATE_TABLES[name].name, false));
}

/**
 * SQLite: every aggregate table rebuilt as a WITHOUT ROWID table, its rows stored in key order
 * (period first) instead of a rowid table beside an index of the key. An upsert then writes one
 * B-tree instead of two, and a range of periods (a report's, the summing of days) is read in place.
 * PostgreSQL has no such option; its tables stay.
 */
export function clusteredAggregateStatements(dialect: SqlDriver['dialect']): string[] {
	if (dialect !== 'sqlite') return [];
	return TABLE_NAMES.flatMap((name) => {
		const table: Table = AGGREGATE_TABLES[name];
		const columns = [...SCOPE, ...table.keys, ...table.sums].map(([column]) => column).join(', ');
		return [
			createTable(name, `${table.name}_clustered`, true),
			`INSERT INTO ${table.name}_clustered (${columns}) SELECT ${columns} FROM ${table.name}`,
			`DROP TABLE ${table.name}`,
			`ALTER TABLE ${table.name}_clustered RENAME TO ${table.name}`,
		];
	});
}

interface AggregateRow {
	key: SqlScalar[];
	sums: number[];
}

/** Rows found by their key one column at a time (no key text to build and hash per lookup). */
type KeyNode = Map<SqlScalar, KeyNode | AggregateRow>;

/** One table's rows: a list to read and write, and a tree of their keys to find one. */
class TableRows {
	readonly list: AggregateRow[] = [];
	private readonly root: KeyNode = new Map();

	/** The tree below the first `length` parts of a key (created as needed), to look up many rows that share them. */
	branch(prefix: readonly SqlScalar[], from: KeyNode = this.root, length = prefix.length): KeyNode {
		let node = from;
		for (let index = 0; index < length; index++) {
			const part = prefix[index];
			let next = node.get(part) as KeyNode | undefined;
			if (!next) {
				next = new Map();
				node.set(part, next);
			}
			node = next;
		}
		return node;
	}

	/** Adds `sums` to the row keyed `prefix` + `rest`, found below `branch` (the tree of `prefix`). */
	add(branch: KeyNode, prefix: readonly SqlScalar[], rest: readonly SqlScalar[], sums: readonly number[], combines: readonly Combine[]): void {
		const node = rest.length > 1 ? this.branch(rest, branch, rest.length - 1) : branch;
		const last = rest[rest.length - 1];
		const row = node.get(last) as AggregateRow | undefined;
		if (!row) {
			const created = { key: [...prefix, ...rest], sums: [...sums] };
			node.set(last, created);
			this.list.push(created);
			return;
		}
		for (let index = 0; index < sums.length; index++) {
			const how = combines[index];
			const value = sums[index];
			row.sums[index] = how === 'min' ? Math.min(row.sums[index], value) : how === 'max' ? Math.max(row.sums[index], value) : row.sums[index] + value;
		}
	}
}

type Combine = ReturnType<typeof combine>;
const COMBINES = Object.fromEntries(TABLE_NAMES.map((name) => [name, (AGGREGATE_TABLES[name] as Table).sums.map(([column]) => combine(column))])) as Record<
	TableName,
	Combine[]
>;

/** A decision's period and (workflow, model, prompt version): the leading key columns of every table. */
class Scope {
	readonly key: SqlScalar[];
	private readonly branches = new Map<TableName, KeyNode>();

	constructor(
		private readonly periodMs: number,
		private readonly fact: DecisionFacts,
	) {
		this.key = [Math.floor(fact.recordedMs / periodMs) * periodMs, keyText(fact.workflowId), keyText(fact.model), keyText(fact.promptVersion)];
	}

	/** Whether `fact` falls in this scope (consecutive decisions mostly do: the tree below is reused). */
	holds(fact: DecisionFacts): boolean {
		return (
			Math.floor(fact.recordedMs / this.periodMs) * this.periodMs === this.key[0] &&
			fact.workflowId === this.fact.workflowId &&
			fact.model === this.fact.model &&
			fact.promptVersion === this.fact.promptVersion
		);
	}

	branch(table: TableName, rows: TableRows): KeyNode {
		let node = this.branches.get(table);
		if (!node) {
			node = rows.branch(this.key);
			this.branches.set(table, node);
		}
		return node;
	}
}

/** The tables each kind of sum goes to: the hourly twins, or (for a report's window edges) the daily tables. */
const HOURLY_TARGETS = { reviewers: 'reviewersHourly', histograms: 'histogramsHourly', confidence: 'confidenceHourly' } as const;
const DAILY_TARGETS = { reviewers: 'reviewers', histograms: 'histograms', confidence: 'confidence' } as const;

/** Aggregate rows keyed by their key columns' values, summed. */
export class AggregateDeltas {
	readonly rows = Object.fromEntries(TABLE_NAMES.map((name) => [name, new TableRows()])) as Record<TableName, TableRows>;

	add(table: TableName, key: SqlScalar[], sums: number[]): void {
		const rows = this.rows[table];
		rows.add(rows.branch(key.slice(0, -1)), key.slice(0, -1), key.slice(-1), sums, COMBINES[table]);
	}

	private addScoped(table: TableName, scope: Scope, rest: SqlScalar[], sums: number[]): void {
		const rows = this.rows[table];
		rows.add(scope.branch(table, rows), scope.key, rest, sums, COMBINES[table]);
	}

	/**
	 * Adds (sign 1) or removes (sign −1) decisions as the tables hold them: every decision to the
	 * hourly rows (the outcomes, and the hourly twins), and a decision of a day before
	 * `summedBeforeMs` (the days mark, see DAYS_TABLE) to the daily rows as well.
	 *
	 * Each decision is added to the hourly rows only, and the daily rows are the hourly rows of this
	 * call summed per day: one addition per hourly row instead of one per decision (a batch of 5,000
	 * decisions makes ~2,800 hourly rows and ~20,000 additions).
	 */
	addDecisions(facts: readonly DecisionFacts[], sign: 1 | -1, summedBeforeMs: number): this {
		const added = new AggregateDeltas().addEach(facts, sign, HOURLY_TARGETS, HOUR_MS);
		for (const name of TABLE_NAMES) {
			const table: Table = AGGREGATE_TABLES[name];
			if (!table.hourlyOf && name !== 'outcomes') continue;
			const from = added.rows[name];
			if (this.rows[name].list.length === 0) this.rows[name] = from;
			else for (const row of from.list) this.add(name, row.key, row.sums);
			if (!table.hourlyOf) continue;
			for (const row of from.list) {
				// An hour starts before the mark exactly when its day does (the mark is a day's start).
				if ((row.key[0] as number) < summedBeforeMs) this.add(table.hourlyOf, [dayOf(row.key[0] as number), ...row.key.slice(1)], row.sums);
			}
		}
		return this;
	}

	/** Adds a window's ragged edges, each kind summed per day as the daily tables hold it (the report sums them over the window). */
	addWindowEdges(facts: readonly DecisionFacts[]): this {
		return this.addEach(facts, 1, DAILY_TARGETS, DAY_MS);
	}

	/** Adds each decision's sums: outcomes per hour, the other kinds to `targets` per `periodMs`. */
	private addEach(facts: readonly DecisionFacts[], sign: 1 | -1, targets: Record<DailyKind, TableName>, periodMs: number): this {
		const removed = [-1, NO_LOW, NO_HIGH];
		const value = (scope: Scope, metric: string, group: string, bucket: number, measured: number) =>
			this.addScoped(targets.histograms, scope, [metric, group, bucket], sign === 1 ? [1, measured, measured] : removed);
		let hour: Scope | undefined;
		let period: Scope | undefined;
		for (const fact of facts) {
			if (!hour?.holds(fact)) hour = new Scope(HOUR_MS, fact);
			if (periodMs === HOUR_MS) period = hour;
			else if (!period?.holds(fact)) period = new Scope(periodMs, fact);
			const cost = typeof fact.costUsd === 'number' && Number.isFinite(fact.costUsd) ? fact.costUsd : null;
			this.addScoped('outcomes', hour, [keyText(fact.route), fact.decision, fact.sampledForAudit ? 1 : 0], [sign, sign * (cost ?? 0), cost === null ? 0 : sign]);
			if (fact.timeToDecisionMs !== null) value(period, 'ttd', '', logBucket(fact.timeToDecisionMs), fact.timeToDecisionMs);
			for (const reviewer of fact.reviewers) {
				const approved = reviewer.decision === 'approved';
				this.addScoped(targets.reviewers, period, [reviewer.id, keyText(reviewer.name)], [sign, approved ? sign : 0]);
				if (reviewer.answerMs !== null) value(period, 'answer', reviewer.id, logBucket(reviewer.answerMs), reviewer.answerMs);
				if (approved) {
					const stampMs = reviewer.pageMs ?? reviewer.answerMs;
					const stamp = stampMs === null ? -1 : Math.min(STAMP_SECONDS_CAP, Math.floor(stampMs / 1000));
					value(period, 'stamp', reviewer.id, stamp, stamp);
				}
			}
			const ruleIds = fact.ruleIds.length > 1 ? new Set(fact.ruleIds) : fact.ruleIds;
			for (const ruleId of ruleIds) value(period, 'rule', ruleId, 0, 0);
			if (fact.confidence !== null && fact.confidencePct !== null && LABELLED_DECISIONS.includes(fact.decision as DecisionOutcome)) {
				const label = fact.decision === 'approved' ? 1 : 0;
				const error = fact.confidence - label;
				this.addScoped(targets.confidence, period, [fact.confidencePct], [sign, sign * label, sign * fact.confidence, sign * error * error]);
			}
		}
		return this;
	}

	/** Adds these sums into the tables (one multi-row upsert per table and chunk). */
	applyTo(driver: SqlDriver, tx: SqlExecutor): Promise<void> {
		return this.upserts(driver)(tx);
	}

	/**
	 * The upserts that add these sums into the tables, their rows laid out now (the recording path
	 * does that while PostgreSQL inserts the decisions), to run in a transaction later.
	 */
	upserts(driver: SqlDriver): (tx: SqlExecutor) => Promise<void> {
		const statements = TABLE_NAMES.map((name) => ({ name, rows: this.rowValues(name, driver.dialect) }));
		return async (tx) => {
			for (const { name, rows } of statements) await insertMany(driver, tx, UPSERTS[driver.dialect][name], rows);
		};
	}

	/**
	 * A table's rows as statement values, key then sums. PostgreSQL: in key order, so concurrent
	 * writers lock the rows they share in the same order (no deadlock). SQLite's write transaction
	 * holds the whole database: any order will do.
	 */
	rowValues(name: TableName, dialect: SqlDriver['dialect']): SqlScalar[][] {
		const list = dialect === 'postgres' ? [...this.rows[name].list].sort((a, b) => compareKeys(a.key, b.key)) : this.rows[name].list;
		return list.map((row) => [...row.key, ...row.sums]);
	}
}

/** A table's upsert: its columns, and the ON CONFLICT clause that adds a row's sums to the stored ones. */
function upsertOf(dialect: SqlDriver['dialect'], name: TableName): RowInsert {
	const table: Table = AGGREGATE_TABLES[name];
	const keyColumns = [...SCOPE, ...table.keys].map(([column]) => column);
	const [least, greatest] = dialect === 'postgres' ? ['LEAST', 'GREATEST'] : ['MIN', 'MAX'];
	const update = table.sums
		.map(([column]) => {
			const how = combine(column);
			const current = `${table.name}.${column}`;
			if (how === 'sum') return `${column} = ${current} + excluded.${column}`;
			return `${column} = ${how === 'min' ? least : greatest}(${current}, excluded.${column})`;
		})
		.join(', ');
	return rowInsert(table.name, [...SCOPE, ...table.keys, ...table.sums], `ON CONFLICT (${keyColumns.join(', ')}) DO UPDATE SET ${update}`);
}

/** Every table's upsert in each dialect, built once (see RowInsert). */
const UPSERTS = Object.fromEntries(
	(['sqlite', 'postgres'] as const).map((dialect) => [dialect, Object.fromEntries(TABLE_NAMES.map((name) => [name, upsertOf(dialect, name)]))]),
) as Record<SqlDriver['dialect'], Record<TableName, RowInsert>>;

// ---------------------------------------------------------------------------------------------
// Reading decisions back as facts (window edges, retention, rebuild)

/** A decision row's reviewer answers and rule hits, as the JSON columns hold them. */
const answersRowSchema = z.object({
	requested_at: text.nullable(),
	reviewers: decisionRowSchema.shape.reviewers,
	rule_ids: decisionRowSchema.shape.rule_ids,
});
type Answers = Pick<DecisionFacts, 'reviewers' | 'ruleIds'>;
const answersOf = (row: z.output<typeof answersRowSchema>): Answers => ({
	reviewers: reviewerAnswers(row.requested_at, row.reviewers),
	ruleIds: distinctRuleIds(row.rule_ids),
});

/** The reviewer answers and rule hits of the decisions `where` selects (on alias `d`): what the row-by-row figures need of them. */
export async function readAnswers(db: SqlExecutor, where: { sql: string; params: SqlValue[] }): Promise<Answers[]> {
	const rows = await db.query(`SELECT d.requested_at, d.reviewers, d.rule_ids FROM hitl_decisions d ${where.sql}`, where.params);
	return parseRows('hitl_decisions', answersRowSchema, rows).map(answersOf);
}

const factRowSchema = answersRowSchema.extend({
	id: integer,
	recorded_ms: integer,
	workflow_id: text.nullable(),
	model: text.nullable(),
	prompt_version: text.nullable(),
	route: text.nullable(),
	decision: text,
	sampled_for_audit: integer,
	cost_usd: real.nullable(),
	confidence: real.nullable(),
	confidence_pct: integer.nullable(),
	time_to_decision_ms: integer.nullable(),
});

/** The decisions `where` selects (on alias `d`), with their reviewer answers and rule hits. */
export async function readFacts(db: SqlExecutor, where: { sql: string; params: SqlValue[] }): Promise<(DecisionFacts & { id: number })[]> {
	const rows = parseRows(
		'hitl_decisions',
		factRowSchema,
		await db.query(
			`SELECT d.id, d.recorded_ms, d.workflow_id, d.model, d.prompt_version, d.route, d.decision, d.sampled_for_audit,
			        d.cost_usd, d.confidence, d.confidence_pct, d.time_to_decision_ms, d.requested_at, d.reviewers, d.rule_ids
			 FROM hitl_decisions d ${where.sql}`,
			where.params,
		),
	);
	return rows.map((row) => ({
		id: row.id,
		recordedMs: row.recorded_ms,
		workflowId: row.workflow_id,
		model: row.model,
		promptVersion: row.prompt_version,
		route: row.route,
		decision: row.decision,
		sampledForAudit: row.sampled_for_audit === 1,
		costUsd: row.cost_usd,
		confidence: row.confidence,
		confidencePct: row.confidence_pct,
		timeToDecisionMs: row.time_to_decision_ms,
		...answersOf(row),
	}));
}

/**
 * The days mark. The daily tables hold the decisions of every day before `summed_before_ms` (a
 * day's start), and none of a later day: recording adds a decision to the hourly rows only, and the
 * first recording of a later day sums the hourly rows of the days before it into daily rows, in
 * its transaction, and moves the mark (issue 16: the daily rows, written with every batch, were
 * an eighth of the cost of recording). A decision recorded or deleted for a day before the mark
 * goes to both, as every decision did before schema version 10. A report reads the days before
 * the mark from the daily tables and the days after it from the hourly twins, which hold every
 * day: read with an older mark, a report is still exact.
 *
 * PostgreSQL: a transaction that adds or removes decisions reads the mark FOR SHARE, one that sums
 * days FOR UPDATE, first thing (before any row lock). So days are never summed while a writer is
 * adding to their hours under the old mark, and writers that only add do not wait for each other.
 */
export const DAYS_TABLE = 'hitl_agg_days';
const markSchema = z.object({ summed_before_ms: integer });

/** The days mark; on PostgreSQL with the lock a writer (`share`) or the summing of days (`update`) takes. */
export async function readSummedBefore(driver: SqlDriver, tx: SqlExecutor, lock: 'share' | 'update' | 'none'): Promise<number> {
	const clause = driver.dialect === 'postgres' && lock !== 'none' ? ` FOR ${lock.toUpperCase()}` : '';
	const [row] = parseRows(DAYS_TABLE, markSchema, await tx.query(`SELECT summed_before_ms FROM ${DAYS_TABLE}${clause}`));
	if (!row) {
		throw new Error(`The HITL store's table ${DAYS_TABLE} has lost its row (a partial restore?): run the rebuild command (see the store's README, "Rebuild after a restore").`);
	}
	return row.summed_before_ms;
}

/** Moves the days mark (under its exclusive lock). */
const moveMark = (tx: SqlExecutor, toMs: number) => tx.run(`UPDATE ${DAYS_TABLE} SET summed_before_ms = ?`, [toMs]);

/** SQL's aggregate for a sum column: how its values combine. */
const sqlAggregate = (column: string) => `${{ sum: 'SUM', min: 'MIN', max: 'MAX' }[combine(column)]}(${column})`;

/** Sums the hourly rows of the days [fromMs, toMs) into the daily tables and moves the mark to `toMs` (under the mark's exclusive lock). */
async function sumDays(driver: SqlDriver, tx: SqlExecutor, fromMs: number, toMs: number): Promise<void> {
	for (const kind of DAILY_KINDS) {
		const daily: Table = AGGREGATE_TABLES[kind];
		const hourly: Table = AGGREGATE_TABLES[TABLES_OF_KIND[kind][1]];
		const keys = [...SCOPE.slice(1), ...daily.keys].map(([column]) => column);
		const upsert = UPSERTS[driver.dialect][kind];
		await tx.run(
			`INSERT INTO ${daily.name} (${upsert.columns.map(([column]) => column).join(', ')})
			 SELECT (period_ms / ${DAY_MS}) * ${DAY_MS}, ${keys.join(', ')}, ${daily.sums.map(([column]) => sqlAggregate(column)).join(', ')}
			 FROM ${hourly.name} WHERE period_ms >= ? AND period_ms < ?
			 GROUP BY ${keys.map((_, index) => index + 1).concat(keys.length + 1).join(', ')} HAVING SUM(n) <> 0 ${upsert.suffix}`,
			[fromMs, toMs],
		);
	}
	await moveMark(tx, toMs);
}

/**
 * The aggregates' part of each recording transaction (the store's one instance per process):
 * `begin` reads the days mark first; what it returns adds the decisions the batch inserted and,
 * when the batch records a day after the mark, sums the days before that day.
 */
export class RecordingAggregates {
	/** The mark as this store last saw it: a batch of a later day takes the mark's lock to sum days. */
	private knownMark = Number.NEGATIVE_INFINITY;

	constructor(private readonly driver: SqlDriver) {}

	/**
	 * PostgreSQL only (DecisionLog calls it there): records one decision in one statement (see oneStatementRecording). Undefined,
	 * having run nothing, when this store has not yet seen the mark reach the decision's day: then
	 * days may be due for summing, which the transaction does.
	 */
	async recordOne(db: SqlExecutor, fact: DecisionFacts, insertRow: (guard: string) => SqlStatement): Promise<OneStatementOutcome | undefined> {
		if (dayOf(fact.recordedMs) > this.knownMark) return undefined;
		const statement = oneStatementRecording(fact, insertRow);
		// queryArrays: a named statement, parsed and planned once per connection; its text depends
		// only on which tables the decision adds to (planning it each time had cost more than running it).
		const [[mark, id]] = await db.queryArrays(statement.sql, statement.params);
		const row = parseRow(DAYS_TABLE, oneStatementRowSchema, { mark, id });
		// No mark row (a partial restore): nothing was written; the transaction says what to do.
		if (row.mark === null) return { done: false };
		// As the transaction path does: a rebuild after a restore can set the mark back.
		this.knownMark = row.mark;
		return row.mark > fact.recordedMs ? { done: false } : { done: true, id: row.id };
	}

	begin(tx: SqlExecutor, newestMs: number): (facts: readonly DecisionFacts[]) => (tx: SqlExecutor) => Promise<void> {
		const newestDay = dayOf(newestMs);
		const sums = newestDay > this.knownMark;
		const marked = readSummedBefore(this.driver, tx, sums ? 'update' : 'share');
		// Awaited below, after the INSERT; a failure then fails the transaction. Until then it must
		// not count as an unhandled rejection (the INSERT may fail first).
		marked.catch(() => undefined);
		return (facts) => {
			// Laid out now, before the mark is read (on PostgreSQL, while the server inserts the rows):
			// as the usual batch is, of days from the mark on, added to the hourly rows only.
			const hourlyOnly = new AggregateDeltas().addDecisions(facts, 1, Number.NEGATIVE_INFINITY).upserts(this.driver);
			return async (tx) => {
				const mark = await marked;
				const late = facts.some((fact) => fact.recordedMs < mark);
				await (late ? new AggregateDeltas().addDecisions(facts, 1, mark).upserts(this.driver) : hourlyOnly)(tx);
				this.knownMark = mark;
				if (sums && newestDay > mark) {
					await sumDays(this.driver, tx, mark, newestDay);
					this.knownMark = newestDay;
				}
			};
		};
	}
}

/** A statement with `?` placeholders and its parameters. */
export interface SqlStatement {
	sql: string;
	params: SqlValue[];
}

/**
 * What a one-statement recording did: recorded, with the id inserted (null: the key was recorded
 * before); or nothing, because the decision's day is before the mark (or the mark's row is gone):
 * then it is for the transaction to record.
 */
export type OneStatementOutcome = { done: true; id: number | null } | { done: false };

const oneStatementRowSchema = z.object({ mark: integer.nullable(), id: integer.nullable() });

/**
 * PostgreSQL, one decision (an execution recording one item, the usual case): the whole recording
 * as one statement, which PostgreSQL runs as a transaction of its own: one round trip instead of
 * the transaction's eight (BEGIN, the days mark, the row, up to four upserts, COMMIT; issue 16).
 * In it, in this order (each step reads the one before it, which makes PostgreSQL finish that one
 * first; the order of the multi-statement path, so the two never lock shared rows in opposite
 * orders):
 * 1. `mark`: the days mark, FOR SHARE, before any row lock, as every writer reads it;
 * 2. `ins`: the decision row, unless its key exists, and only if the mark has not passed its day
 *    (read after the lock, so it is the mark a day summing has just moved);
 * 3. one upsert per aggregate table into the hourly rows, each only if the row was inserted and
 *    after the table before it.
 * A day before the mark (late) writes nothing; the caller then records it in a transaction.
 * `insertRow(guard)` is the decision INSERT … RETURNING id whose SELECT ends with WHERE `guard`.
 */
export function oneStatementRecording(fact: DecisionFacts, insertRow: (guard: string) => SqlStatement): SqlStatement {
	const deltas = new AggregateDeltas().addDecisions([fact], 1, Number.NEGATIVE_INFINITY);
	const row = insertRow(`(SELECT summed_before_ms FROM mark) <= ?`);
	const ctes = [`mark AS (SELECT summed_before_ms FROM ${DAYS_TABLE} FOR SHARE)`, `ins AS (${row.sql})`];
	const params: SqlValue[] = [...row.params, fact.recordedMs];
	let previous = 'ins';
	for (const name of TABLE_NAMES) {
		const rows = deltas.rowValues(name, 'postgres');
		if (!rows.length) continue;
		const upsert = UPSERTS.postgres[name];
		const insert = insertStatement('postgres', upsert.table, upsert.columns, rows);
		const after = previous === 'ins' ? '' : ` AND (SELECT COUNT(*) FROM ${previous}) >= 0`;
		ctes.push(`${name} AS (${insert.sql} WHERE EXISTS (SELECT 1 FROM ins)${after} ${upsert.suffix} RETURNING 1)`);
		params.push(...insert.params);
		previous = name;
	}
	return { sql: `WITH ${ctes.join(',\n')}\nSELECT (SELECT summed_before_ms FROM mark) AS mark, (SELECT id FROM ins) AS id`, params };
}

/** Recomputes every aggregate from the decision rows (after a restore, or when the tables are new); the mark at the newest decision's day. */
export async function rebuildAggregates(driver: SqlDriver, tx: SqlExecutor): Promise<number> {
	await tx.run(`INSERT INTO ${DAYS_TABLE} (id, summed_before_ms) VALUES (1, 0) ON CONFLICT (id) DO NOTHING`);
	await readSummedBefore(driver, tx, 'update');
	const [newest] = parseRows('hitl_decisions', z.object({ ms: integer.nullable() }), await tx.query('SELECT MAX(recorded_ms) AS ms FROM hitl_decisions'));
	const mark = newest.ms === null ? 0 : dayOf(newest.ms);
	const total = await rebuildAggregateRows(driver, tx, mark);
	await moveMark(tx, mark);
	return total;
}

/** Recomputes every aggregate row, the daily rows of the days before `summedBeforeMs` (every day, for the schema before the mark). */
export async function rebuildAggregateRows(driver: SqlDriver, tx: SqlExecutor, summedBeforeMs: number): Promise<number> {
	for (const name of TABLE_NAMES) await tx.run(`DELETE FROM ${AGGREGATE_TABLES[name].name}`);
	const batch = 20_000;
	let afterId = 0;
	let total = 0;
	for (;;) {
		const facts = await readFacts(tx, { sql: `WHERE d.id > ? AND d.id <= ?`, params: [afterId, afterId + batch] });
		const [more] = parseRows('hitl_decisions', z.object({ id: integer.nullable() }), await tx.query('SELECT MIN(id) AS id FROM hitl_decisions WHERE id > ?', [afterId + batch]));
		if (facts.length) await new AggregateDeltas().addDecisions(facts, 1, summedBeforeMs).applyTo(driver, tx);
		total += facts.length;
		if (more.id === null) return total;
		afterId = more.id - 1;
	}
}

// ---------------------------------------------------------------------------------------------
// Reading a window's statistics

/** Whether the maintained aggregates can answer these statistics exactly (else the caller reads the rows). */
export function aggregatesServe(filter: DecisionFilter, options: StatsOptions): boolean {
	const stampMs = Math.floor(options.rubberStampMs);
	return (
		filter.afterId === undefined &&
		filter.throughId === undefined &&
		Math.max(1, Math.floor(options.bucketMs)) % HOUR_MS === 0 &&
		stampMs % 1000 === 0 &&
		stampMs >= 0 &&
		stampMs <= STAMP_SECONDS_CAP * 1000
	);
}

const sumRowSchema = (table: Table) =>
	z.object(
		Object.fromEntries([
			...[...SCOPE, ...table.keys].map(([column, type]) => [column, type === 'text' ? text : integer]),
			...table.sums.map(([column]) => [column, real]),
		]),
	);

/** Periods [from, to) of a table to read (null: unbounded). */
type Span = [number | null, number | null];

const nonEmpty = ([from, to]: Span) => from === null || to === null || from < to;

/**
 * The statistics of a window from the aggregates: whole days from the daily tables (those from
 * the days mark on from the hourly twins), whole hours beside them from the hourly ones, and only
 * the part of an hour at each end of the window from the decision rows. `edgeFacts` reads the
 * decisions of [from, to) under the filter.
 */
export async function statsFromAggregates(
	driver: SqlDriver,
	db: SqlExecutor,
	filter: DecisionFilter,
	options: StatsOptions,
	since: number | null,
	until: number | null,
	edgeFacts: (fromMs: number | null, toMs: number | null) => Promise<DecisionFacts[]>,
): Promise<DecisionStats> {
	const totals = new AggregateDeltas();
	const whole = (periodMs: number): Span => [
		since === null ? null : Math.ceil(since / periodMs) * periodMs,
		until === null ? null : Math.floor(until / periodMs) * periodMs,
	];
	const hours = whole(HOUR_MS);
	const days = whole(DAY_MS);
	const facts: DecisionFacts[] = [];
	if (!nonEmpty(hours)) facts.push(...(await edgeFacts(since, until)));
	else {
		if (since !== null && since < (hours[0] as number)) facts.push(...(await edgeFacts(since, hours[0])));
		if (until !== null && (hours[1] as number) < until) facts.push(...(await edgeFacts(hours[1], until)));
		const mark = await readSummedBefore(driver, db, 'none');
		const spans: Record<TableName, Span[]> = {
			outcomes: [hours],
			reviewers: [],
			histograms: [],
			confidence: [],
			reviewersHourly: [],
			histogramsHourly: [],
			confidenceHourly: [],
		};
		for (const kind of DAILY_KINDS) {
			const twin = TABLES_OF_KIND[kind][1];
			if (nonEmpty(days)) {
				// The whole days before the mark from the daily table, the later ones from the hourly twin.
				const [from, to] = days;
				spans[kind].push([from, to === null ? mark : Math.min(to, mark)]);
				spans[twin].push([from === null ? mark : Math.max(from, mark), to]);
				// The whole hours before the first and after the last whole day.
				if (since !== null) spans[twin].push([hours[0], days[0]]);
				if (until !== null) spans[twin].push([days[1], hours[1]]);
			} else spans[twin].push(hours);
		}
		for (const name of TABLE_NAMES) {
			const periods = spans[name].filter(nonEmpty);
			if (periods.length) await addTableRows(db, totals, name, periods, filter);
		}
	}
	const onlyScope = (fact: DecisionFacts): DecisionFacts => ({ ...fact, workflowId: null });
	totals.addWindowEdges(facts.map(onlyScope));
	return statsOf(totals, options);
}

/** Adds a table's sums over these periods (under the filter's workflow, model and prompt version) into the totals of its kind. */
async function addTableRows(db: SqlExecutor, totals: AggregateDeltas, name: TableName, periods: Span[], filter: DecisionFilter): Promise<void> {
	const table: Table = AGGREGATE_TABLES[name];
	const kind: Kind = table.hourlyOf ?? (name as Kind);
	const clauses: string[] = [];
	const params: SqlValue[] = [];
	const ranges = periods.map(([from, to]) => {
		const bounds: string[] = [];
		if (from !== null) {
			bounds.push('period_ms >= ?');
			params.push(from);
		}
		if (to !== null) {
			bounds.push('period_ms < ?');
			params.push(to);
		}
		return bounds.length ? `(${bounds.join(' AND ')})` : '1 = 1';
	});
	clauses.push(`(${ranges.join(' OR ')})`);
	for (const [field, column] of [
		['workflowId', 'workflow_key'],
		['model', 'model_key'],
		['promptVersion', 'prompt_key'],
	] as const) {
		const value = filter[field];
		if (value !== undefined && value !== '') {
			clauses.push(`${column} = ?`);
			params.push(keyText(value));
		}
	}
	// Outcomes keep their hours (the override series); the other kinds are summed over the window.
	const grouped = [...(kind === 'outcomes' ? ['period_ms'] : []), 'model_key', 'prompt_key', ...table.keys.map(([column]) => column)];
	const sums = table.sums.map(([column]) => `${sqlAggregate(column)} AS ${column}`).join(', ');
	const rows = await db.query(
		`SELECT ${grouped.join(', ')}, ${sums} FROM ${table.name} WHERE ${clauses.join(' AND ')}
		 GROUP BY ${grouped.join(', ')} HAVING SUM(n) <> 0`,
		params,
	);
	const schema = sumRowSchema(table).pick(Object.fromEntries([...grouped, ...table.sums.map(([column]) => column)].map((column) => [column, true])));
	for (const row of parseRows(table.name, schema, rows) as Record<string, SqlScalar>[]) {
		const key = [kind === 'outcomes' ? row.period_ms : 0, '', row.model_key, row.prompt_key, ...table.keys.map(([column]) => row[column])];
		totals.add(kind, key, table.sums.map(([column]) => Number(row[column])));
	}
}

type Bucket = { n: number; lo: number; hi: number };
/** metric → group → bucket index → bucket. */
type Histograms = Map<string, Map<string, Map<number, Bucket>>>;

/** Texts in code-unit order, as the figures list reviewers and rules. */
export const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
/** Rules as the figures list them: most hits first, then by id. */
export const byHits = (a: { ruleId: string; hits: number }, b: { ruleId: string; hits: number }) => b.hits - a.hits || byText(a.ruleId, b.ruleId);
/** The 1-based nearest rank of the `percent` percentile of `count` values (as the PostgreSQL path computes it in SQL). */
export const nearestRank = (count: number, percent: number) => Math.floor((count * percent + 99) / 100);
/** A reviewer's name in the figures, as MAX(reviewer_name) in SQL: the greatest name given, NULLs aside. */
export const greaterName = (current: string | null, name: string | null) => (name !== null && (current === null || name > current) ? name : current);

function statsOf(totals: AggregateDeltas, options: StatsOptions): DecisionStats {
	const bucketMs = Math.max(1, Math.floor(options.bucketMs));
	const { outcomes, series } = outcomesOf(totals, bucketMs);
	const histograms = histogramsOf(totals);
	const ttd = percentiles(histograms.get('ttd')?.get(''), [50, 90]);
	return {
		total: outcomes.reduce((sum, outcome) => sum + outcome.count, 0),
		outcomes,
		timeToDecision: { count: ttd.count, p50Ms: ttd.values[0], p90Ms: ttd.values[1] },
		reviewers: reviewersOf(totals, histograms, options),
		rules: [...(histograms.get('rule') ?? new Map<string, Map<number, Bucket>>()).entries()]
			.map(([ruleId, buckets]) => ({ ruleId, hits: [...buckets.values()].reduce((sum, bucket) => sum + bucket.n, 0) }))
			.filter((rule) => rule.hits > 0)
			.sort(byHits),
		overrideOverTime: [...series.entries()]
			.sort((a, b) => a[0] - b[0])
			.map(([bucket, entry]) => ({ bucketStart: new Date(bucket * bucketMs).toISOString(), ...entry })),
		confidenceBins: confidenceBinsOf(totals),
	};
}

/** Counts and costs per (route, decision, audit sample), and reviewed / overridden per time bucket. */
function outcomesOf(totals: AggregateDeltas, bucketMs: number) {
	const outcomes = new Map<string, OutcomeCount>();
	const series = new Map<number, { reviewed: number; overridden: number }>();
	for (const { key, sums } of totals.rows.outcomes.list) {
		const [period, , , , routeKey, decision, sampled] = key as [number, string, string, string, string, DecisionOutcome, number];
		if (sums[0] === 0) continue;
		const id = JSON.stringify([routeKey, decision, sampled]);
		const outcome = outcomes.get(id) ?? {
			route: keyValue(routeKey) as OutcomeCount['route'],
			decision,
			sampledForAudit: sampled === 1,
			count: 0,
			costUsd: 0,
			costCount: 0,
		};
		outcome.count += sums[0];
		outcome.costUsd += sums[1];
		outcome.costCount += sums[2];
		outcomes.set(id, outcome);
		// Every bucket with a decision appears, reviewed or not (as the row-by-row GROUP BY does).
		const bucket = Math.floor(Number(period) / bucketMs);
		const entry = series.get(bucket) ?? { reviewed: 0, overridden: 0 };
		if (LABELLED_DECISIONS.includes(decision)) entry.reviewed += sums[0];
		if (OVERRIDDEN_DECISIONS.includes(decision)) entry.overridden += sums[0];
		series.set(bucket, entry);
	}
	return { outcomes: [...outcomes.values()], series };
}

function histogramsOf(totals: AggregateDeltas): Histograms {
	const histograms: Histograms = new Map();
	for (const { key, sums } of totals.rows.histograms.list) {
		const [, , , , metric, group, bucket] = key as [number, string, string, string, string, string, number];
		if (sums[0] === 0) continue;
		const groups = histograms.get(metric) ?? new Map<string, Map<number, Bucket>>();
		const buckets = groups.get(group) ?? new Map<number, Bucket>();
		const entry = buckets.get(bucket) ?? { n: 0, lo: NO_LOW, hi: NO_HIGH };
		entry.n += sums[0];
		entry.lo = Math.min(entry.lo, sums[1]);
		entry.hi = Math.max(entry.hi, sums[2]);
		buckets.set(bucket, entry);
		groups.set(group, buckets);
		histograms.set(metric, groups);
	}
	return histograms;
}

/** Nearest-rank percentiles from a log-bucket histogram: the rank is exact, the value within the bucket's error. */
function percentiles(buckets: Map<number, Bucket> | undefined, percents: number[]): { count: number; values: (number | null)[] } {
	const sorted = [...(buckets ?? new Map<number, Bucket>()).entries()].sort((a, b) => a[0] - b[0]);
	const count = sorted.reduce((sum, [, bucket]) => sum + bucket.n, 0);
	const values = percents.map((percent) => {
		if (count === 0) return null;
		const rank = nearestRank(count, percent);
		let seen = 0;
		for (const [index, bucket] of sorted) {
			seen += bucket.n;
			if (seen >= rank) return Math.min(Math.max(logBucketValue(index), bucket.lo), bucket.hi);
		}
		return null;
	});
	return { count, values };
}

function reviewersOf(totals: AggregateDeltas, histograms: Histograms, options: StatsOptions): ReviewerStats[] {
	const reviewers = new Map<string, { name: string | null; n: number; approvals: number }>();
	for (const { key, sums } of totals.rows.reviewers.list) {
		const [, , , , id, nameKey] = key as [number, string, string, string, string, string];
		if (sums[0] === 0) continue;
		const entry = reviewers.get(id) ?? { name: null, n: 0, approvals: 0 };
		entry.name = greaterName(entry.name, keyValue(nameKey));
		entry.n += sums[0];
		entry.approvals += sums[1];
		reviewers.set(id, entry);
	}
	const stampLimit = Math.floor(options.rubberStampMs) / 1000;
	return [...reviewers.entries()]
		.sort(([a], [b]) => byText(a, b))
		.map(([id, entry]) => {
			let fast = 0;
			for (const [stamp, bucket] of histograms.get('stamp')?.get(id) ?? []) if (stamp >= 0 && stamp < stampLimit) fast += bucket.n;
			return {
				reviewerId: id,
				reviewerName: entry.name,
				decisions: entry.n,
				approvals: entry.approvals,
				fastApprovals: fast,
				medianDecisionMs: percentiles(histograms.get('answer')?.get(id), [50]).values[0],
			};
		});
}

function confidenceBinsOf(totals: AggregateDeltas): ConfidenceBin[] {
	const bins = new Map<string, ConfidenceBin>();
	for (const { key, sums } of totals.rows.confidence.list) {
		const [, , modelKey, promptKey, pct] = key as [number, string, string, string, number];
		if (sums[0] === 0) continue;
		const id = JSON.stringify([modelKey, promptKey, pct]);
		const bin = bins.get(id) ?? { model: keyValue(modelKey), promptVersion: keyValue(promptKey), percent: pct, count: 0, correct: 0, sumConfidence: 0, sumSquaredError: 0 };
		bin.count += sums[0];
		bin.correct += sums[1];
		bin.sumConfidence += sums[2];
		bin.sumSquaredError += sums[3];
		bins.set(id, bin);
	}
	return [...bins.values()];
}
