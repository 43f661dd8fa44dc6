/**
 * Every row the store reads back goes through a schema here. Store rows are an edge: another
 * version of this package, another tool or a restore may have written them, and the two drivers
 * hand back different JavaScript types for the same SQL type (PostgreSQL BIGINT and COUNT(*) come
 * as strings, SQLite integers as numbers). A row that does not fit fails with a StoreRowError that
 * names the table and the column, instead of a wrong figure or a crash further on.
 */
import { z } from 'zod/v4';

import { gateRouteSchema, reviewerSchema } from '../itemContract';
import { DECISION_OUTCOMES, type JsonValue } from './types';

export class StoreRowError extends Error {
	constructor(
		readonly table: string,
		readonly column: string,
		detail: string,
	) {
		super(
			`The HITL store's table ${table} holds a row it cannot read: column ${column} ${detail}. ` +
				'The database was changed outside this package (or restored from a damaged copy); fix or delete that row.',
		);
		this.name = 'StoreRowError';
	}
}

/** An integer column: a number from SQLite, a string from PostgreSQL's BIGINT and COUNT(*), or a bigint. */
export const integer = z.union([
	z.number().int(),
	z.bigint().transform(Number),
	z.string().regex(/^-?\d+$/, 'is not an integer').transform(Number),
]);
/** A real column or a SUM: PostgreSQL returns SUM over integers as a numeric string. */
export const real = z.union([
	z.number().refine(Number.isFinite, 'is not a finite number'),
	z.bigint().transform(Number),
	z.string().regex(/^-?\d+(\.\d+)?([eE][-+]?\d+)?$/, 'is not a number').transform(Number),
]);
export const text = z.string();
/** The store writes booleans as 0 / 1 (SQLite has no boolean type). */
export const flag = integer.pipe(z.union([z.literal(0), z.literal(1)])).transform((value) => value === 1);

export const nullable = <T extends z.ZodType>(schema: T) => schema.nullable();
/** A column that a SUM or a LEFT JOIN leaves NULL when no row counts: zero. */
export const sumOrZero = z.union([z.null().transform(() => 0), real]);

const jsonValue: z.ZodType<JsonValue> = z.lazy(() =>
	z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(jsonValue), z.record(z.string(), jsonValue)]),
);

/**
 * A TEXT column holding JSON, parsed and then checked against `schema`. (Checked inside the
 * transform rather than by `.pipe`: zod 4 drops a transform's issues when it pipes into a union.)
 */
export function jsonText<T extends z.ZodType>(schema: T) {
	return z.string().transform((value, context): z.output<T> => {
		let parsed: unknown;
		try {
			parsed = JSON.parse(value);
		} catch {
			context.addIssue({ code: 'custom', message: 'is not valid JSON' });
			return z.NEVER;
		}
		const checked = schema.safeParse(parsed);
		if (checked.success) return checked.data;
		for (const issue of checked.error.issues) context.addIssue({ code: 'custom', message: issue.message, path: issue.path });
		return z.NEVER;
	});
}

/** A decision's route at the gate (null: no gate ran) and its outcome, as the item contract names them. */
export const gateRouteColumn = nullable(gateRouteSchema);
export const outcomeColumn = z.enum(DECISION_OUTCOMES);

export const decisionRowSchema = z.object({
	id: integer,
	execution_id: text,
	node_name: text,
	item_index: integer,
	case_id: text,
	workflow_id: nullable(text),
	workflow_name: nullable(text),
	route: gateRouteColumn,
	decision: outcomeColumn,
	confidence: nullable(real),
	confidence_pct: nullable(integer),
	confidence_method: nullable(text),
	model: nullable(text),
	prompt_version: nullable(text),
	input_text: nullable(text),
	draft_text: nullable(text),
	final_text: nullable(text),
	texts_hashed: flag,
	edited: flag,
	edit_distance: nullable(integer),
	reviewers: jsonText(z.array(reviewerSchema)),
	reason: nullable(text),
	comment: nullable(text),
	rule_ids: jsonText(z.array(z.string())),
	sampled_for_audit: flag,
	time_to_decision_ms: nullable(integer),
	prompt_tokens: nullable(integer),
	completion_tokens: nullable(integer),
	cost_usd: nullable(real),
	requested_at: nullable(text),
	decided_at: nullable(text),
	recorded_at: text,
	recorded_ms: integer,
	review_probability: nullable(real),
	slice: nullable(text),
});

/** hitl_review_state and hitl_gate_state: a JSON state under a compare-and-set revision. */
export const sharedStateRowSchema = z.object({
	state: jsonText(jsonValue),
	revision: integer,
	updated_at: text,
});

export const auditRowSchema = z.object({
	id: integer,
	execution_id: text,
	node_name: text,
	case_id: nullable(text),
	event: text,
	actor: nullable(text),
	detail: nullable(jsonText(jsonValue)),
	at: text,
	at_ms: integer,
	idempotency_key: nullable(text),
});

/**
 * Parses one row; a failure names the table, the column and (when the row has one) the row's id.
 * Columns a statement does not select are not required of it: pass a schema `.pick`ed to match.
 */
export function parseRow<T extends z.ZodType>(table: string, schema: T, row: unknown): z.output<T> {
	const parsed = schema.safeParse(row);
	if (parsed.success) return parsed.data;
	const issue = parsed.error.issues[0];
	const column = issue.path.length ? String(issue.path[0]) : '(row)';
	const value = (row as Record<string, unknown> | null)?.[column];
	const id = (row as Record<string, unknown> | null)?.id;
	const shown = value === undefined ? 'is missing' : `has ${JSON.stringify(typeof value === 'bigint' ? String(value) : value)?.slice(0, 80)}`;
	const where = issue.path.length > 1 ? ` (at ${issue.path.slice(1).join('.')})` : '';
	throw new StoreRowError(table, column, `${shown}${where}: ${issue.message}${id !== undefined && column !== 'id' ? ` (row id ${String(id)})` : ''}`);
}

export function parseRows<T extends z.ZodType>(table: string, schema: T, rows: readonly unknown[]): z.output<T>[] {
	return rows.map((row) => parseRow(table, schema, row));
}
