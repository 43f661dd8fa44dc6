/**
 * The PostgreSQL back end's connection: a `pg` pool (pure JavaScript, so it installs under n8n's
 * `--ignore-scripts`). Several n8n processes in queue mode each hold a pool on the same database;
 * concurrent writers are the server's business, and idempotent inserts use ON CONFLICT.
 */
import { createHash } from 'node:crypto';

import { Pool, type PoolClient } from 'pg';

import type { PostgresStoreConfig } from './types';
import { numberPlaceholders, type SqlDriver, type SqlExecutor, type SqlScalar, type SqlValue } from './sqlDriver';

/**
 * queryArrays runs the statements of every Review Inbox view (its reads, the audit line): as named
 * statements, which each connection parses and plans once and then only binds and runs (planning
 * was most of their cost on the server; bench/inbox/README.md). A bounded set: statements past
 * the first 200 run unnamed.
 */
const namedStatements = new Map<string, { name: string; text: string }>();
const MAX_NAMED_STATEMENTS = 200;

function namedStatement(sql: string): { name?: string; text: string } {
	let statement = namedStatements.get(sql);
	if (!statement) {
		if (namedStatements.size >= MAX_NAMED_STATEMENTS) return { text: numberPlaceholders(sql) };
		statement = { name: `hitl_${createHash('sha256').update(sql).digest('base64url').slice(0, 24)}`, text: numberPlaceholders(sql) };
		namedStatements.set(sql, statement);
	}
	return statement;
}

/**
 * A pooler in transaction mode (PgBouncer before 1.21, or with max_prepared_statements = 0) hands
 * a connection's statements to other server connections, which answer that a named statement does
 * not exist (26000) or already exists (42P05): then this driver names none any more.
 */
const NAMED_STATEMENT_ERRORS = new Set(['26000', '42P05']);

interface Naming {
	named: boolean;
}

function executorOf(client: Pool | PoolClient, naming: Naming): SqlExecutor {
	const queryArrays = async (sql: string, params: readonly SqlValue[] = []): Promise<unknown[][]> => {
		const values = params as SqlValue[];
		if (!naming.named) return (await client.query<unknown[]>({ text: numberPlaceholders(sql), values, rowMode: 'array' })).rows;
		try {
			return (await client.query<unknown[]>({ ...namedStatement(sql), values, rowMode: 'array' })).rows;
		} catch (error) {
			const lostNames = NAMED_STATEMENT_ERRORS.has((error as { code?: string }).code ?? '');
			if (lostNames) naming.named = false;
			// In a transaction the statement's failure aborted it: the caller's retry runs unnamed.
			if (lostNames && client instanceof Pool) return queryArrays(sql, params);
			// eslint-disable-next-line @n8n/community-nodes/require-node-api-error -- store core has no node; the node shell wraps it in a NodeOperationError
			throw error;
		}
	};
	return {
		query: async <Row extends object>(sql: string, params: readonly SqlValue[] = []) =>
			(await client.query(numberPlaceholders(sql), params as SqlValue[])).rows as Row[],
		queryArrays,
		run: async (sql: string, params: readonly SqlValue[] = []) =>
			(await client.query(numberPlaceholders(sql), params as SqlValue[])).rowCount ?? 0,
		// One round trip per row: the store inserts batches on PostgreSQL with unnest and RETURNING instead.
		insertEach: async (sql: string, rows: readonly (readonly SqlScalar[])[]) => {
			const ids: (number | null)[] = [];
			for (const row of rows) {
				const result = await client.query<{ id: string | number }>(`${numberPlaceholders(sql)} RETURNING id`, row as SqlScalar[]);
				ids.push(result.rows.length ? Number(result.rows[0].id) : null);
			}
			return ids;
		},
	};
}

export class PostgresDriver implements SqlDriver {
	readonly dialect = 'postgres' as const;
	private readonly pool: Pool;
	private readonly direct: SqlExecutor;
	private readonly naming: Naming = { named: true };

	constructor(config: PostgresStoreConfig) {
		this.pool = new Pool({
			host: config.host,
			port: config.port,
			database: config.database,
			user: config.user,
			password: config.password,
			ssl: config.ssl === 'allowUnauthorized' ? { rejectUnauthorized: false } : config.ssl === true,
			max: config.maxConnections ?? 10,
			connectionTimeoutMillis: 15_000,
			// Names the store's sessions in pg_stat_activity, for operators (and the tests that count them).
			application_name: 'n8n-nodes-hitl',
		});
		// An idle client losing its connection must not crash n8n; the next query reconnects.
		this.pool.on('error', () => undefined);
		this.direct = executorOf(this.pool, this.naming);
	}

	query<Row extends object>(sql: string, params?: readonly SqlValue[]): Promise<Row[]> {
		return this.direct.query<Row>(sql, params);
	}

	queryArrays(sql: string, params?: readonly SqlValue[]): Promise<unknown[][]> {
		return this.direct.queryArrays(sql, params);
	}

	run(sql: string, params?: readonly SqlValue[]): Promise<number> {
		return this.direct.run(sql, params);
	}

	insertEach(sql: string, rows: readonly (readonly SqlScalar[])[]): Promise<(number | null)[]> {
		return this.direct.insertEach(sql, rows);
	}

	async transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T> {
		const client = await this.pool.connect();
		try {
			await client.query('BEGIN');
			const result = await work(executorOf(client, this.naming));
			await client.query('COMMIT');
			return result;
		} catch (error) {
			await client.query('ROLLBACK').catch(() => undefined);
			// eslint-disable-next-line @n8n/community-nodes/require-node-api-error -- store core has no node; the node shell wraps it in a NodeOperationError
			throw error;
		} finally {
			client.release();
		}
	}

	async close(): Promise<void> {
		await this.pool.end();
	}
}
