import type { SqlDriver, SqlExecutor, SqlScalar, SqlValue } from './sqlDriver';

/** A table's columns, with their PostgreSQL types for the array (unnest) insert. */
export type TypedColumns = readonly (readonly [string, string])[];

/**
 * One INSERT for many rows. SQLite: a VALUES list. PostgreSQL: one array parameter per column
 * through unnest(), so a 5,000-row batch is one short statement with a few dozen parameters
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
		const arrays = columns.map((_, index) => rows.map((row) => row[index]));
		const unnest = columns.map(([, type]) => `?::${type}[]`).join(', ');
		return { sql: `INSERT INTO ${table} (${names}) SELECT * FROM unnest(${unnest})`, params: arrays };
	}
	const tuple = `(${columns.map(() => '?').join(', ')})`;
	return { sql: `INSERT INTO ${table} (${names}) VALUES ${rows.map(() => tuple).join(', ')}`, params: rows.flat() };
}

/**
 * Runs an INSERT of `rows` (with `suffix`, e.g. an ON CONFLICT clause) inside the caller's
 * transaction. SQLite: one cached single-row statement per row — no statement text to build and
 * look up per chunk, which costs more than the calls it saves. PostgreSQL: chunks of the unnest
 * form, one round trip each.
 */
export async function insertMany(
	driver: SqlDriver,
	tx: SqlExecutor,
	table: string,
	columns: TypedColumns,
	rows: SqlScalar[][],
	suffix = '',
): Promise<void> {
	if (!rows.length) return;
	if (driver.dialect === 'sqlite') {
		await tx.insertEach(`${insertStatement('sqlite', table, columns, [rows[0]]).sql} ${suffix}`, rows);
		return;
	}
	const chunk = driver.insertChunkRows;
	for (let start = 0; start < rows.length; start += chunk) {
		const insert = insertStatement(driver.dialect, table, columns, rows.slice(start, start + chunk));
		await tx.run(`${insert.sql} ${suffix}`, insert.params);
	}
}
