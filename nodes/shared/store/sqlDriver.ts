/**
 * The little a SQL back end must offer the store: run a statement, read rows, and run several
 * statements in one transaction. Statements are written once, with `?` placeholders, in the SQL
 * both SQLite (3.35+) and PostgreSQL understand (ON CONFLICT, RETURNING, window functions); the
 * PostgreSQL driver renumbers the placeholders to `$1, $2, ...`.
 */
export type SqlScalar = string | number | null;
/** Arrays only for PostgreSQL (`unnest(?::text[])` batch inserts); SQLite gets scalars. */
export type SqlValue = SqlScalar | readonly SqlScalar[];

export interface SqlExecutor {
	query<Row extends object>(sql: string, params?: readonly SqlValue[]): Promise<Row[]>;
	/**
	 * Rows as arrays of the selected (or returned) columns' values, in their order: for the
	 * statements every Review Inbox view runs. node:sqlite's row objects have no prototype and read
	 * their properties slowly (a page of 50 rows cost more to read out than to select); both drivers
	 * can skip building them. On PostgreSQL these statements are also named: prepared once per
	 * connection (see postgresDriver.ts).
	 */
	queryArrays(sql: string, params?: readonly SqlValue[]): Promise<unknown[][]>;
	/** Runs a statement and returns how many rows it changed. */
	run(sql: string, params?: readonly SqlValue[]): Promise<number>;
	/**
	 * Runs one single-row INSERT (`?` placeholders, perhaps with an ON CONFLICT clause) once per row;
	 * for each row the id of the row it inserted, or null where it inserted none. SQLite takes the
	 * id (rowid) from the statement itself, with no RETURNING rows to read back: its fastest way to
	 * insert many rows. PostgreSQL adds `RETURNING id` (the table needs an id column) and makes a
	 * round trip per row, so the store batches with unnest there instead.
	 */
	insertEach(sql: string, rows: readonly (readonly SqlScalar[])[]): Promise<(number | null)[]>;
}

export interface SqlDriver extends SqlExecutor {
	readonly dialect: 'sqlite' | 'postgres';
	/** Runs `work` in one write transaction; rolls back if it throws. */
	transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T>;
	close(): Promise<void>;
}

/** `?` placeholders → `$1, $2, ...` (our statements never hold a literal question mark). */
export function numberPlaceholders(sql: string): string {
	let index = 0;
	return sql.replace(/\?/g, () => `$${++index}`);
}
