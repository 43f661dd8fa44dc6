/**
 * Decisions: recording them (idempotent on execution + node + item, one transaction per batch,
 * with the maintained aggregates) and reading them back row by row. A decision's reviewer answers
 * and fired rules are JSON columns of its row (`reviewers`, `rule_ids`); per-reviewer and per-rule
 * figures come from the aggregates, and from those columns for what the aggregates do not cover.
 */
import { z } from 'zod/v4';

import { confidencePercent } from './confidencePercent';
import { insertChunks, insertStatement, rowInsert, type TypedColumns } from './batchInsert';
import { distinctRuleIds, reviewerAnswers, type DecisionFacts, type OneStatementOutcome, type SqlStatement } from './decisionAggregates';
import { LABELLED, whereDecisions } from './decisionFilter';
import type { SqlDriver, SqlExecutor, SqlScalar } from './sqlDriver';
import { decisionRowSchema, integer, nullable, parseRow, parseRows, real, text } from './storeRows';
import { requireMs } from './timestamps';
import type {
	DecisionFilter,
	DecisionRecord,
	DecisionStore,
	LabelledDecision,
	LabelledDecisionFilter,
	ListDecisionsOptions,
	RecordOutcome,
	StoredDecision,
} from './types';
import { withoutCardData } from './withoutCardData';

/** The decision table's columns, with their PostgreSQL types for the array (unnest) insert. */
const DECISION_COLUMNS: TypedColumns = [
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
/** A decision row is inserted unless its key was recorded before (the retry of an execution). */
const DECISION_INSERT = rowInsert('hitl_decisions', DECISION_COLUMNS, 'ON CONFLICT (execution_id, node_name, item_index) DO NOTHING');

/** A probability in [0, 1], or null (a broken value is no evidence). Labels weigh 1/p only where p > 0. */
function reviewProbabilityOf(record: DecisionRecord): number | null {
	const p = record.reviewProbability;
	return typeof p === 'number' && Number.isFinite(p) && p >= 0 && p <= 1 ? p : null;
}

function decisionRow(record: DecisionRecord, recordedMs: number): SqlScalar[] {
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
		recordedMs,
		reviewProbabilityOf(record),
		record.slice ?? null,
	];
}

/** A record as the maintained aggregates hold it: the same facts a later read of its row gives (readFacts). */
function factsOfRecord(record: DecisionRecord, recordedMs: number): DecisionFacts {
	return {
		recordedMs,
		workflowId: record.workflowId,
		model: record.model,
		promptVersion: record.promptVersion,
		route: record.route,
		decision: record.decision,
		sampledForAudit: record.sampledForAudit,
		costUsd: record.costUsd,
		confidence: record.confidence,
		confidencePct: record.confidence === null ? null : confidencePercent(record.confidence),
		timeToDecisionMs: record.timeToDecisionMs,
		reviewers: reviewerAnswers(record.requestedAt, record.reviewers),
		ruleIds: distinctRuleIds(record.ruleIds),
	};
}

function storedDecision(raw: unknown): StoredDecision {
	const row = parseRow('hitl_decisions', decisionRowSchema, raw);
	return {
		id: String(row.id),
		executionId: row.execution_id,
		nodeName: row.node_name,
		itemIndex: row.item_index,
		caseId: row.case_id,
		workflowId: row.workflow_id,
		workflowName: row.workflow_name,
		route: row.route,
		decision: row.decision,
		confidence: row.confidence,
		confidenceMethod: row.confidence_method,
		model: row.model,
		promptVersion: row.prompt_version,
		inputText: row.input_text,
		draftText: row.draft_text,
		finalText: row.final_text,
		textsHashed: row.texts_hashed,
		edited: row.edited,
		editDistance: row.edit_distance,
		reviewers: row.reviewers,
		reason: row.reason,
		comment: row.comment,
		ruleIds: row.rule_ids,
		sampledForAudit: row.sampled_for_audit,
		timeToDecisionMs: row.time_to_decision_ms,
		promptTokens: row.prompt_tokens,
		completionTokens: row.completion_tokens,
		costUsd: row.cost_usd,
		requestedAt: row.requested_at,
		decidedAt: row.decided_at,
		recordedAt: row.recorded_at,
		reviewProbability: row.review_probability,
		slice: row.slice,
	};
}

const insertedKeySchema = z.object({ id: integer, execution_id: text, node_name: text, item_index: integer });
const idSchema = z.object({ id: integer });
const countSchema = z.object({ n: integer });
const maxIdSchema = z.object({ id: nullable(integer) });
const labelledRowSchema = decisionRowSchema
	.pick({ id: true, model: true, prompt_version: true, decision: true, slice: true, recorded_at: true })
	.extend({ confidence: real });

const keyOf = (executionId: string, nodeName: string, itemIndex: number) => `${executionId}\u0000${nodeName}\u0000${itemIndex}`;

/**
 * Whoever maintains figures derived from the rows (the maintained aggregates). `begin` runs first
 * in each recording transaction, before the INSERT (so a lock it takes comes before any row lock),
 * with the newest time the batch records; given the facts of the decisions the batch inserts,
 * what it returns gives the work to run later in that transaction.
 */
export interface DerivedFigures {
	begin(tx: SqlExecutor, newestMs: number): (facts: readonly DecisionFacts[]) => (tx: SqlExecutor) => Promise<void>;
	/**
	 * PostgreSQL, a batch of one: records the decision and its figures in one statement, given the
	 * decision's INSERT … RETURNING id with WHERE `guard` on its SELECT. Undefined (nothing run) or
	 * `done: false` (nothing written): record it in the transaction instead.
	 */
	recordOne?(db: SqlExecutor, fact: DecisionFacts, insertRow: (guard: string) => SqlStatement): Promise<OneStatementOutcome | undefined>;
}

