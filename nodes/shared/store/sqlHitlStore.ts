/**
 * The HitlStore over any SqlDriver: the same statements serve the embedded (SQLite) and the
 * PostgreSQL back end, so the contract tests exercise one implementation on two engines.
 */
import { z } from 'zod/v4';

import { maskCardDataDeep } from '../paymentCardData';
import { confidencePercent } from './confidencePercent';
import type { SqlDriver, SqlExecutor, SqlScalar, SqlValue } from './sqlDriver';
import { migrate, readSchemaVersion } from './schema';
import type { PendingReviewStore } from './pendingReviewTypes';
import { SqlPendingReviews } from './sqlPendingReviews';
import type { ReviewSlaStore } from './reviewSlaTypes';
import { SqlReviewSla } from './sqlReviewSla';
import type {
	AuditEntry,
	AuditFilter,
	ConfidenceBin,
	DecisionFilter,
	DecisionOutcome,
	DecisionRecord,
	DecisionRoute,
	DecisionStats,
	GateState,
	HitlStore,
	JsonValue,
	LabelledDecision,
	LabelledDecisionFilter,
	ListDecisionsOptions,
	OutcomeCount,
	PutReviewStateOptions,
	PutReviewStateResult,
	RecordOutcome,
	RetentionResult,
	RoutedBin,
	ReviewState,
	ReviewStateKey,
	OverrideCounts,
	ReviewerStats,
	StatsOptions,
	StoreBackend,
	StoredAuditEntry,
	StoredDecision,
} from './types';
import type { Reviewer } from '../itemContract';

/** The decision table's columns, with their PostgreSQL types for the array (unnest) insert. */
const DECISION_COLUMNS: readonly (readonly [string, string])[] = [
	['execution_id', 'text'],
	['node_name', 'text'],
	['item_index', 'int4'],
	['case_id', 'text'],
	['workflow_id', 'text'],
	['workflow_name', 'text'],
	['route', 'text'],
	['decision', 'text'],
	['confidence', 'float8'],
	['confidence_pct', 'int4'],
	['confidence_method', 'text'],
	['model', 'text'],
	['prompt_version', 'text'],
	['input_text', 'text'],
	['draft_text', 'text'],
	['final_text', 'text'],
	['texts_hashed', 'int4'],
	['edited', 'int4'],
	['edit_distance', 'int4'],
	['reviewers', 'text'],
	['reason', 'text'],
	['comment', 'text'],
	['rule_ids', 'text'],
	['sampled_for_audit', 'int4'],
	['time_to_decision_ms', 'int8'],
	['prompt_tokens', 'int4'],
	['completion_tokens', 'int4'],
	['cost_usd', 'float8'],
	['requested_at', 'text'],
	['decided_at', 'text'],
	['recorded_at', 'text'],
	['recorded_ms', 'int8'],
	['review_probability', 'float8'],
	['slice', 'text'],
];
const REVIEWER_COLUMNS: readonly (readonly [string, string])[] = [
	['decision_id', 'int8'],
	['reviewer_id', 'text'],
	['reviewer_name', 'text'],
	['decision', 'text'],
	['answer_ms', 'int8'],
	['page_ms', 'int8'],
];
const RULE_COLUMNS: readonly (readonly [string, string])[] = [
	['decision_id', 'int8'],
	['rule_id', 'text'],
];

/**
 * One INSERT for many rows. SQLite: a VALUES list. PostgreSQL: one array parameter per column
 * through unnest(), so a 5,000-row batch is one short statement with a few dozen parameters
 * instead of 160,000 placeholders to parse.
 */
function insertStatement(
	dialect: SqlDriver['dialect'],
	table: string,
	columns: readonly (readonly [string, string])[],
	rows: readonly SqlScalar[][],
): { sql: string; params: SqlValue[] } {
	const names = columns.map(([name]) => name).join(', ');
	if (dialect === 'postgres') {
		const arrays = columns.map((_, index) => rows.map((row) => row[index]));
		const unnest = columns.map(([, type]) => `?::${type}[]`).join(', ');
		return { sql: `INSERT INTO ${table} (${names}) SELECT * FROM unnest(${unnest})`, params: arrays };
	}
	const tuple = `(${columns.map(() => '?').join(', ')})`;
	return { sql: `INSERT INTO ${table} (${names}) VALUES ${rows.map(() => tuple).join(', ')}`, params: rows.flat() };
}

/** A human answered with one of these: the decisions that label a draft right or wrong. */
const LABELLED = `('approved','edited','rejected')`;
const OVERRIDDEN = `('edited','rejected')`;

