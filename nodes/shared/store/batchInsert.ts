import type { SqlDriver, SqlExecutor, SqlScalar, SqlValue } from './sqlDriver';

/** A table's columns, with their PostgreSQL types for the array (unnest) insert. */
export type TypedColumns = readonly (readonly [string, string])[];

const NEEDS_ESCAPE = /[\\"]/;

/**
 * Column `index` of `rows` as a PostgreSQL array literal (`{"a","b",NULL,3}`), the text a
 * `?::type[]` parameter is cast from. node-postgres would turn a JavaScript array into the same
 * text, but element by element through its general value conversion, which cost 5–6 µs per
 * decision row on the recording path; this is 3–4 times faster. Every text is quoted (so an empty
 * text, NULL-looking text, braces, commas and spaces stay what they are), with backslashes and
 * double quotes escaped; numbers as JavaScript writes them, which PostgreSQL reads back exactly.
 */
export function arrayLiteral(rows: readonly (readonly SqlScalar[])[], index: number): string {
	let out = '{';
	for (let row = 0; row < rows.length; row++) {
		const value = rows[row][index];
		if (row > 0) out += ',';
		if (value === null || value === undefined) out += 'NULL';
		else if (typeof value === 'number') out += String(value);
		else out += `"${NEEDS_ESCAPE.test(value) ? value.replace(/\\/g, '\\\\').replace(/"/g, '\\"') : value}"`;
	}
	return `${out}}`;
}

/**
 * One INSERT for many rows. SQLite: a VALUES list. PostgreSQL: one array parameter per column
 * (an array literal, see arrayLiteral) through unnest(), so a 5,000-row batch is one short statement with a few dozen parameters
 * instead of 160,000 placeholders to parse.
 */
export function insertStatement(
	dialect: SqlDriver['dialect'],
	table: string,
	columns: TypedColumns,
	rows: readonly SqlScalar[][],
): { sql: string; params: SqlValue[] } {
	const names = columns.map(([name]) => name).join(', ');
	if (dialect === 'postgres') {
		const arrays = columns.map((_, index) => arrayLiteral(rows, index));
		const unnest = columns.map(([, type]) => `?::${type}[]`).join(', ');
		return { sql: `INSERT INTO ${table} (${names}) SELECT * FROM unnest(${unnest})`, params: arrays };
	}
	const tuple = `(${columns.map(() => '?').join(', ')})`;
	return { sql: `INSERT INTO ${table} (${names}) VALUES ${rows.map(() => tuple).join(', ')}`, params: rows.flat() };
}

/**
 * Rows per PostgreSQL batch statement: they go in as one array parameter per column (unnest), so
 * the count is not bounded by PostgreSQL's 65,535 parameters; this only caps one statement's size.
 */
const POSTGRES_CHUNK_ROWS = 5000;

/** PostgreSQL: inserts `rows` (with `suffix`, e.g. ON CONFLICT … RETURNING …) in unnest chunks, one round trip each; the rows they return. */
export async function insertChunks(tx: SqlExecutor, table: string, columns: TypedColumns, rows: SqlScalar[][], suffix = ''): Promise<object[]> {
	const returned: object[] = [];
	for (let start = 0; start < rows.length; start += POSTGRES_CHUNK_ROWS) {
		const insert = insertStatement('postgres', table, columns, rows.slice(start, start + POSTGRES_CHUNK_ROWS));
		returned.push(...(await tx.query(`${insert.sql} ${suffix}`, insert.params)));
	}
	return returned;
}

/**
 * An INSERT into one table with one suffix (e.g. an ON CONFLICT clause), its SQLite statement text
 * built once: a recording runs it in every transaction, and a text built per call cost more than
 * the statement itself for a single decision (the text to build, then to hash for the cached
 * statement: ~11 µs of ~100 µs).
 */
export interface RowInsert {
	table: string;
	columns: TypedColumns;
	suffix: string;
	/** SQLite: the single-row statement, run once per row. */
	sqliteSql: string;
}

export function rowInsert(table: string, columns: TypedColumns, suffix = ''): RowInsert {
	return { table, columns, suffix, sqliteSql: `${insertStatement('sqlite', table, columns, [[]]).sql} ${suffix}`.trimEnd() };
}

/**
 * Runs `insert` for `rows` inside the caller's transaction. SQLite: one cached single-row
 * statement per row — no statement text to build and look up per chunk, which cost more than the
 * calls it saved. PostgreSQL: unnest chunks.
 */
export async function insertMany(driver: SqlDriver, tx: SqlExecutor, insert: RowInsert, rows: SqlScalar[][]): Promise<void> {
	if (!rows.length) return;
	if (driver.dialect === 'sqlite') await tx.insertEach(insert.sqliteSql, rows);
	else await insertChunks(tx, insert.table, insert.columns, rows, insert.suffix);
}
