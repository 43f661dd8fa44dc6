/**
 * HITL store benchmark: insert rate and metrics-query time at 10k, 100k and 1M decisions, for the
 * embedded (SQLite) and the PostgreSQL back end, each as a ratio to a baseline measured on the
 * same database in the same run:
 * - insert: the store's `recordDecisions` (card masking, idempotency key, the maintained aggregates)
 *   against a bare loop inserting the same column values into a plain copy of the table, with the
 *   same batches and transactions;
 * - single decisions: one decision per recording (as most executions record), after the table is
 *   full, against one bare row in BEGIN … COMMIT and one bare row as a single INSERT statement;
 * - metrics: `decisionStats` + `computeMetrics` + `calibrationReports` (what the Metrics and
 *   Calibration operations run) against one bare SQL aggregate (`GROUP BY decision`) over the
 *   same rows.
 * Usage: see README.md. Flags: --sizes=10000,100000,1000000 --backends=embedded,postgres --bare-literals --bare-file
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';

import { Client } from 'pg';

import { calibrationReports } from '../../nodes/shared/calibration/calibration';
import { computeMetrics } from '../../nodes/FeedbackLog/computeMetrics';
import { openHitlStore, type DecisionRecord, type HitlStore, type StoreConfig } from '../../nodes/shared/store';
import { arrayLiteral } from '../../nodes/shared/store/batchInsert';
import { dayOf } from '../../nodes/shared/store/decisionAggregates';
import { loadSqlite } from '../../nodes/shared/store/sqliteDriver';
import { startPostgres, type TestPostgres } from '../../test/support/postgres';
import { seededRandom, syntheticDecision } from '../../test/unit/store/fixtures/decisions';
import { median as medianOf, percentile } from '../shared/stats';

const BATCH = 5000;
const STATS_OPTIONS = { rubberStampMs: 5000, bucketMs: 86_400_000 };
const BARE_COLUMNS = [
	'execution_id', 'node_name', 'item_index', 'case_id', 'workflow_id', 'workflow_name', 'route', 'decision',
	'confidence', 'confidence_pct', 'confidence_method', 'model', 'prompt_version', 'input_text', 'draft_text',
	'final_text', 'texts_hashed', 'edited', 'edit_distance', 'reviewers', 'reason', 'comment', 'rule_ids',
	'sampled_for_audit', 'time_to_decision_ms', 'prompt_tokens', 'completion_tokens', 'cost_usd', 'requested_at',
	'decided_at', 'recorded_at', 'recorded_ms',
];
const BARE_TYPES = [
	'text', 'text', 'int4', 'text', 'text', 'text', 'text', 'text', 'float8', 'int4', 'text', 'text', 'text', 'text',
	'text', 'text', 'int4', 'int4', 'int4', 'text', 'text', 'text', 'text', 'int4', 'int8', 'int4', 'int4', 'float8',
	'text', 'text', 'text', 'int8',
];
const BARE_AGGREGATE = 'SELECT decision, COUNT(*) AS n, SUM(cost_usd) AS cost FROM hitl_decisions GROUP BY decision';

type Value = string | number | null;

function bareRow(r: DecisionRecord): Value[] {
	return [
		r.executionId, r.nodeName, r.itemIndex, r.caseId, r.workflowId, r.workflowName, r.route, r.decision,
		r.confidence, r.confidence === null ? null : Math.floor(r.confidence * 100), r.confidenceMethod, r.model,
		r.promptVersion, r.inputText ?? null, r.draftText, r.finalText, r.textsHashed ? 1 : 0, r.edited ? 1 : 0,
		r.editDistance, JSON.stringify(r.reviewers), r.reason, r.comment, JSON.stringify(r.ruleIds),
		r.sampledForAudit ? 1 : 0, r.timeToDecisionMs, r.promptTokens, r.completionTokens, r.costUsd, r.requestedAt,
		r.decidedAt, r.recordedAt, Date.parse(r.recordedAt),
	];
}

/** The bare side: raw SQL on the same database, bypassing the store. */
interface Bare {
	createCopy(): Promise<void>;
	insertBatch(rows: Value[][]): Promise<void>;
	/** One row by one INSERT statement, with no BEGIN or COMMIT: the database's own transaction of one statement. */
	insertOne(row: Value[]): Promise<void>;
	aggregate(): Promise<void>;
	close(): Promise<void>;
}

