/**
 * The audit trail: append-only entries of what happened to a review (requested, link opened,
 * answered, decided, timed out), idempotent on a key so a retried webhook writes one entry.
 */
import { z } from 'zod/v4';

import type { SqlDriver, SqlValue } from './sqlDriver';
import { auditRowSchema, integer, parseRow, parseRows } from './storeRows';
import { requireMs } from './timestamps';
import type { AuditEntry, AuditFilter, AuditStore, StoredAuditEntry } from './types';
import { withoutCardData } from './withoutCardData';

const TABLE = 'hitl_audit';
const idSchema = z.object({ id: integer });

export class AuditLog implements AuditStore {
	constructor(private readonly driver: SqlDriver) {}

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
		// Read as an array: on PostgreSQL a named statement, prepared once per connection (every inbox
		// view and claim writes one line; see sqlDriver.ts).
		const rows = await this.driver.queryArrays(
			`INSERT INTO ${TABLE} (execution_id, node_name, case_id, event, actor, detail, at, at_ms, idempotency_key)
			 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (idempotency_key) DO NOTHING RETURNING id`,
			params,
		);
		if (rows.length) return String(parseRow(TABLE, idSchema, { id: rows[0][0] }).id);
		const existing = await this.driver.query(`SELECT id FROM ${TABLE} WHERE idempotency_key = ?`, [entry.idempotencyKey ?? null]);
		return String(parseRow(TABLE, idSchema, existing[0]).id);
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
		const rows = await this.driver.query(
			`SELECT * FROM ${TABLE} ${clauses.length ? `WHERE ${clauses.join(' AND ')}` : ''} ORDER BY at_ms, id LIMIT ?`,
			params,
		);
		return parseRows(TABLE, auditRowSchema, rows).map((row) => {
			const entry: StoredAuditEntry = {
				id: String(row.id),
				executionId: row.execution_id,
				nodeName: row.node_name,
				event: row.event,
				at: row.at,
			};
			if (row.case_id !== null) entry.caseId = row.case_id;
			if (row.actor !== null) entry.actor = row.actor;
			if (row.detail !== null) entry.detail = row.detail;
			if (row.idempotency_key !== null) entry.idempotencyKey = row.idempotency_key;
			return entry;
		});
	}
}
