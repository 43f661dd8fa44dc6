/**
 * The rebuild command for the store's maintained aggregates, as an operator runs it after a
 * restore: the compiled command (dist/) against a SQLite file and a PostgreSQL database whose
 * aggregate tables were lost; the Metrics figures come back.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

import { openHitlStore, type StoreConfig } from '../../../nodes/shared/store';
import { queryDatabase, startPostgres, type TestPostgres } from '../../support/postgres';
import { seededRandom, syntheticDecision } from '../../unit/store/fixtures/decisions';

jest.setTimeout(180_000);

const run = promisify(execFile);
const COMMAND = resolve(__dirname, '../../../dist/nodes/shared/store/rebuildAggregatesCommand.js');
const OPTIONS = { rubberStampMs: 5000, bucketMs: 86_400_000 };

let server: TestPostgres;
let dir: string;
beforeAll(async () => {
	server = await startPostgres();
	dir = mkdtempSync(join(tmpdir(), 'hitl-rebuild-'));
});
afterAll(async () => {
	await server.stop();
	rmSync(dir, { recursive: true, force: true });
});

test.each(['embedded', 'postgres'] as const)('rebuilds the aggregates of a %s store after they were lost', async (backend) => {
	const config: StoreConfig = backend === 'embedded' ? { backend, filePath: join(dir, 'hitl.sqlite') } : await server.createDatabase();
	const store = await openHitlStore(config);
	try {
		const random = seededRandom(5);
		await store.recordDecisions(Array.from({ length: 500 }, (_, index) => syntheticDecision(random, 1, index * 30)));
		const before = await store.decisionStats({}, OPTIONS);
		expect(before.total).toBe(500);

		// What a restore of the decision tables alone leaves: no aggregates.
		const wipe = ['outcomes', 'reviewers', 'histograms', 'confidence', 'reviewers_hourly', 'histograms_hourly', 'confidence_hourly'].map((table) => `DELETE FROM hitl_agg_${table}`).join('; ');
		if (config.backend === 'embedded') {
			// eslint-disable-next-line @typescript-eslint/no-require-imports -- node:sqlite, as the store loads it
			const { DatabaseSync } = require('node:sqlite') as typeof import('node:sqlite');
			const db = new DatabaseSync(config.filePath!);
			db.exec(wipe);
			db.close();
		} else {
			await queryDatabase(config, wipe);
		}
		expect((await store.decisionStats({}, OPTIONS)).total).toBe(0);

		const args =
			config.backend === 'embedded'
				? ['--file', config.filePath!]
				: ['--postgres', `postgres://${config.user}@${config.host}:${config.port}/${config.database}`];
		const { stdout } = await run(process.execPath, [COMMAND, ...args]);
		expect(stdout).toMatch(/Rebuilt the HITL store's aggregates at .* from 500 decisions\./);
		expect(await store.decisionStats({}, OPTIONS)).toEqual(before);
	} finally {
		await store.close();
	}
});

test('says what to pass when no store is named', async () => {
	await expect(run(process.execPath, [COMMAND])).rejects.toMatchObject({ stderr: expect.stringContaining('--file <path of hitl.sqlite> or --postgres') });
});