/**
 * SQLite's bare side. By default the plain table is in the store's database file; with
 * --bare-file it is in a file of its own (same pragmas), so it no longer shares the store's WAL:
 * each side pays for its own checkpoints (the stricter baseline, see README). The bare GROUP BY
 * always reads the store's table.
 */
function sqliteBare(filePath: string): Bare {
	const { DatabaseSync } = loadSqlite();
	const open = (path: string) => {
		const db = new DatabaseSync(path, { timeout: 10_000 });
		db.exec('PRAGMA journal_mode = WAL');
		db.exec('PRAGMA synchronous = NORMAL');
		return db;
	};
	const db = open(filePath);
	const target = BARE_FILE ? open(join(dirname(filePath), `bare-${basename(filePath)}`)) : db;
	let insert: ReturnType<typeof db.prepare> | undefined;
	return {
		async createCopy() {
			if (target === db) db.exec('CREATE TABLE bench_bare AS SELECT * FROM hitl_decisions WHERE 1 = 0');
			else {
				// The decision table's columns and types in the other file, without its key (as the copy above).
				const { sql } = db.prepare("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'hitl_decisions'").get() as { sql: string };
				target.exec(sql.replace('hitl_decisions', 'bench_bare').replace(/,\s*CONSTRAINT hitl_decisions_key UNIQUE \([^)]*\)/, ''));
			}
			insert = target.prepare(`INSERT INTO bench_bare (${BARE_COLUMNS.join(', ')}) VALUES (${BARE_COLUMNS.map(() => '?').join(', ')})`);
		},
		async insertBatch(rows) {
			target.exec('BEGIN IMMEDIATE');
			for (const row of rows) insert!.run(...row);
			target.exec('COMMIT');
		},
		async insertOne(row) {
			insert!.run(...row);
		},
		async aggregate() {
			db.prepare(BARE_AGGREGATE).all();
		},
		async close() {
			if (target !== db) target.close();
			db.close();
		},
	};
}

function postgresBare(config: StoreConfig & { backend: 'postgres' }): Bare {
	const client = new Client({ host: config.host, port: config.port, database: config.database, user: config.user });
	let connected: Promise<void> | undefined;
	const ready = () => (connected ??= client.connect().then(() => undefined));
	return {
		async createCopy() {
			await ready();
			await client.query('CREATE TABLE bench_bare AS SELECT * FROM hitl_decisions WHERE 1 = 0');
		},
		async insertBatch(rows) {
			await ready();
			await client.query('BEGIN');
			// The same array-per-column (unnest) statement the store uses on PostgreSQL. Its arrays as
			// anyone writing the insert by hand passes them (node-postgres encodes them), or with
			// --bare-literals as the store's own array literals (the stricter baseline).
			const arrays: unknown[] = BARE_LITERALS
				? BARE_COLUMNS.map((_, index) => arrayLiteral(rows, index))
				: BARE_COLUMNS.map((_, index) => rows.map((row) => row[index]));
			const unnest = BARE_TYPES.map((type, index) => `$${index + 1}::${type}[]`).join(', ');
			await client.query(`INSERT INTO bench_bare (${BARE_COLUMNS.join(', ')}) SELECT * FROM unnest(${unnest})`, arrays);
			await client.query('COMMIT');
		},
		async insertOne(row) {
			await ready();
			// As one would write it by hand: a VALUES row, its parameters typed by their columns.
			await client.query(`INSERT INTO bench_bare (${BARE_COLUMNS.join(', ')}) VALUES (${BARE_COLUMNS.map((_, index) => `$${index + 1}`).join(', ')})`, row);
		},
		async aggregate() {
			await ready();
			await client.query(BARE_AGGREGATE);
		},
		async close() {
			await client.end();
		},
	};
}

const log = (line: string) => console.log(`    ${line}`);

async function median(runs: number, work: () => Promise<void>): Promise<number> {
	const times: number[] = [];
	for (let i = 0; i < runs; i++) {
		const start = performance.now();
		await work();
		times.push(performance.now() - start);
	}
	return medianOf(times);
}

interface Result {
	backend: string;
	records: number;
	storeInsertPerSec: number;
	bareInsertPerSec: number;
	metricsMs: number;
	bareAggregateMs: number;
	/** Metrics + calibration of the last 7 days of the stream (a window that cuts days and hours). */
	weekMs: number;
	databaseMb?: number;
	purge: PurgeResult;
	single: SingleResult;
}

