/**
 * Retention: deletes decisions (with their reviewer and rule rows), review states and audit
 * entries older than a cutoff.
 *
 * A million old decisions go in batches of RETENTION_BATCH, oldest first, one short transaction
 * each: recording (which needs the write lock on SQLite, and row locks on the aggregates on
 * PostgreSQL) waits at most one batch, never the whole purge. Each batch takes its decisions out
 * of the maintained aggregates in the same transaction, so the figures stay consistent at every
 * commit; a purge stopped half-way leaves a consistent store, and the next run continues.
 */
import { z } from 'zod/v4';

import { AGGREGATE_TABLES, AggregateDeltas, DAY_MS, readFacts } from './decisionAggregates';
import type { SqlDriver } from './sqlDriver';
import { integer, parseRows } from './storeRows';
import { requireMs } from './timestamps';
import type { RetentionResult, RetentionStore } from './types';

export const RETENTION_BATCH = 5000;

const boundSchema = z.object({ recorded_ms: integer });
const idSchema = z.object({ id: integer });

export class Retention implements RetentionStore {
	constructor(
		private readonly driver: SqlDriver,
		private readonly batch = RETENTION_BATCH,
	) {}

	async deleteOlderThan(before: string): Promise<RetentionResult> {
		const cutoff = requireMs(before, 'before');
		let decisions = 0;
		for (let done = false; !done; ) {
			decisions += await this.driver.transaction(async (tx) => {
				// The batch: everything recorded before the batch-th oldest decision (or the cutoff).
				const [next] = parseRows(
					'hitl_decisions',
					boundSchema,
					await tx.query('SELECT recorded_ms FROM hitl_decisions WHERE recorded_ms < ? ORDER BY recorded_ms LIMIT 1 OFFSET ?', [cutoff, this.batch]),
				);
				done = next === undefined;
				const bound = next?.recorded_ms ?? cutoff;
				const where = { sql: 'WHERE d.recorded_ms < ?', params: [bound] };
				const facts = await readFacts(tx, where);
				if (!facts.length) return 0;
				await new AggregateDeltas().addDecisions(facts, -1).applyTo(this.driver, tx);
				// Child rows first: SQLite enforces ON DELETE CASCADE only with foreign_keys on, which a
				// database opened by another tool may not have had.
				const old = 'SELECT d.id FROM hitl_decisions d WHERE d.recorded_ms < ?';
				await tx.run(`DELETE FROM hitl_decision_reviewers WHERE decision_id IN (${old})`, [bound]);
				await tx.run(`DELETE FROM hitl_decision_rules WHERE decision_id IN (${old})`, [bound]);
				return tx.run('DELETE FROM hitl_decisions WHERE recorded_ms < ?', [bound]);
			});
		}
		// Aggregate rows whose decisions are all gone (whole periods before the cutoff) are zero: drop them.
		await this.driver.transaction(async (tx) => {
			for (const table of Object.values(AGGREGATE_TABLES)) {
				const wholePeriods = Math.floor(cutoff / DAY_MS) * DAY_MS;
				await tx.run(`DELETE FROM ${table.name} WHERE period_ms < ? AND n = 0`, [wholePeriods]);
			}
		});
		const reviewStates = await this.driver.run('DELETE FROM hitl_review_state WHERE updated_ms < ?', [cutoff]);
		let auditEntries = 0;
		for (;;) {
			const ids = parseRows(
				'hitl_audit',
				idSchema,
				await this.driver.query('SELECT id FROM hitl_audit WHERE at_ms < ? ORDER BY at_ms LIMIT ?', [cutoff, this.batch]),
			).map((row) => row.id);
			if (!ids.length) break;
			auditEntries += await this.driver.run(`DELETE FROM hitl_audit WHERE id IN (${ids.map(() => '?').join(', ')})`, ids);
		}
		return { decisions, reviewStates, auditEntries };
	}
}
