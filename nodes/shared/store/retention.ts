/** Retention: deletes decisions (with their reviewer and rule rows), review states and audit entries older than a cutoff. */
import type { SqlDriver } from './sqlDriver';
import { requireMs } from './timestamps';
import type { RetentionResult, RetentionStore } from './types';

export class Retention implements RetentionStore {
	constructor(private readonly driver: SqlDriver) {}

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
}
