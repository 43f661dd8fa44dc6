/**
 * One way to open the store from every node: the process-wide shared store per credential. The
 * Feedback Log used to open (and close) a new PostgreSQL pool on every execution; now every
 * execution reuses the same pool, and the shared stores close when the process is told to stop.
 * Run against the compiled package (dist/), as n8n loads it, with a real PostgreSQL server.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import type { IDataObject } from 'n8n-workflow';
import { Client } from 'pg';

import type { PostgresStoreConfig } from '../../../nodes/shared/store';
import { startPostgres, type TestPostgres } from '../../support/postgres';
import { oneNodeWorkflow, runWorkflow } from '../harness';

jest.setTimeout(180_000);

const LOG = 'Feedback Log';
const ROOT = resolve(__dirname, '../../..');
const COMPILED_STORE = join(ROOT, 'dist/nodes/shared/store/index.js');

let server: TestPostgres;
beforeAll(async () => {
	server = await startPostgres();
});
afterAll(async () => {
	// eslint-disable-next-line @typescript-eslint/no-require-imports -- the compiled module the nodes above ran with
	await (require(COMPILED_STORE) as { closeSharedHitlStores(): Promise<void> }).closeSharedHitlStores();
	await server.stop();
});

/** The server's sessions on one database, by process id (the store's pool, nothing else connects there). */
async function sessionsOn(database: string): Promise<number[]> {
	const client = new Client({ connectionString: server.url });
	await client.connect();
	try {
		const { rows } = await client.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = $1 ORDER BY pid', [database]);
		return rows.map((row) => row.pid);
	} finally {
		await client.end();
	}
}

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
	for (let attempt = 0; ; attempt++) {
		const value = await read();
		if (done(value) || attempt >= 200) return value;
		await new Promise((resolve) => setTimeout(resolve, 50));
	}
}

const credentialOf = (config: PostgresStoreConfig) => ({
	hitlStore: { backend: 'postgres', host: config.host, port: config.port, database: config.database, user: config.user, password: '', ssl: 'disable' },
});

const item = (caseId: string): IDataObject => ({ hitl: { caseId, gate: { route: 'auto', reasons: [], threshold: 0.8, sampledForAudit: false, shadow: false, breakerOpen: false } } });

test('Feedback Log executions reuse one PostgreSQL pool instead of opening and closing one each', async () => {
	const config = await server.createDatabase();
	const workflow = oneNodeWorkflow(LOG, 'n8n-nodes-hitl.feedbackLog', {
		parameters: { operation: 'record' },
		credentials: { hitlStore: { id: 'store', name: 'HITL Store' } },
	});
	const after: number[][] = [];
	for (const executionId of ['1', '2', '3']) {
		const run = await runWorkflow(workflow, { input: [item(`case-${executionId}`)], credentials: credentialOf(config), executionId });
		expect(run.status).toBe('success');
		after.push(await sessionsOn(config.database));
	}
	// The old node ended its pool after every execution: no session left between executions.
	expect(after[0].length).toBeGreaterThan(0);
	// The same server sessions serve the later executions: no new connection per execution.
	expect(after[1]).toEqual(after[0]);
	expect(after[2]).toEqual(after[0]);
});

test('SIGTERM closes the shared stores (PostgreSQL sessions end, SQLite folds its write-ahead log) and the process still stops', async () => {
	const config = await server.createDatabase();
	const dir = mkdtempSync(join(tmpdir(), 'hitl-shared-'));
	const filePath = join(dir, 'hitl.sqlite');
	try {
		const script = `
			const store = require(${JSON.stringify(COMPILED_STORE)});
			(async () => {
				for (const config of [${JSON.stringify({ backend: 'embedded', filePath })}, ${JSON.stringify(config)}]) {
					const shared = await store.sharedHitlStore(config);
					await shared.appendAudit({ executionId: 'e1', nodeName: 'n', event: 'requested' });
				}
				process.stdout.write('ready\\n');
				setInterval(() => undefined, 1000);
			})().catch((error) => { console.error(error); process.exit(2); });`;
		const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
		const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
			child.on('exit', (code, signal) => resolve({ code, signal })),
		);
		await new Promise<void>((resolve, reject) => {
			child.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve());
			void exited.then(() => reject(new Error('the store process ended before it was ready')));
		});
		expect((await sessionsOn(config.database)).length).toBeGreaterThan(0);
		expect(existsSync(`${filePath}-wal`)).toBe(true);

		child.kill('SIGTERM');
		// Nothing else in that process listens for SIGTERM, so the store raises it again once closed.
		expect(await exited).toEqual({ code: null, signal: 'SIGTERM' });
		// A killed process leaves its write-ahead log beside the file; a closed SQLite handle folds it in and removes it.
		expect(existsSync(`${filePath}-wal`)).toBe(false);
		expect(await until(() => sessionsOn(config.database), (pids) => pids.length === 0)).toEqual([]);
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
});