function toMs(iso: string | null | undefined): number | null {
	if (!iso) return null;
	const ms = Date.parse(iso);
	return Number.isFinite(ms) ? ms : null;
}

function requireMs(iso: string, field: string): number {
	const ms = toMs(iso);
	if (ms === null) throw new Error(`${field} is not an ISO timestamp: "${iso}"`);
	return ms;
}


/** A probability in [0, 1], or null (a broken value is no evidence). Labels weigh 1/p only where p > 0. */
function reviewProbabilityOf(record: DecisionRecord): number | null {
	const p = record.reviewProbability;
	return typeof p === 'number' && Number.isFinite(p) && p >= 0 && p <= 1 ? p : null;
}

function decisionRow(record: DecisionRecord): SqlScalar[] {
	return [
		record.executionId,
		record.nodeName,
		record.itemIndex,
		record.caseId,
		record.workflowId,
		record.workflowName,
		record.route,
		record.decision,
		record.confidence,
		record.confidence === null ? null : confidencePercent(record.confidence),
		record.confidenceMethod,
		record.model,
		record.promptVersion,
		record.inputText ?? null,
		record.draftText,
		record.finalText,
		record.textsHashed ? 1 : 0,
		record.edited ? 1 : 0,
		record.editDistance,
		JSON.stringify(record.reviewers),
		record.reason,
		record.comment,
		JSON.stringify(record.ruleIds),
		record.sampledForAudit ? 1 : 0,
		record.timeToDecisionMs,
		record.promptTokens,
		record.completionTokens,
		record.costUsd,
		record.requestedAt,
		record.decidedAt,
		record.recordedAt,
		requireMs(record.recordedAt, 'recordedAt'),
		reviewProbabilityOf(record),
		record.slice ?? null,
	];
}

/**
 * PCI DSS (3.3.1, 3.4.1): the store never keeps a full card number or a card security code,
 * whatever a flow hands it. Every write — decisions, review state, audit entries — passes its
 * values through here, so every text column (and every text inside a JSON column, masked before
 * it is serialised) holds at most a card's last four digits. The row's key fields stay as given,
 * so a later read by key finds the row.
 */
function withoutCardData<T extends object>(value: T, ...keys: (keyof T)[]): T {
	const masked = maskCardDataDeep(value);
	if (masked === value) return value;
	const copy = { ...masked };
	for (const key of keys) copy[key] = value[key];
	return copy;
}

const keyOf = (executionId: string, nodeName: string, itemIndex: number | string) =>
	`${executionId}\u0000${nodeName}\u0000${Number(itemIndex)}`;

const storedDecisionRowSchema = z.looseObject({
	id: z.union([z.number(), z.string(), z.bigint()]),
	execution_id: z.string(),
	node_name: z.string(),
	item_index: z.union([z.number(), z.string()]),
	case_id: z.string(),
	reviewers: z.string(),
	rule_ids: z.string(),
	recorded_at: z.string(),
});

type Row = Record<string, unknown>;

const str = (value: unknown): string | null => (value === null || value === undefined ? null : String(value));
const num = (value: unknown): number | null => (value === null || value === undefined ? null : Number(value));

function storedDecision(raw: Row): StoredDecision {
	// Store rows are an edge (another version of this package may have written them): validate.
	const row = storedDecisionRowSchema.parse(raw);
	return {
		id: String(row.id),
		executionId: row.execution_id,
		nodeName: row.node_name,
		itemIndex: Number(row.item_index),
		caseId: row.case_id,
		workflowId: str(raw.workflow_id),
		workflowName: str(raw.workflow_name),
		route: str(raw.route) as DecisionRoute | null,
		decision: String(raw.decision) as DecisionOutcome,
		confidence: num(raw.confidence),
		confidenceMethod: str(raw.confidence_method),
		model: str(raw.model),
		promptVersion: str(raw.prompt_version),
		inputText: str(raw.input_text),
		draftText: str(raw.draft_text),
		finalText: str(raw.final_text),
		textsHashed: Number(raw.texts_hashed) === 1,
		edited: Number(raw.edited) === 1,
		editDistance: num(raw.edit_distance),
		reviewers: JSON.parse(row.reviewers) as Reviewer[],
		reason: str(raw.reason),
		comment: str(raw.comment),
		ruleIds: JSON.parse(row.rule_ids) as string[],
		sampledForAudit: Number(raw.sampled_for_audit) === 1,
		timeToDecisionMs: num(raw.time_to_decision_ms),
		promptTokens: num(raw.prompt_tokens),
		completionTokens: num(raw.completion_tokens),
		costUsd: num(raw.cost_usd),
		requestedAt: str(raw.requested_at),
		decidedAt: str(raw.decided_at),
		recordedAt: row.recorded_at,
		reviewProbability: num(raw.review_probability),
		slice: str(raw.slice),
	};
}

