/**
 * The embedded back end's connection: one `node:sqlite` database handle per store.
 *
 * Several writers — other stores in this process, other n8n processes — share one file, so:
 * - WAL journal: readers never block the writer and the writer never blocks readers;
 * - a busy timeout: a writer waits for another's lock instead of failing at once with SQLITE_BUSY;
 * - `BEGIN IMMEDIATE`: a transaction takes the write lock when it starts, so two writers never both
 *   hold a read snapshot and then deadlock on the upgrade (which SQLite answers with SQLITE_BUSY
 *   without calling the busy handler).
 * `node:sqlite` is synchronous; one handle runs one operation at a time, so calls on the same
 * store are queued rather than interleaved inside each other's transactions.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DatabaseSync, StatementSync } from 'node:sqlite';

import type { SqlDriver, SqlExecutor, SqlScalar, SqlValue } from './sqlDriver';

type SqliteModule = typeof import('node:sqlite');

/** Thrown when this Node.js has no `node:sqlite` (before 22.5, or 22.5–22.12 without the flag). */
export class EmbeddedStoreUnavailableError extends Error {
	constructor(cause: unknown) {
		super(
			`The embedded HITL store needs the built-in node:sqlite module, which this Node.js ${process.version} ` +
				'does not provide. Run n8n on Node.js 22.13 or newer (n8n 2.x asks for 24), or choose ' +
				'"PostgreSQL" as the back end in the HITL Store credential.',
			{ cause },
		);
		this.name = 'EmbeddedStoreUnavailableError';
	}
}

let sqliteModule: SqliteModule | undefined;

/**
 * Loads `node:sqlite` on first use, so that a Node without it fails only when the embedded back
 * end is chosen. Some Node versions (22.13–23.x) print an ExperimentalWarning for it on load; that
 * one warning is dropped so it does not land in n8n's logs on every start.
 */
export function loadSqlite(): SqliteModule {
	if (sqliteModule) return sqliteModule;
	const emitWarning = process.emitWarning;
	process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
		const text = typeof warning === 'string' ? warning : warning.message;
		if (/SQLite/i.test(text)) return;
		// eslint-disable-next-line @typescript-eslint/no-explicit-any -- forwarding the original overloads
		(emitWarning as any).call(process, warning, ...rest);
	}) as typeof process.emitWarning;
	try {
		// eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded lazily on purpose (see above)
		sqliteModule = require('node:sqlite') as SqliteModule;
		return sqliteModule;
	} catch (error) {
		// eslint-disable-next-line @n8n/community-nodes/require-node-api-error -- store core has no node; the node shell wraps it in a NodeOperationError
		throw new EmbeddedStoreUnavailableError(error);
	} finally {
		process.emitWarning = emitWarning;
	}
}

function scalars(params: readonly SqlValue[]): SqlScalar[] {
	if (params.some((param) => Array.isArray(param))) throw new TypeError('SQLite statements take no array parameters');
	return params as SqlScalar[];
}

export interface SqliteDriverOptions {
	filePath: string;
	busyTimeoutMs: number;
}

export class SqliteDriver implements SqlDriver {
	readonly dialect = 'sqlite' as const;
	private readonly db: DatabaseSync;
	private readonly statements = new Map<string, StatementSync>();
	/** The same statements returning arrays (a statement returns either objects or arrays). */
	private readonly arrayStatements = new Map<string, StatementSync>();
	private queue: Promise<unknown> = Promise.resolve();
	private readonly direct: SqlExecutor;

	constructor(options: SqliteDriverOptions) {
		const { DatabaseSync } = loadSqlite();
		if (options.filePath !== ':memory:') mkdirSync(dirname(options.filePath), { recursive: true });
		this.db = new DatabaseSync(options.filePath, { timeout: options.busyTimeoutMs });
		this.db.exec(`PRAGMA busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs))}`);
		this.db.exec('PRAGMA journal_mode = WAL');
		// NORMAL is durable against application crashes in WAL mode; only an OS crash or power
		// loss can drop the last transactions, which the next retry of the execution re-records.
		this.db.exec('PRAGMA synchronous = NORMAL');
		this.db.exec('PRAGMA foreign_keys = ON');
		// SQLite's default page cache is 2 MB; the idempotency index of a million decisions is
		// ~50 MB, and inserts keyed on execution ids land all over it. 64 MB keeps the hot pages in
		// memory (one connection per store, one store per n8n process with sharedHitlStore).
		this.db.exec('PRAGMA cache_size = -65536');
		this.db.exec('PRAGMA temp_store = MEMORY');
		this.direct = {
			query: async <Row extends object>(sql: string, params: readonly SqlValue[] = []) =>
				this.prepare(sql).all(...scalars(params)) as Row[],
			queryArrays: async (sql: string, params: readonly SqlValue[] = []) => this.prepareArrays(sql).all(...scalars(params)) as unknown as unknown[][],
			run: async (sql: string, params: readonly SqlValue[] = []) => Number(this.prepare(sql).run(...scalars(params)).changes),
			insertEach: async (sql: string, rows: readonly (readonly SqlScalar[])[]) => {
				const statement = this.prepare(sql);
				return rows.map((row) => {
					const result = statement.run(...row);
					return Number(result.changes) > 0 ? Number(result.lastInsertRowid) : null;
				});
			},
		};
	}

	private prepare(sql: string): StatementSync {
		let statement = this.statements.get(sql);
		if (!statement) {
			statement = this.db.prepare(sql);
			this.statements.set(sql, statement);
		}
		return statement;
	}

	private prepareArrays(sql: string): StatementSync {
		let statement = this.arrayStatements.get(sql);
		if (!statement) {
			statement = this.db.prepare(sql);
			statement.setReturnArrays(true);
			this.arrayStatements.set(sql, statement);
		}
		return statement;
	}

	private serialized<T>(work: () => Promise<T>): Promise<T> {
		const result = this.queue.then(work, work);
		this.queue = result.catch(() => undefined);
		return result;
	}

	query<Row extends object>(sql: string, params?: readonly SqlValue[]): Promise<Row[]> {
		return this.serialized(() => this.direct.query<Row>(sql, params));
	}

	queryArrays(sql: string, params?: readonly SqlValue[]): Promise<unknown[][]> {
		return this.serialized(() => this.direct.queryArrays(sql, params));
	}

	run(sql: string, params?: readonly SqlValue[]): Promise<number> {
		return this.serialized(() => this.direct.run(sql, params));
	}

	insertEach(sql: string, rows: readonly (readonly SqlScalar[])[]): Promise<(number | null)[]> {
		return this.serialized(() => this.direct.insertEach(sql, rows));
	}

	transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T> {
		return this.serialized(async () => {
			this.db.exec('BEGIN IMMEDIATE');
			try {
				const result = await work(this.direct);
				this.db.exec('COMMIT');
				return result;
			} catch (error) {
				if (this.db.isTransaction) this.db.exec('ROLLBACK');
				// eslint-disable-next-line @n8n/community-nodes/require-node-api-error -- store core has no node; the node shell wraps it in a NodeOperationError
				throw error;
			}
		});
	}

	async close(): Promise<void> {
		await this.queue;
		if (this.db.isOpen) this.db.close();
	}
}
