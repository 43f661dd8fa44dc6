/**
 * Which decision rows a read looks at, as SQL on the alias `d`, and the decision classes the
 * analytics count. Shared by the decision reads, the analytics and retention.
 */
import { z } from 'zod/v4';

import { LABELLED_DECISIONS as CONTRACT_LABELLED, OVERRIDE_DECISIONS } from '../itemContract';
import type { SqlExecutor, SqlValue } from './sqlDriver';
import { integer, nullable, parseRow } from './storeRows';
import { requireMs } from './timestamps';
import type { DecisionFilter, DecisionOutcome } from './types';

/** A human answered with one of these: the decisions that label a draft right or wrong (the item contract's list). */
export const LABELLED_DECISIONS: readonly DecisionOutcome[] = CONTRACT_LABELLED;
/** Of those, the ones that say the draft was not good enough (the item contract's list). */
export const OVERRIDDEN_DECISIONS: readonly DecisionOutcome[] = OVERRIDE_DECISIONS;
const sqlList = (values: readonly string[]) => `(${values.map((value) => `'${value}'`).join(',')})`;
export const LABELLED = sqlList(LABELLED_DECISIONS);
export const OVERRIDDEN = sqlList(OVERRIDDEN_DECISIONS);

/** WHERE clause (on alias `d`) and its parameters for a DecisionFilter. */
export function whereDecisions(filter: DecisionFilter = {}): { sql: string; params: SqlValue[] } {
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

const recordedRangeSchema = z.object({ lo: nullable(integer), hi: nullable(integer) });

/**
 * Drops window bounds that exclude no row: a window covering the whole table then reads it
 * straight through instead of through the recorded_ms index (which SQLite would otherwise pick
 * for any range, at two to three times the cost of a full scan).
 */
export async function tightenFilter(db: SqlExecutor, filter: DecisionFilter): Promise<DecisionFilter> {
	if (filter.since === undefined && filter.until === undefined) return filter;
	const [raw] = await db.query('SELECT MIN(recorded_ms) AS lo, MAX(recorded_ms) AS hi FROM hitl_decisions');
	const range = parseRow('hitl_decisions', recordedRangeSchema, raw);
	if (range.lo === null || range.hi === null) return filter;
	const tightened = { ...filter };
	if (filter.since !== undefined && requireMs(filter.since, 'since') <= range.lo) delete tightened.since;
	if (filter.until !== undefined && requireMs(filter.until, 'until') > range.hi) delete tightened.until;
	return tightened;
}