/** WHERE clause (on alias `d`) and its parameters for a DecisionFilter. */
function whereDecisions(filter: DecisionFilter = {}): { sql: string; params: SqlValue[] } {
	const clauses: string[] = [];
	const params: SqlValue[] = [];
	if (filter.since !== undefined) {
		clauses.push('d.recorded_ms >= ?');
		params.push(requireMs(filter.since, 'since'));
	}
	if (filter.until !== undefined) {
		clauses.push('d.recorded_ms < ?');
		params.push(requireMs(filter.until, 'until'));
	}
	for (const [field, column] of [
		['workflowId', 'workflow_id'],
		['model', 'model'],
		['promptVersion', 'prompt_version'],
	] as const) {
		const value = filter[field];
		if (value !== undefined && value !== '') {
			clauses.push(`d.${column} = ?`);
			params.push(value);
		}
	}
	if (filter.afterId !== undefined) {
		clauses.push('d.id > ?');
		params.push(Number(filter.afterId));
	}
	if (filter.throughId !== undefined) {
		clauses.push('d.id <= ?');
		params.push(Number(filter.throughId));
	}
	return { sql: clauses.length ? `WHERE ${clauses.join(' AND ')}` : 'WHERE 1 = 1', params };
}

const MAX_STATE_RETRIES = 50;
const STATS_WORK_MEM = '64MB';

export class SqlHitlStore implements HitlStore {
	readonly pendingReviews: PendingReviewStore;
	readonly reviewSla: ReviewSlaStore;

	private constructor(
		private readonly driver: SqlDriver,
		readonly backend: StoreBackend,
		readonly location: string,
	) {
		this.pendingReviews = new SqlPendingReviews(driver);
		this.reviewSla = new SqlReviewSla(driver);
	}

	/** Wraps a driver, creating or migrating the schema first. */
	static async open(driver: SqlDriver, backend: StoreBackend, location: string): Promise<SqlHitlStore> {
		try {
			await migrate(driver);
		} catch (error) {
			await driver.close().catch(() => undefined);
			// eslint-disable-next-line @n8n/community-nodes/require-node-api-error -- store core has no node; the node shell wraps it in a NodeOperationError
			throw error;
		}
		return new SqlHitlStore(driver, backend, location);
	}

	schemaVersion(): Promise<number> {
		return readSchemaVersion(this.driver);
	}

	async recordDecisions(given: DecisionRecord[]): Promise<RecordOutcome[]> {
		if (given.length === 0) return [];
		const records = given.map((record) => withoutCardData(record, 'executionId', 'nodeName', 'itemIndex'));
		const rows = records.map(decisionRow);
		return this.driver.transaction(async (tx) => {
			const inserted = new Map<string, string>();
			const chunk = this.driver.insertChunkRows;
			for (let start = 0; start < rows.length; start += chunk) {
				const insert = insertStatement(this.driver.dialect, 'hitl_decisions', DECISION_COLUMNS, rows.slice(start, start + chunk));
				const returned = await tx.query<Row>(
					`${insert.sql} ON CONFLICT (execution_id, node_name, item_index) DO NOTHING
					 RETURNING id, execution_id, node_name, item_index`,
					insert.params,
				);
				for (const row of returned) {
					inserted.set(keyOf(String(row.execution_id), String(row.node_name), String(row.item_index)), String(row.id));
				}
			}
			const outcomes: RecordOutcome[] = [];
			const newRows: DecisionRecord[] = [];
			const newIds: string[] = [];
			const seen = new Set<string>();
			for (const record of records) {
				const key = keyOf(record.executionId, record.nodeName, record.itemIndex);
				const id = inserted.get(key);
				if (id !== undefined && !seen.has(key)) {
					seen.add(key);
					outcomes.push({ id, inserted: true });
					newRows.push(record);
					newIds.push(id);
				} else {
					outcomes.push({ id: id ?? (await this.existingId(tx, record)), inserted: false });
				}
			}
			await this.insertChildren(tx, newRows, newIds);
			return outcomes;
		});
	}

	private async existingId(tx: SqlExecutor, record: DecisionRecord): Promise<string> {
		const rows = await tx.query<{ id: unknown }>(
			'SELECT id FROM hitl_decisions WHERE execution_id = ? AND node_name = ? AND item_index = ?',
			[record.executionId, record.nodeName, record.itemIndex],
		);
		return String(rows[0].id);
	}