/** One decision per transaction (an execution that records one item), against the bare insert of one row. */
interface SingleResult {
	count: number;
	storeUs: number;
	/** The bare row in BEGIN … COMMIT. */
	bareUs: number;
	/** The bare row as one INSERT statement, no BEGIN or COMMIT (on PostgreSQL one round trip instead of three). */
	bareOneUs: number;
}

/** Runs the store's and the bare side's work, the store's first if `storeFirst`; each one's time in ms. */
async function timeBoth(storeFirst: boolean, storeWork: () => Promise<unknown>, bareWork: () => Promise<unknown>): Promise<[number, number]> {
	const timed = async (work: () => Promise<unknown>) => {
		const t = performance.now();
		await work();
		return performance.now() - t;
	};
	if (storeFirst) {
		const storeMs = await timed(storeWork);
		return [storeMs, await timed(bareWork)];
	}
	const bareMs = await timed(bareWork);
	return [await timed(storeWork), bareMs];
}

/**
 * The usual pattern in a flow: each execution records its one decision in a transaction of its
 * own. Alternating store and bare, one decision at a time, each side's median.
 */
async function benchSingle(store: HitlStore, bare: Bare, size: number): Promise<SingleResult> {
	const random = seededRandom(size + 2);
	const count = 5000;
	const times: [number[], number[], number[]] = [[], [], []];
	for (let index = 0; index < count; index++) {
		const record = syntheticDecision(random, 8, index, Date.parse('2027-02-01T00:00:00.000Z'));
		const row = bareRow(record);
		const works = [() => store.recordDecisions([record]), () => bare.insertBatch([row]), () => bare.insertOne(row)];
		// The three take turns at going first.
		for (let turn = 0; turn < works.length; turn++) {
			const which = (index + turn) % works.length;
			const start = performance.now();
			await works[which]();
			times[which].push(performance.now() - start);
		}
	}
	const [storeUs, bareUs, bareOneUs] = times.map((list) => medianOf(list) * 1000);
	return { count, storeUs, bareUs, bareOneUs };
}

interface PurgeResult {
	deleted: number;
	purgeMs: number;
	/** Single-decision recordings a writer completed while the purge ran, and the longest of them. */
	recordedDuring: number;
	longestRecordMs: number;
	/** The 99th percentile of those recordings. */
	p99RecordMs: number;
	/** The waits of the recordings that were the first of a later day (they sum days: see benchPurge); the figures above leave them out. */
	dayWaitsMs: number[];
	/** The median single-decision recording before the purge. */
	medianRecordMs: number;
}

/**
 * Retention at scale: deletes the older half of the table while a writer records one decision at
 * a time, as the Feedback Log does; the purge goes in batches, so the writer waits at most one.
 */
async function benchPurge(store: HitlStore, size: number): Promise<PurgeResult> {
	const random = seededRandom(size + 1);
	let next = 0;
	const late = () => syntheticDecision(random, 9, next++, Date.parse('2027-01-01T00:00:00.000Z'));
	// Each decision arrives through the event loop (an execution's webhook or trigger), not in one
	// chain of resolved promises: node:sqlite is synchronous, so a writer that never yields would
	// hold the event loop itself. Its wait runs from its arrival to its commit, so it includes the
	// time the event loop was held by a retention batch.
	const arrival = () => new Promise((resolve) => setImmediate(resolve));
	const single: number[] = [];
	// The day a decision counts in, by the store's own rule.
	const dayOfDecision = (decision: DecisionRecord) => dayOf(Date.parse(decision.recordedAt));
	let newestDay = Number.NEGATIVE_INFINITY;
	for (let i = 0; i < 20; i++) {
		const decision = late();
		newestDay = Math.max(newestDay, dayOfDecision(decision));
		const t = performance.now();
		await arrival();
		await store.recordDecisions([decision]);
		single.push(performance.now() - t);
	}
	// syntheticDecision spaces decisions ~2 s apart from 2026-10-01: the older half ends here.
	const cutoff = new Date(Date.parse('2026-10-01T00:00:00.000Z') + size * 1000).toISOString();
	let purging = true;
	const waits: number[] = [];
	// The writer's decisions are ~2 s apart in recorded time, so a long purge takes it across days:
	// the first decision of a later day sums the days before it (the store's days mark), and that
	// waits for the retention batch in progress. Those waits are told apart from the rest.
	const dayWaits: number[] = [];
	const writer = (async () => {
		while (purging) {
			const decision = late();
			const day = dayOfDecision(decision);
			const t = performance.now();
			await arrival();
			await store.recordDecisions([decision]);
			(day > newestDay ? dayWaits : waits).push(performance.now() - t);
			newestDay = Math.max(newestDay, day);
		}
	})();
	const started = performance.now();
	const result = await store.deleteOlderThan(cutoff);
	const purgeMs = performance.now() - started;
	purging = false;
	await writer;
	return {
		deleted: result.decisions,
		purgeMs,
		recordedDuring: waits.length + dayWaits.length,
		longestRecordMs: Math.max(0, ...waits),
		p99RecordMs: waits.length ? percentile(waits, 99) : 0,
		dayWaitsMs: dayWaits,
		medianRecordMs: medianOf(single),
	};
}

