/**
 * A real PostgreSQL server for one jest test file, started by scripts/ensure-postgres.sh (which
 * installs Debian's postgresql when missing). Call `startPostgres()` in `beforeAll` and `stop()` in
 * `afterAll`; the script also watches this process, so a crashed run leaves no server behind.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

import { Client } from 'pg';

import type { PostgresStoreConfig } from '../../nodes/shared/store/types';

const run = promisify(execFile);
/** scripts/ensure-postgres.sh, found upwards from here (this file also runs compiled, from bench builds). */
function findScript(): string {
	for (let dir = __dirname; ; dir = dirname(dir)) {
		const candidate = join(dir, 'scripts', 'ensure-postgres.sh');
		if (existsSync(candidate)) return candidate;
		if (dirname(dir) === dir) throw new Error(`scripts/ensure-postgres.sh not found above ${__dirname}`);
	}
}

const SCRIPT = findScript();

export interface TestPostgres {
	/** The server's own `postgres` database. */
	url: string;
	config: PostgresStoreConfig;
	/** Creates a new empty database and returns a store config pointing at it. */
	createDatabase(name?: string): Promise<PostgresStoreConfig>;
	stop(): Promise<void>;
}

let databaseCounter = 0;

export async function startPostgres(): Promise<TestPostgres> {
	// apt-get install on a fresh machine can take a few minutes.
	const { stdout } = await run('bash', [SCRIPT, 'start', '--watch-pid', String(process.pid)], {
		timeout: 600_000,
		maxBuffer: 10 * 1024 * 1024,
	});
	const field = (name: string) => {
		const match = new RegExp(`^${name}=(.+)$`, 'm').exec(stdout);
		if (!match) throw new Error(`ensure-postgres.sh printed no ${name}:\n${stdout}`);
		return match[1].trim();
	};
	const url = field('POSTGRES_URL');
	const dir = field('POSTGRES_DIR');
	const parsed = new URL(url);
	const config: PostgresStoreConfig = {
		backend: 'postgres',
		host: parsed.hostname,
		port: Number(parsed.port),
		database: parsed.pathname.slice(1),
		user: decodeURIComponent(parsed.username),
		ssl: false,
	};
	let stopped = false;
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
		async stop() {
			if (stopped) return;
			stopped = true;
			await run('bash', [SCRIPT, 'stop', dir], { timeout: 60_000 });
		},
	};
}