const NO_DERIVED_FIGURES: DerivedFigures = { begin: () => () => async () => undefined };

export class DecisionLog implements DecisionStore {
	constructor(
		private readonly driver: SqlDriver,
		private readonly derived: DerivedFigures = NO_DERIVED_FIGURES,
	) {}

	async recordDecisions(given: DecisionRecord[]): Promise<RecordOutcome[]> {
		if (given.length === 0) return [];
		const records = given.map((record) => withoutCardData(record, 'executionId', 'nodeName', 'itemIndex'));
		const recordedMs = records.map((record) => requireMs(record.recordedAt, 'recordedAt'));
		const rows = records.map((record, index) => decisionRow(record, recordedMs[index]));
		const newestMs = recordedMs.reduce((newest, ms) => Math.max(newest, ms));
		if (records.length === 1 && this.driver.dialect === 'postgres' && this.derived.recordOne) {
			const one = await this.derived.recordOne(this.driver, factsOfRecord(records[0], recordedMs[0]), (guard) => {
				const insert = insertStatement('postgres', DECISION_INSERT.table, DECISION_INSERT.columns, rows);
				return { sql: `${insert.sql} WHERE ${guard} ${DECISION_INSERT.suffix} RETURNING id`, params: insert.params };
			});
			if (one?.done) return [one.id !== null ? { id: String(one.id), inserted: true } : { id: await this.existingId(this.driver, records[0]), inserted: false }];
		}
		return this.driver.transaction(async (tx) => {
			const afterInsert = this.derived.begin(tx, newestMs);
			// The INSERT is on its way before the first await. PostgreSQL runs it in its own process:
			// meanwhile this one works out what the batch adds to the aggregates as if every row were
			// new — the usual case; a batch with keys recorded before is worked out again below, from
			// the rows it did insert. (SQLite has inserted the rows by now; the order costs nothing.)
			const inserting = this.insertRows(tx, rows);
			const facts = records.map((record, index) => factsOfRecord(record, recordedMs[index]));
			const addAll = afterInsert(facts);
			const ids = await inserting;
			const outcomes: RecordOutcome[] = [];
			const inserted: DecisionFacts[] = [];
			for (const [index, record] of records.entries()) {
				const id = ids[index];
				if (id !== null) {
					outcomes.push({ id: String(id), inserted: true });
					inserted.push(facts[index]);
				} else {
					outcomes.push({ id: await this.existingId(tx, record), inserted: false });
				}
			}
			await (inserted.length === facts.length ? addAll : afterInsert(inserted))(tx);
			return outcomes;
		});
	}

	/**
	 * Inserts the decision rows unless their key exists; per row the new id, or null for a row not
	 * inserted (its key was recorded before, or earlier in the same batch).
	 */
	private async insertRows(tx: SqlExecutor, rows: SqlScalar[][]): Promise<(number | null)[]> {
		// SQLite: one prepared statement per row, its id from the statement: no RETURNING rows to read back.
		if (this.driver.dialect === 'sqlite') return tx.insertEach(DECISION_INSERT.sqliteSql, rows);
		const inserted = new Map<string, number>();
		const returned = await insertChunks(tx, DECISION_INSERT.table, DECISION_INSERT.columns, rows, `${DECISION_INSERT.suffix} RETURNING id, execution_id, node_name, item_index`);
		for (const row of parseRows('hitl_decisions', insertedKeySchema, returned)) {
			inserted.set(keyOf(row.execution_id, row.node_name, row.item_index), row.id);
		}
		// A key given twice in one batch is inserted once: the first of them gets the id.
		return rows.map((row) => {
			const key = keyOf(String(row[0]), String(row[1]), Number(row[2]));
			const id = inserted.get(key);
			inserted.delete(key);
			return id ?? null;
		});
	}

	private async existingId(tx: SqlExecutor, record: DecisionRecord): Promise<string> {
		const rows = await tx.query('SELECT id FROM hitl_decisions WHERE execution_id = ? AND node_name = ? AND item_index = ?', [
			record.executionId,
			record.nodeName,
			record.itemIndex,
		]);
		return String(parseRow('hitl_decisions', idSchema, rows[0]).id);
	}

	async countDecisions(filter?: DecisionFilter): Promise<number> {
		const where = whereDecisions(filter);
		const rows = await this.driver.query(`SELECT COUNT(*) AS n FROM hitl_decisions d ${where.sql}`, where.params);
		return parseRow('hitl_decisions', countSchema, rows[0]).n;
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
		return (await this.driver.query(sql, params)).map(storedDecision);
	}

	async lastDecisionId(): Promise<string | undefined> {
		const [row] = await this.driver.query('SELECT MAX(id) AS id FROM hitl_decisions');
		const { id } = parseRow('hitl_decisions', maxIdSchema, row);
		return id === null ? undefined : String(id);
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
		return parseRows('hitl_decisions', labelledRowSchema, await this.driver.query(sql, params)).map((row) => ({
			id: String(row.id),
			model: row.model,
			promptVersion: row.prompt_version,
			confidence: row.confidence,
			approved: row.decision === 'approved',
			slice: row.slice,
			recordedAt: row.recorded_at,
		}));
	}
}