async function benchOne(backend: 'embedded' | 'postgres', size: number, config: StoreConfig): Promise<Result> {
	const store: HitlStore = await openHitlStore(config);
	const bare = backend === 'embedded' ? sqliteBare((config as { filePath: string }).filePath) : postgresBare(config as never);
	try {
		await bare.createCopy();
		const random = seededRandom(size);
		let storeMs = 0;
		let bareMs = 0;
		for (let start = 0; start < size; start += BATCH) {
			const records = Array.from({ length: Math.min(BATCH, size - start) }, (_, i) => syntheticDecision(random, 0, start + i));
			// Alternate which side goes first, so neither always meets a warm cache.
			const [storeBatchMs, bareBatchMs] = await timeBoth(
				(start / BATCH) % 2 === 0,
				() => store.recordDecisions(records),
				() => bare.insertBatch(records.map(bareRow)),
			);
			storeMs += storeBatchMs;
			bareMs += bareBatchMs;
		}
		log(`${backend} ${size}: inserted (store ${(storeMs / 1000).toFixed(1)} s, bare ${(bareMs / 1000).toFixed(1)} s)`);
		const count = await store.countDecisions();
		if (count !== size) throw new Error(`expected ${size} rows, found ${count}`);
		const runs = size >= 1_000_000 ? 3 : 5;
		const metricsMs = await median(runs, async () => {
			// The node always passes a window ("last N days"); this one covers every record.
			const stats = await store.decisionStats({ since: '2026-01-01T00:00:00.000Z', until: new Date().toISOString() }, STATS_OPTIONS);
			computeMetrics(stats, { rubberStampMs: STATS_OPTIONS.rubberStampMs });
			calibrationReports(stats.confidenceBins, { recommend: { targetPrecision: 0.95 } });
		});
		log(`${backend} ${size}: metrics ${metricsMs.toFixed(0)} ms (median of ${runs})`);
		const bareAggregateMs = await median(runs, () => bare.aggregate());
		// The stream's last decision is at ~2 s × size after its start; a 7-day window before it.
		const end = Date.parse('2026-10-01T00:00:00.000Z') + size * 2_000;
		const weekMs = await median(runs, async () => {
			const stats = await store.decisionStats({ since: new Date(end - 7 * 86_400_000 - 1_337_000).toISOString(), until: new Date(end - 2_345_000).toISOString() }, STATS_OPTIONS);
			computeMetrics(stats, { rubberStampMs: STATS_OPTIONS.rubberStampMs });
			calibrationReports(stats.confidenceBins, { recommend: { targetPrecision: 0.95 } });
		});
		const purge = await benchPurge(store, size);
		log(`${backend} ${size}: purge of ${purge.deleted} in ${(purge.purgeMs / 1000).toFixed(1)} s, ${purge.recordedDuring} records meanwhile, longest ${purge.longestRecordMs.toFixed(0)} ms`);
		const single = await benchSingle(store, bare, size);
		const result: Result = {
			backend,
			records: size,
			storeInsertPerSec: size / (storeMs / 1000),
			bareInsertPerSec: size / (bareMs / 1000),
			metricsMs,
			bareAggregateMs,
			weekMs,
			purge,
			single,
		};
		if (backend === 'embedded') result.databaseMb = statSync((config as { filePath: string }).filePath).size / 1e6;
		return result;
	} finally {
		await bare.close();
		await store.close();
	}
}

function flag(name: string, fallback: string): string {
	const arg = process.argv.find((entry) => entry.startsWith(`--${name}=`));
	return arg ? arg.slice(name.length + 3) : fallback;
}

/** PostgreSQL: the bare insert passes the store's own array literals instead of JavaScript arrays. */
const BARE_LITERALS = process.argv.includes('--bare-literals');
/** SQLite: the bare table in a database file of its own. */
const BARE_FILE = process.argv.includes('--bare-file');

