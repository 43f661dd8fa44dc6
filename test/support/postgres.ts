/**
 * A real PostgreSQL server for one jest test file, started by scripts/ensure-postgres.sh (which
 * installs Debian's postgresql when missing). Call `startPostgres()` in `beforeAll` and `stop()` in
 * `afterAll`; the script also watches this process, so a crashed run leaves no server behind.
 */
import { Client } from 'pg';

import type { PostgresStoreConfig } from '../../nodes/shared/store/types';
import { startScriptServer } from './scriptServer';

export interface TestPostgres {
	/** The server's own `postgres` database. */
	url: string;
	config: PostgresStoreConfig;
	/** Creates a new empty database and returns a store config pointing at it. */
	createDatabase(name?: string): Promise<PostgresStoreConfig>;
	stop(): Promise<void>;
}

let databaseCounter = 0;

/** Runs `sql` (statements without parameters) on the database a store config points at, behind the store's back; the rows of the last. */
export async function queryDatabase(config: PostgresStoreConfig, sql: string): Promise<Record<string, unknown>[]> {
	const client = new Client({ host: config.host, port: config.port, database: config.database, user: config.user });
	await client.connect();
	try {
		const result = await client.query(sql);
		return ((Array.isArray(result) ? result[result.length - 1] : result)?.rows ?? []) as Record<string, unknown>[];
	} finally {
		await client.end();
	}
}

export async function startPostgres(): Promise<TestPostgres> {
	const server = await startScriptServer('ensure-postgres.sh', 'POSTGRES_DIR');
	const url = server.field('POSTGRES_URL');
	const parsed = new URL(url);
	const config: PostgresStoreConfig = {
		backend: 'postgres',
		host: parsed.hostname,
		port: Number(parsed.port),
		database: parsed.pathname.slice(1),
		user: decodeURIComponent(parsed.username),
		ssl: false,
	};
	return {
		url,
		config,
		async createDatabase(name = `hitl_test_${process.pid}_${++databaseCounter}`) {
			const client = new Client({ connectionString: url });
			await client.connect();
			try {
				await client.query(`CREATE DATABASE "${name}"`);
			} finally {
				await client.end();
			}
			return { ...config, database: name };
		},
		stop: server.stop,
	};
}
