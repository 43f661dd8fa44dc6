/**
 * The PostgreSQL back end's connection: a `pg` pool (pure JavaScript, so it installs under n8n's
 * `--ignore-scripts`). Several n8n processes in queue mode each hold a pool on the same database;
 * concurrent writers are the server's business, and idempotent inserts use ON CONFLICT.
 */
import { Pool, type PoolClient } from 'pg';

import type { PostgresStoreConfig } from './types';
import { numberPlaceholders, type SqlDriver, type SqlExecutor, type SqlScalar, type SqlValue } from './sqlDriver';

function executorOf(client: Pool | PoolClient): SqlExecutor {
	return {
		query: async <Row extends object>(sql: string, params: readonly SqlValue[] = []) =>
			(await client.query(numberPlaceholders(sql), params as SqlValue[])).rows as Row[],
		queryArrays: async (sql: string, params: readonly SqlValue[] = []) =>
			(await client.query<unknown[]>({ text: numberPlaceholders(sql), values: params as SqlValue[], rowMode: 'array' })).rows,
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
		this.direct = executorOf(this.pool);
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
			const result = await work(executorOf(client));
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