	private async insertChildren(tx: SqlExecutor, records: DecisionRecord[], ids: string[]): Promise<void> {
		const reviewerRows: SqlScalar[][] = [];
		const ruleRows: SqlScalar[][] = [];
		records.forEach((record, index) => {
			const id = Number(ids[index]);
			const requestedMs = toMs(record.requestedAt);
			for (const vote of record.reviewers) {
				const atMs = toMs(vote.at);
				const answerMs = requestedMs !== null && atMs !== null ? Math.max(0, atMs - requestedMs) : null;
				const pageMs = typeof vote.timeOnPageMs === 'number' && Number.isFinite(vote.timeOnPageMs) ? Math.max(0, Math.round(vote.timeOnPageMs)) : null;
				reviewerRows.push([id, vote.id, vote.name ?? null, vote.decision, answerMs, pageMs]);
			}
			for (const ruleId of new Set(record.ruleIds)) ruleRows.push([id, ruleId]);
		});
		await this.insertMany(tx, 'hitl_decision_reviewers', REVIEWER_COLUMNS, reviewerRows);
		await this.insertMany(tx, 'hitl_decision_rules', RULE_COLUMNS, ruleRows);
	}

	private async insertMany(
		tx: SqlExecutor,
		table: string,
		columns: readonly (readonly [string, string])[],
		rows: SqlScalar[][],
	): Promise<void> {
		const chunk = this.driver.insertChunkRows * 4;
		for (let start = 0; start < rows.length; start += chunk) {
			const insert = insertStatement(this.driver.dialect, table, columns, rows.slice(start, start + chunk));
			await tx.run(insert.sql, insert.params);
		}
	}

	async countDecisions(filter?: DecisionFilter): Promise<number> {
		const where = whereDecisions(filter);
		const rows = await this.driver.query<{ n: unknown }>(`SELECT COUNT(*) AS n FROM hitl_decisions d ${where.sql}`, where.params);
		return Number(rows[0].n);
	}

	async listDecisions(filter?: DecisionFilter, options: ListDecisionsOptions = {}): Promise<StoredDecision[]> {
		const where = whereDecisions(filter);
		const params = [...where.params];
		let sql = `SELECT d.* FROM hitl_decisions d ${where.sql}`;
		if (options.afterId !== undefined) {
			sql += ' AND d.id > ?';
			params.push(Number(options.afterId));
		}
		sql += ' ORDER BY d.id LIMIT ?';
		params.push(Math.max(1, Math.floor(options.limit ?? 1000)));
		return (await this.driver.query<Row>(sql, params)).map(storedDecision);
	}

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
		const where = whereDecisions(await this.tightenFilter(db, filter));
		const q = <R extends object>(sql: string, extra: SqlValue[] = []) => db.query<R>(sql, [...extra, ...where.params]);

		const outcomeRows = await q<Row>(
			`SELECT d.route AS route, d.decision AS decision, d.sampled_for_audit AS sampled, COUNT(*) AS n,
			        SUM(d.cost_usd) AS cost, COUNT(d.cost_usd) AS cost_n
			 FROM hitl_decisions d ${where.sql}
			 GROUP BY d.route, d.decision, d.sampled_for_audit`,
		);
		const outcomes: OutcomeCount[] = outcomeRows.map((row) => ({
			route: str(row.route) as DecisionRoute | null,
			decision: String(row.decision) as DecisionOutcome,
			sampledForAudit: Number(row.sampled) === 1,
			count: Number(row.n),
			costUsd: Number(row.cost ?? 0),
			costCount: Number(row.cost_n),
		}));

		const ttdRanks = await this.nearestRanks(
			db,
			`SELECT '' AS k, d.time_to_decision_ms AS v FROM hitl_decisions d ${where.sql} AND d.time_to_decision_ms IS NOT NULL`,
			where.params,
			[50, 90],
		);
		const ttd = ttdRanks.get('') ?? { count: 0, values: [null, null] };