async function main() {
	const sizes = flag('sizes', '10000,100000,1000000').split(',').map(Number);
	const backends = flag('backends', 'embedded,postgres').split(',') as ('embedded' | 'postgres')[];
	console.log(`HITL store benchmark — Node ${process.version}, ${cpus().length} CPUs, batches of ${BATCH} per transaction`);
	const dir = mkdtempSync(join(tmpdir(), 'hitl-bench-'));
	let server: TestPostgres | undefined;
	const results: Result[] = [];
	try {
		for (const backend of backends) {
			if (backend === 'postgres') server = await startPostgres();
			for (const size of sizes) {
				const config: StoreConfig =
					backend === 'embedded' ? { backend, filePath: join(dir, `bench-${size}.sqlite`) } : await server!.createDatabase(`bench_${size}`);
				const started = performance.now();
				const result = await benchOne(backend, size, config);
				results.push(result);
				console.log(
					`  ${backend.padEnd(8)} ${String(size).padStart(8)} records: done in ${((performance.now() - started) / 1000).toFixed(1)} s`,
				);
				if (backend === 'embedded') rmSync(join(dir, `bench-${size}.sqlite`), { force: true });
			}
			await server?.stop();
			server = undefined;
		}
	} finally {
		await server?.stop();
		rmSync(dir, { recursive: true, force: true });
	}

	const header = ['back end', 'records', 'store ins/s', 'bare ins/s', 'ins ratio', 'metrics ms', 'bare agg ms', 'query ratio', '7-day ms', '7-day ratio'];
	const rows = results.map((r) => [
		r.backend,
		String(r.records),
		r.storeInsertPerSec.toFixed(0),
		r.bareInsertPerSec.toFixed(0),
		`${(r.bareInsertPerSec / r.storeInsertPerSec).toFixed(2)}x slower`,
		r.metricsMs.toFixed(1),
		r.bareAggregateMs.toFixed(1),
		`${(r.metricsMs / r.bareAggregateMs).toFixed(2)}x`,
		r.weekMs.toFixed(1),
		`${(r.weekMs / r.bareAggregateMs).toFixed(2)}x`,
	]);
	const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
	const line = (cells: string[]) => cells.map((cell, i) => cell.padStart(widths[i])).join('  ');
	console.log(`\n${line(header)}`);
	for (const row of rows) console.log(line(row));
	console.log(
		'\nins ratio = bare insert rate / store insert rate (same database, batches, transactions);' +
			'\nquery ratio = metrics + calibration time / one bare GROUP BY over the same table (median of runs);' +
			'\n7-day ratio = the same for the last 7 days of the stream (a window that cuts days and hours).',
	);
	console.log('\nsingle decisions: one per transaction; the store, the bare row in BEGIN … COMMIT, and the bare row as one INSERT statement take turns (median of each)');
	for (const r of results) {
		const { count, storeUs, bareUs, bareOneUs } = r.single;
		console.log(
			`  ${r.backend.padEnd(8)} ${String(r.records).padStart(8)}: ${count} each, store ${storeUs.toFixed(0)} µs; bare in BEGIN … COMMIT ${bareUs.toFixed(0)} µs, ` +
				`${(storeUs / bareUs).toFixed(2)}x slower; bare as one statement ${bareOneUs.toFixed(0)} µs, ${(storeUs / bareOneUs).toFixed(2)}x slower`,
		);
	}
	console.log('\nretention: the older half deleted while one writer records single decisions (its first decision of each later day apart)');
	for (const r of results) {
		console.log(
			`  ${r.backend.padEnd(8)} ${String(r.records).padStart(8)}: ${r.purge.deleted} deleted in ${(r.purge.purgeMs / 1000).toFixed(1)} s; ` +
				`${r.purge.recordedDuring} decisions recorded meanwhile, longest ${r.purge.longestRecordMs.toFixed(0)} ms, p99 ${r.purge.p99RecordMs.toFixed(0)} ms ` +
				`(${(r.purge.longestRecordMs / r.purge.medianRecordMs).toFixed(1)}x the median single record, ${r.purge.medianRecordMs.toFixed(1)} ms); ` +
				`the first of each later day (they sum days, waiting for the batch in progress): ${r.purge.dayWaitsMs.map((ms) => ms.toFixed(0)).join(', ') || 'none'} ms`,
		);
	}
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
