/**
 * Retention: deletes decisions (with their reviewer and rule rows), review states and audit
 * entries older than a cutoff.
 *
 * A million old decisions go in batches, oldest first, one short transaction each: recording
 * (which needs the write lock on SQLite, and row locks on the aggregates on PostgreSQL) waits at
 * most one batch, never the whole purge. Each batch takes its decisions out of the maintained
 * aggregates in the same transaction, so the figures stay consistent at every commit; a purge
 * stopped half-way leaves a consistent store, and the next run continues.
 *
 * Between batches the purge yields to the event loop (setImmediate). `node:sqlite` is synchronous,
 * so without that the whole purge is one chain of resolved promises: a webhook or an execution that
 * wants to record in this process is not even read off its socket until the purge ends. On SQLite
 * a batch also holds the only write lock of the file, so its batches are ten times smaller
 * (RETENTION_BATCH_SQLITE): a writer waits for tens of milliseconds, not a quarter of a second.
 */
import { z } from 'zod/v4';

import { AGGREGATE_TABLES, AggregateDeltas, DAY_MS, readFacts, readSummedBefore } from './decisionAggregates';
import type { SqlDriver } from './sqlDriver';
import { integer, parseRows } from './storeRows';
import { requireMs } from './timestamps';
import type { RetentionResult, RetentionStore } from './types';

/** Decisions per retention transaction on PostgreSQL: writers there only wait on the aggregate rows a batch shares with them. */
export const RETENTION_BATCH = 5000;
/** Decisions per retention transaction on SQLite, whose write lock a batch holds for the whole file (~10 ms at 1M decisions). */
export const RETENTION_BATCH_SQLITE = 500;

/** Lets the event loop run (I/O, timers, other stores' work) before the purge takes the next batch. */
const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

const boundSchema = z.object({ recorded_ms: integer });
const idSchema = z.object({ id: integer });

export class Retention implements RetentionStore {
	constructor(
		private readonly driver: SqlDriver,
		private readonly batch = driver.dialect === 'sqlite' ? RETENTION_BATCH_SQLITE : RETENTION_BATCH,
	) {}

	async deleteOlderThan(before: string): Promise<RetentionResult> {
		const cutoff = requireMs(before, 'before');
		// Aggregate rows of whole days before the cutoff lose all their decisions: zero rows, dropped.
		const wholePeriods = Math.floor(cutoff / DAY_MS) * DAY_MS;
		let decisions = 0;
		for (let done = false; !done; ) {
			if (decisions > 0) await yieldToEventLoop();
			decisions += await this.driver.transaction(async (tx) => {
				// The days mark first (on PostgreSQL its shared lock, before any row lock): a decision of a
				// day before it is in the daily rows too.
				const mark = await readSummedBefore(this.driver, tx, 'share');
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
				await new AggregateDeltas().addDecisions(facts, -1, mark).applyTo(this.driver, tx);
				// The rows this batch brought to zero go in its own transaction: one short range of
				// periods per table. (Dropping them all after the last batch was one statement over every
				// old period, which held SQLite's write lock for a fifth of a second at 1M decisions.)
				let firstMs = cutoff;
				let lastMs = 0;
				for (const fact of facts) {
					firstMs = Math.min(firstMs, fact.recordedMs);
					lastMs = Math.max(lastMs, fact.recordedMs);
				}
				for (const table of Object.values(AGGREGATE_TABLES)) {
					const from = Math.floor(firstMs / table.periodMs) * table.periodMs;
					const to = Math.min(lastMs + 1, wholePeriods);
					if (from < to) await tx.run(`DELETE FROM ${table.name} WHERE period_ms >= ? AND period_ms < ? AND n = 0`, [from, to]);
				}
				return tx.run('DELETE FROM hitl_decisions WHERE recorded_ms < ?', [bound]);
			});
		}
		// Zero rows the batches did not reach (a day an earlier purge cut in two): few, as the batches
		// dropped theirs; a table per statement.
		for (const table of Object.values(AGGREGATE_TABLES)) {
			await yieldToEventLoop();
			await this.driver.run(`DELETE FROM ${table.name} WHERE period_ms < ? AND n = 0`, [wholePeriods]);
		}
		await yieldToEventLoop();
		const reviewStates = await this.driver.run('DELETE FROM hitl_review_state WHERE updated_ms < ?', [cutoff]);
		let auditEntries = 0;
		for (;;) {
			await yieldToEventLoop();
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