		const reviewerRows = await q<Row>(
			`SELECT r.reviewer_id AS reviewer_id, MAX(r.reviewer_name) AS reviewer_name, COUNT(*) AS n,
			        SUM(CASE WHEN r.decision = 'approved' THEN 1 ELSE 0 END) AS approvals,
			        SUM(CASE WHEN r.decision = 'approved' AND COALESCE(r.page_ms, r.answer_ms) < ? THEN 1 ELSE 0 END) AS fast
			 FROM hitl_decision_reviewers r JOIN hitl_decisions d ON d.id = r.decision_id ${where.sql}
			 GROUP BY r.reviewer_id ORDER BY r.reviewer_id`,
			[Math.floor(options.rubberStampMs)],
		);
		const medians = await this.nearestRanks(
			db,
			`SELECT r.reviewer_id AS k, r.answer_ms AS v FROM hitl_decision_reviewers r JOIN hitl_decisions d ON d.id = r.decision_id
			 ${where.sql} AND r.answer_ms IS NOT NULL`,
			where.params,
			[50],
		);
		const reviewers: ReviewerStats[] = reviewerRows.map((row) => ({
			reviewerId: String(row.reviewer_id),
			reviewerName: str(row.reviewer_name),
			decisions: Number(row.n),
			approvals: Number(row.approvals),
			fastApprovals: Number(row.fast),
			medianDecisionMs: medians.get(String(row.reviewer_id))?.values[0] ?? null,
		}));

		const ruleRows = await q<Row>(
			`SELECT ru.rule_id AS rule_id, COUNT(*) AS hits
			 FROM hitl_decision_rules ru JOIN hitl_decisions d ON d.id = ru.decision_id ${where.sql}
			 GROUP BY ru.rule_id ORDER BY hits DESC, ru.rule_id`,
		);

