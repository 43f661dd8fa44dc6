/**
 * What one Confidence Gate run reads from the HITL store with adapting on (issue 12: "< 20 ms at
 * 100k decisions in the window"), in steady state: 50 new decisions were recorded since the last
 * run (not timed), then the run brings its window aggregate up to date (windowAggregate.ts: the
 * rows added, the rows that left the window), reads the drift detector's shared state and the
 * labelled drafts after its cursor. Also the cold read (a process's first run: the whole window).
 * Against a bare `SELECT COUNT(*)` over the same window on the same database, median of 15 runs.
 * Usage: see README.md. Flags: --sizes=10000,100000 --backends=embedded,postgres
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

import { Client } from 'pg';

import { windowRoutedBins } from '../../nodes/ConfidenceGate/windowAggregate';
import { openHitlStore, type DecisionRecord, type HitlStore, type StoreConfig } from '../../nodes/shared/store';
import { loadSqlite } from '../../nodes/shared/store/sqliteDriver';
import { startPostgres, type TestPostgres } from '../../test/support/postgres';
import { seededRandom, syntheticDecision } from '../../test/unit/store/fixtures/decisions';
import { median } from '../shared/stats';

const RUNS = 15;
const STEADY_BATCH = 50;

function flag(name: string, fallback: string): string[] {
	const found = process.argv.find((arg) => arg.startsWith(`--${name}=`));
	return (found ? found.slice(name.length + 3) : fallback).split(',').filter(Boolean);
}

/** The synthetic stream, with what the gate records: π = 1 for reviews, 0.1 above its 0.9 threshold; a slice per draft. */
function gateDecision(random: () => number, index: number): DecisionRecord {
	const record = syntheticDecision(random, 0, index);
	const reviewProbability = record.route === 'auto' ? 0.1 : record.route === 'review' ? (record.sampledForAudit ? 0.1 : 1) : null;
	return { ...record, workflowId: 'wf-bench', reviewProbability, slice: ['refund', 'delivery', 'product', 'account', 'other'][index % 5] };
}

async function time(run: () => Promise<unknown>, before: () => Promise<unknown> = async () => undefined): Promise<number> {
	const samples: number[] = [];
	await before();
	await run(); // warm the cache and the prepared statements
	for (let index = 0; index < RUNS; index++) {
		await before();
		const started = performance.now();
		await run();
		samples.push(performance.now() - started);
	}
	return median(samples);
}

async function main(): Promise<void> {
	const sizes = flag('sizes', '10000,100000').map(Number);
	const backends = flag('backends', 'embedded,postgres');
	const lines = ['back end  decisions  gate run reads ms  cold window read ms  bare count ms  run ratio'];
	let postgres: TestPostgres | undefined;
	try {
		for (const backend of backends) {
			for (const size of sizes) {
				let config: StoreConfig;
				let bare: (sql: string, params: unknown[]) => Promise<unknown>;
				let cleanup: () => Promise<void>;
				if (backend === 'embedded') {
					const dir = mkdtempSync(join(tmpdir(), 'hitl-gate-reads-'));
					const filePath = join(dir, 'hitl.sqlite');
					config = { backend: 'embedded', filePath };
					const { DatabaseSync } = loadSqlite();
					const db = new DatabaseSync(filePath);
					bare = async (sql, params) => db.prepare(sql.replace(/\$\d/g, '?')).all(...(params as (string | number)[]));
					cleanup = async () => {
						db.close();
						rmSync(dir, { recursive: true, force: true });
					};
				} else {
					postgres ??= await startPostgres();
					const pgConfig = await postgres.createDatabase(`gate_reads_${size}_${process.pid}`);
					config = pgConfig;
					const client = new Client({ host: pgConfig.host, port: pgConfig.port, database: pgConfig.database, user: pgConfig.user });
					await client.connect();
					bare = async (sql, params) => (await client.query(sql, params)).rows;
					cleanup = async () => client.end();
				}
				const store: HitlStore = await openHitlStore(config);
				const random = seededRandom(size);
				for (let first = 0; first < size; first += 5000) {
					await store.recordDecisions(Array.from({ length: Math.min(5000, size - first) }, (_, offset) => gateDecision(random, first + offset)));
				}
				// The window covers every decision, as "Learn From Last Days" does when the stream is younger.
				const filter = { workflowId: 'wf-bench', since: '2026-09-01T00:00:00.000Z' };
				const all = await store.labelledDecisions({ ...filter, limit: size });
				const cursor = all[Math.max(0, all.length - STEADY_BATCH)].id;
				await store.putGateState('drift:wf-bench:Gate', { cursor, slices: {} }, 0);
				const cold = await time(() => store.routedBins(filter));
				let next = size;
				const recordBatch = () => store.recordDecisions(Array.from({ length: STEADY_BATCH }, () => gateDecision(random, next++)));
				let cursorNow = cursor;
				const run = async () => {
					await windowRoutedBins(store, filter.workflowId, filter.since);
					await store.getGateState('drift:wf-bench:Gate');
					const drafts = await store.labelledDecisions({ workflowId: filter.workflowId, afterId: cursorNow, limit: 5000 });
					if (drafts.length) cursorNow = drafts[drafts.length - 1].id;
				};
				const steady = await time(run, recordBatch);
				const count = await time(() =>
					bare('SELECT COUNT(*) AS n FROM hitl_decisions WHERE workflow_id = $1 AND recorded_ms >= $2', ['wf-bench', Date.parse(filter.since)]),
				);
				lines.push(
					`${backend.padEnd(8)}  ${String(size).padStart(9)}  ${steady.toFixed(1).padStart(17)}  ${cold.toFixed(1).padStart(19)}  ${count.toFixed(1).padStart(13)}  ${(steady / count).toFixed(2)}x`,
				);
				await store.close();
				await cleanup();
			}
		}
	} finally {
		await postgres?.stop();
	}
	process.stdout.write(
		`${lines.join('\n')}\n\nmedian of ${RUNS} runs; gate run reads = window aggregate brought up to date + detector state + labelled drafts after the cursor,\n` +
			`after 50 new decisions; cold window read = the full routedBins aggregate (a process's first run); run ratio = gate run reads / one bare COUNT(*) over the window\n`,
	);
}

main().catch((error: unknown) => {
	process.stderr.write(`${String(error instanceof Error ? error.stack : error)}\n`);
	process.exit(1);
});