		const bucketMs = Math.max(1, Math.floor(options.bucketMs));
		const bucketRows = await q<Row>(
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
			rules: ruleRows.map((row) => ({ ruleId: String(row.rule_id), hits: Number(row.hits) })),
			overrideOverTime: bucketRows.map((row) => ({
				bucketStart: new Date(Number(row.b) * bucketMs).toISOString(),
				reviewed: Number(row.reviewed),
				overridden: Number(row.overridden),
			})),
			confidenceBins,
		};
	}

	async confidenceBins(filter: DecisionFilter): Promise<ConfidenceBin[]> {
		return this.queryConfidenceBins(this.driver, whereDecisions(await this.tightenFilter(this.driver, filter)));
	}

	async overrideCounts(filter: DecisionFilter): Promise<OverrideCounts> {
		const where = whereDecisions(await this.tightenFilter(this.driver, filter));
		const [row] = await this.driver.query<Row>(
			`SELECT SUM(CASE WHEN d.decision IN ${LABELLED} THEN 1 ELSE 0 END) AS reviewed,
			        SUM(CASE WHEN d.decision IN ${OVERRIDDEN} THEN 1 ELSE 0 END) AS overridden
			 FROM hitl_decisions d ${where.sql}`,
			where.params,
		);
		return { reviewed: Number(row?.reviewed ?? 0), overridden: Number(row?.overridden ?? 0) };
	}

	async routedBins(filter: DecisionFilter): Promise<RoutedBin[]> {
		const where = whereDecisions(await this.tightenFilter(this.driver, filter));
		// A label with p = 0 cannot happen (a person saw it); guard the division anyway.
		const labelled = `d.decision IN ${LABELLED} AND d.review_probability > 0`;
		const rows = await this.driver.query<Row>(
			`SELECT d.model AS model, d.prompt_version AS prompt_version, d.confidence_pct AS pct, COUNT(*) AS n,
			        SUM(CASE WHEN ${labelled} THEN 1 ELSE 0 END) AS labelled,
			        SUM(CASE WHEN ${labelled} THEN 1.0 / d.review_probability ELSE 0 END) AS w,
			        SUM(CASE WHEN ${labelled} THEN 1.0 / (d.review_probability * d.review_probability) ELSE 0 END) AS w2,
			        SUM(CASE WHEN d.decision = 'approved' AND d.review_probability > 0 THEN 1.0 / d.review_probability ELSE 0 END) AS wy,
			        SUM(CASE WHEN d.decision = 'approved' AND d.review_probability > 0 THEN 1.0 / (d.review_probability * d.review_probability) ELSE 0 END) AS w2y
			 FROM hitl_decisions d ${where.sql} AND d.confidence_pct IS NOT NULL AND d.review_probability IS NOT NULL
			 GROUP BY d.model, d.prompt_version, d.confidence_pct`,
			where.params,
		);
		return rows.map((row) => ({
			model: str(row.model),
			promptVersion: str(row.prompt_version),
			percent: Number(row.pct),
			routed: Number(row.n),
			labelled: Number(row.labelled),
			weight: Number(row.w ?? 0),
			weightSquared: Number(row.w2 ?? 0),
			weightApproved: Number(row.wy ?? 0),
			weightSquaredApproved: Number(row.w2y ?? 0),
		}));
	}

	async labelledDecisions(filter: LabelledDecisionFilter): Promise<LabelledDecision[]> {
		const where = whereDecisions(filter);
		const params = [...where.params];
		let sql = `SELECT d.id AS id, d.model AS model, d.prompt_version AS prompt_version, d.confidence AS confidence,
		                  d.decision AS decision, d.slice AS slice, d.recorded_at AS recorded_at
		           FROM hitl_decisions d ${where.sql}
		           AND d.confidence IS NOT NULL AND d.review_probability > 0 AND d.decision IN ${LABELLED}`;
		sql += ' ORDER BY d.id LIMIT ?';
		params.push(Math.max(1, Math.floor(filter.limit ?? 5000)));
		return (await this.driver.query<Row>(sql, params)).map((row) => ({
			id: String(row.id),
			model: str(row.model),
			promptVersion: str(row.prompt_version),
			confidence: Number(row.confidence),
			approved: row.decision === 'approved',
			slice: str(row.slice),
			recordedAt: String(row.recorded_at),
		}));
	}

	async lastDecisionId(): Promise<string | undefined> {
		const [row] = await this.driver.query<{ id: unknown }>('SELECT MAX(id) AS id FROM hitl_decisions');
		return row?.id === null || row?.id === undefined ? undefined : String(row.id);
	}

	async getGateState(key: string): Promise<GateState | undefined> {
		const rows = await this.driver.query<Row>('SELECT state, revision, updated_at FROM hitl_gate_state WHERE state_key = ?', [key]);
		if (!rows.length) return undefined;
		return { state: JSON.parse(String(rows[0].state)) as JsonValue, revision: Number(rows[0].revision), updatedAt: String(rows[0].updated_at) };
	}

	async putGateState(key: string, state: JsonValue, expectedRevision: number): Promise<PutReviewStateResult> {
		const now = new Date();
		const json = JSON.stringify(state);
		const changed =
			expectedRevision === 0
				? await this.driver.run(
						`INSERT INTO hitl_gate_state (state_key, state, revision, updated_at, updated_ms)
						 VALUES (?, ?, 1, ?, ?) ON CONFLICT (state_key) DO NOTHING`,
						[key, json, now.toISOString(), now.getTime()],
					)
				: await this.driver.run(
						`UPDATE hitl_gate_state SET state = ?, revision = revision + 1, updated_at = ?, updated_ms = ?
						 WHERE state_key = ? AND revision = ?`,
						[json, now.toISOString(), now.getTime(), key, expectedRevision],
					);
		if (changed === 1) return { ok: true, revision: expectedRevision + 1 };
		const current = await this.getGateState(key);
		return { ok: false, currentRevision: current?.revision ?? 0 };
	}

	private async queryConfidenceBins(db: SqlExecutor, where: { sql: string; params: SqlValue[] }): Promise<ConfidenceBin[]> {
		const label = `CASE WHEN d.decision = 'approved' THEN 1.0 ELSE 0.0 END`;
		const binRows = await db.query<Row>(
			`SELECT d.model AS model, d.prompt_version AS prompt_version, d.confidence_pct AS pct, COUNT(*) AS n,
			        SUM(CASE WHEN d.decision = 'approved' THEN 1 ELSE 0 END) AS correct,
			        SUM(d.confidence) AS sum_conf,
			        SUM((d.confidence - ${label}) * (d.confidence - ${label})) AS sse
			 FROM hitl_decisions d ${where.sql} AND d.confidence IS NOT NULL AND d.decision IN ${LABELLED}
			 GROUP BY d.model, d.prompt_version, d.confidence_pct`,
			where.params,
		);
		return binRows.map((row) => ({
			model: str(row.model),
			promptVersion: str(row.prompt_version),
			percent: Number(row.pct),
			count: Number(row.n),
			correct: Number(row.correct),
			sumConfidence: Number(row.sum_conf),
			sumSquaredError: Number(row.sse),
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
		selectValues: string,
		params: SqlValue[],
		percents: number[],
	): Promise<Map<string, { count: number; values: (number | null)[] }>> {
		const rankOf = (count: number, percent: number) => Math.floor((count * percent + 99) / 100);
		const result = new Map<string, { count: number; values: (number | null)[] }>();
		if (this.driver.dialect === 'sqlite') {
			const groups = new Map<string, number[]>();
			for (const row of await db.query<{ k: string; v: number }>(selectValues, params)) {
				const values = groups.get(row.k);
				if (values) values.push(Number(row.v));
				else groups.set(row.k, [Number(row.v)]);
			}
			for (const [key, values] of groups) {
				const sorted = Float64Array.from(values).sort();
				result.set(key, { count: sorted.length, values: percents.map((percent) => sorted[rankOf(sorted.length, percent) - 1]) });
			}
			return result;
		}
		const wanted = percents.map((percent) => `t.rn = (t.cnt * ${percent} + 99) / 100`).join(' OR ');
		const rows = await db.query<Row>(
			`SELECT t.k AS k, t.rn AS rn, t.cnt AS cnt, t.v AS v FROM (
			   SELECT s.k AS k, s.v AS v, ROW_NUMBER() OVER (PARTITION BY s.k ORDER BY s.v) AS rn,
			          COUNT(*) OVER (PARTITION BY s.k) AS cnt
			   FROM (${selectValues}) s
			 ) t WHERE ${wanted}`,
			params,
		);
		for (const row of rows) {
			const key = String(row.k);
			const count = Number(row.cnt);
			const entry = result.get(key) ?? { count, values: percents.map(() => null) };
			percents.forEach((percent, index) => {
				if (Number(row.rn) === rankOf(count, percent)) entry.values[index] = Number(row.v);
			});
			result.set(key, entry);
		}
		return result;
	}

	/**
	 * Drops window bounds that exclude no row: a window covering the whole table then reads it
	 * straight through instead of through the recorded_ms index (which SQLite would otherwise pick
	 * for any range, at two to three times the cost of a full scan).
	 */
	private async tightenFilter(db: SqlExecutor, filter: DecisionFilter): Promise<DecisionFilter> {
		if (filter.since === undefined && filter.until === undefined) return filter;
		const [range] = await db.query<{ lo: unknown; hi: unknown }>(
			'SELECT MIN(recorded_ms) AS lo, MAX(recorded_ms) AS hi FROM hitl_decisions',
		);
		if (range.lo === null || range.lo === undefined) return filter;
		const tightened = { ...filter };
		if (filter.since !== undefined && requireMs(filter.since, 'since') <= Number(range.lo)) delete tightened.since;
		if (filter.until !== undefined && requireMs(filter.until, 'until') > Number(range.hi)) delete tightened.until;
		return tightened;
	}

	async getReviewState(key: ReviewStateKey): Promise<ReviewState | undefined> {
		const rows = await this.driver.query<Row>(
			'SELECT state, revision, updated_at FROM hitl_review_state WHERE execution_id = ? AND node_name = ?',
			[key.executionId, key.nodeName],
		);
		if (!rows.length) return undefined;
		return {
			state: JSON.parse(String(rows[0].state)) as JsonValue,
			revision: Number(rows[0].revision),
			updatedAt: String(rows[0].updated_at),
		};
	}

	async putReviewState(
		key: ReviewStateKey,
		state: JsonValue,
		options: PutReviewStateOptions = {},
	): Promise<PutReviewStateResult> {
		const now = new Date();
		const json = JSON.stringify(maskCardDataDeep(state));
		const expected = options.expectedRevision;
		if (expected === undefined) {
			const rows = await this.driver.query<{ revision: unknown }>(
				`INSERT INTO hitl_review_state (execution_id, node_name, state, revision, updated_at, updated_ms)
				 VALUES (?, ?, ?, 1, ?, ?)
				 ON CONFLICT (execution_id, node_name) DO UPDATE SET state = excluded.state,
				   revision = hitl_review_state.revision + 1, updated_at = excluded.updated_at, updated_ms = excluded.updated_ms
				 RETURNING revision`,
				[key.executionId, key.nodeName, json, now.toISOString(), now.getTime()],
			);
			return { ok: true, revision: Number(rows[0].revision) };
		}
		const changed =
			expected === 0
				? await this.driver.run(
						`INSERT INTO hitl_review_state (execution_id, node_name, state, revision, updated_at, updated_ms)
						 VALUES (?, ?, ?, 1, ?, ?) ON CONFLICT (execution_id, node_name) DO NOTHING`,
						[key.executionId, key.nodeName, json, now.toISOString(), now.getTime()],
					)
				: await this.driver.run(
						`UPDATE hitl_review_state SET state = ?, revision = revision + 1, updated_at = ?, updated_ms = ?
						 WHERE execution_id = ? AND node_name = ? AND revision = ?`,
						[json, now.toISOString(), now.getTime(), key.executionId, key.nodeName, expected],
					);
		if (changed === 1) return { ok: true, revision: expected + 1 };
		const current = await this.getReviewState(key);
		return { ok: false, currentRevision: current?.revision ?? 0 };
	}

	async updateReviewState(key: ReviewStateKey, mutate: (current: JsonValue | undefined) => JsonValue): Promise<ReviewState> {
		for (let attempt = 0; attempt < MAX_STATE_RETRIES; attempt++) {
			const current = await this.getReviewState(key);
			const next = mutate(current?.state);
			const result = await this.putReviewState(key, next, { expectedRevision: current?.revision ?? 0 });
			if (result.ok) return { state: next, revision: result.revision, updatedAt: new Date().toISOString() };
			await new Promise((resolve) => setTimeout(resolve, Math.random() * 5 * (attempt + 1)));
		}
		throw new Error(
			`Review state of execution ${key.executionId} (node "${key.nodeName}") kept changing under ` +
				`${MAX_STATE_RETRIES} attempts to update it; try again.`,
		);
	}

	async deleteReviewState(key: ReviewStateKey): Promise<boolean> {
		const changed = await this.driver.run('DELETE FROM hitl_review_state WHERE execution_id = ? AND node_name = ?', [
			key.executionId,
			key.nodeName,
		]);
		return changed > 0;
	}

	async appendAudit(given: AuditEntry): Promise<string> {
		const entry = withoutCardData(given, 'executionId', 'nodeName', 'idempotencyKey', 'at');
		const at = entry.at ?? new Date().toISOString();
		const params: SqlValue[] = [
			entry.executionId,
			entry.nodeName,
			entry.caseId ?? null,
			entry.event,
			entry.actor ?? null,
			entry.detail === undefined ? null : JSON.stringify(entry.detail),
			at,
			requireMs(at, 'at'),
			entry.idempotencyKey ?? null,
		];
		const rows = await this.driver.query<{ id: unknown }>(
			`INSERT INTO hitl_audit (execution_id, node_name, case_id, event, actor, detail, at, at_ms, idempotency_key)
			 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (idempotency_key) DO NOTHING RETURNING id`,
			params,
		);
		if (rows.length) return String(rows[0].id);
		const existing = await this.driver.query<{ id: unknown }>('SELECT id FROM hitl_audit WHERE idempotency_key = ?', [
			entry.idempotencyKey ?? null,
		]);
		return String(existing[0].id);
	}

	async listAudit(filter: AuditFilter = {}): Promise<StoredAuditEntry[]> {
		const clauses: string[] = [];
		const params: SqlValue[] = [];
		if (filter.executionId !== undefined) {
			clauses.push('execution_id = ?');
			params.push(filter.executionId);
		}
		if (filter.caseId !== undefined) {
			clauses.push('case_id = ?');
			params.push(filter.caseId);
		}
		if (filter.since !== undefined) {
			clauses.push('at_ms >= ?');
			params.push(requireMs(filter.since, 'since'));
		}
		if (filter.until !== undefined) {
			clauses.push('at_ms < ?');
			params.push(requireMs(filter.until, 'until'));
		}
		params.push(Math.max(1, Math.floor(filter.limit ?? 1000)));
		const rows = await this.driver.query<Row>(
			`SELECT * FROM hitl_audit ${clauses.length ? `WHERE ${clauses.join(' AND ')}` : ''} ORDER BY at_ms, id LIMIT ?`,
			params,
		);
		return rows.map((row) => {
			const entry: StoredAuditEntry = {
				id: String(row.id),
				executionId: String(row.execution_id),
				nodeName: String(row.node_name),
				event: String(row.event),
				at: String(row.at),
			};
			if (row.case_id !== null) entry.caseId = String(row.case_id);
			if (row.actor !== null) entry.actor = String(row.actor);
			if (row.detail !== null) entry.detail = JSON.parse(String(row.detail)) as JsonValue;
			if (row.idempotency_key !== null) entry.idempotencyKey = String(row.idempotency_key);
			return entry;
		});
	}

	async deleteOlderThan(before: string): Promise<RetentionResult> {
		const cutoff = requireMs(before, 'before');
		return this.driver.transaction(async (tx) => {
			// Child rows first: SQLite enforces ON DELETE CASCADE only with foreign_keys on, which a
			// database opened by another tool may not have had.
			const old = 'SELECT id FROM hitl_decisions WHERE recorded_ms < ?';
			await tx.run(`DELETE FROM hitl_decision_reviewers WHERE decision_id IN (${old})`, [cutoff]);
			await tx.run(`DELETE FROM hitl_decision_rules WHERE decision_id IN (${old})`, [cutoff]);
			return {
				decisions: await tx.run('DELETE FROM hitl_decisions WHERE recorded_ms < ?', [cutoff]),
				reviewStates: await tx.run('DELETE FROM hitl_review_state WHERE updated_ms < ?', [cutoff]),
				auditEntries: await tx.run('DELETE FROM hitl_audit WHERE at_ms < ?', [cutoff]),
			};
		});
	}

	close(): Promise<void> {
		return this.driver.close();
	}
}
