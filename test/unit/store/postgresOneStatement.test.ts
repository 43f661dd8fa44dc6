/**
 * PostgreSQL records a batch of one decision (an execution recording one item, the usual case) in
 * one statement, which the server runs as a transaction of its own: one round trip instead of the
 * transaction's eight (issue 16). Checked here on a real server, through a driver that counts what
 * the store sends: the statement count, a replay, a decision for a day already summed, and many
 * writers recording single decisions into the same aggregate rows at once, beside a batch writer
 * and across day boundaries (a deadlock or a lost sum would show).
 */
import { PostgresDriver } from '../../../nodes/shared/store/postgresDriver';
import type { SqlDriver, SqlExecutor, SqlValue } from '../../../nodes/shared/store/sqlDriver';
import { SqlHitlStore } from '../../../nodes/shared/store/sqlHitlStore';
import type { PostgresStoreConfig } from '../../../nodes/shared/store/types';
import { queryDatabase as rawQuery, startPostgres, type TestPostgres } from '../../support/postgres';
import { baseDecision, seededRandom, syntheticDecision } from './fixtures/decisions';

jest.setTimeout(180_000);

let postgres: TestPostgres;
beforeAll(async () => {
	postgres = await startPostgres();
});
afterAll(async () => {
	await postgres?.stop();
});

/** A driver that notes every statement the store sends, and every transaction it opens. */
class CountingDriver implements SqlDriver {
	readonly dialect = 'postgres' as const;
	readonly sent: string[] = [];
	/** The driver's own statements (outside a transaction), counted. */
	private readonly direct: SqlExecutor;

	constructor(private readonly inner: PostgresDriver) {
		this.direct = this.counting(inner, '');
	}

	private counting(executor: SqlExecutor, prefix: string): SqlExecutor {
		const note = (method: string, sql: string) => this.sent.push(`${prefix}${method}: ${sql.trim().split(/\s+/).slice(0, 2).join(' ')}`);
		return {
			query: (sql, params) => (note('query', sql), executor.query(sql, params)),
			queryArrays: (sql, params) => (note('queryArrays', sql), executor.queryArrays(sql, params)),
			run: (sql, params) => (note('run', sql), executor.run(sql, params)),
			insertEach: (sql, rows) => (note('insertEach', sql), executor.insertEach(sql, rows)),
		};
	}

	query<Row extends object>(sql: string, params?: readonly SqlValue[]) {
		return this.direct.query<Row>(sql, params);
	}
	queryArrays(sql: string, params?: readonly SqlValue[]) {
		return this.direct.queryArrays(sql, params);
	}
	run(sql: string, params?: readonly SqlValue[]) {
		return this.direct.run(sql, params);
	}
	insertEach(sql: string, rows: readonly (readonly (string | number | null)[])[]) {
		return this.direct.insertEach(sql, rows);
	}
	transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T> {
		this.sent.push('transaction');
		return this.inner.transaction((tx) => work(this.counting(tx, '  in transaction, ')));
	}
	close() {
		return this.inner.close();
	}
}

const AGGREGATE_TABLES = ['outcomes', 'reviewers', 'histograms', 'confidence', 'reviewers_hourly', 'histograms_hourly', 'confidence_hourly'];

/** Every aggregate row, as sorted text (floating-point sums to 9 decimals: added in another order, they differ in the last bits). */
async function aggregateRows(config: PostgresStoreConfig): Promise<string[][]> {
	return Promise.all(
		AGGREGATE_TABLES.map(async (table) =>
			(await rawQuery(config, `SELECT * FROM hitl_agg_${table}`))
				.map((row) => Object.values(row).map((value) => (typeof value === 'number' && !Number.isInteger(value) ? value.toFixed(9) : String(value))).join('|'))
				.sort(),
		),
	);
}

async function openCounting(config: PostgresStoreConfig): Promise<{ store: SqlHitlStore; driver: CountingDriver }> {
	const driver = new CountingDriver(new PostgresDriver(config));
	return { store: await SqlHitlStore.open(driver, 'postgres', 'test'), driver };
}

/** Runs `work` on a store over a new database through a CountingDriver, and closes the store. */
async function onNewDatabase(work: (store: SqlHitlStore, driver: CountingDriver, config: PostgresStoreConfig) => Promise<void>): Promise<void> {
	const config = await postgres.createDatabase();
	const { store, driver } = await openCounting(config);
	try {
		await work(store, driver, config);
	} finally {
		await store.close();
	}
}

const STATS_OPTIONS = { rubberStampMs: 5000, bucketMs: 86_400_000 };

test('a single decision is one statement once the store has seen the days mark; a replay of it writes nothing', async () => {
	await onNewDatabase(async (store, driver, config) => {
		const at = (minutes: number) => new Date(Date.parse('2026-11-03T09:00:00.000Z') + minutes * 60_000).toISOString();
		// The first recording of a process reads the mark in a transaction (it may have days to sum).
		await store.recordDecisions([baseDecision({ executionId: 'first', recordedAt: at(0) })]);
		expect(driver.sent[0]).toBe('transaction');

		driver.sent.length = 0;
		const reviewed = baseDecision({
			executionId: 'second',
			recordedAt: at(5),
			requestedAt: at(2),
			decidedAt: at(4),
			timeToDecisionMs: 120_000,
			reviewers: [{ id: 'ana', decision: 'approved', at: at(4), timeOnPageMs: 3_000 }],
			ruleIds: ['pii.email', 'disclosure.apr'],
		});
		const [recorded] = await store.recordDecisions([reviewed]);
		expect(recorded.inserted).toBe(true);
		expect(driver.sent).toEqual(['queryArrays: WITH mark']);

		const before = await store.decisionStats({}, STATS_OPTIONS);
		const rowsBefore = await aggregateRows(config);
		driver.sent.length = 0;
		// A replay (n8n retrying the execution), with other content under the same key: nothing written.
		const [replayed] = await store.recordDecisions([{ ...reviewed, decision: 'rejected' }]);
		expect(replayed).toEqual({ id: recorded.id, inserted: false });
		expect(driver.sent).toEqual(['queryArrays: WITH mark', 'query: SELECT id']);
		expect(await store.countDecisions()).toBe(2);
		expect(await store.decisionStats({}, STATS_OPTIONS)).toEqual(before);
		expect(await aggregateRows(config)).toEqual(rowsBefore);

		// What the statement added is what a rebuild from the rows gives.
		expect(before.total).toBe(2);
		expect(before.rules.map((rule) => [rule.ruleId, rule.hits])).toEqual(
			expect.arrayContaining([
				['pii.email', 1],
				['disclosure.apr', 1],
			]),
		);
		await store.rebuildAggregates();
		expect(await aggregateRows(config)).toEqual(rowsBefore);
	});
});

test('a single decision for a day before the mark writes nothing in the statement and is recorded in its day by the transaction', async () => {
	await onNewDatabase(async (store, driver, config) => {
		await store.recordDecisions([baseDecision({ executionId: 'today', recordedAt: '2026-11-05T10:00:00.000Z' })]);
		expect(Number((await rawQuery(config, 'SELECT summed_before_ms FROM hitl_agg_days'))[0].summed_before_ms)).toBe(Date.parse('2026-11-05T00:00:00.000Z'));
		driver.sent.length = 0;
		const late = baseDecision({ executionId: 'late', recordedAt: '2026-11-03T10:00:00.000Z', reviewers: [{ id: 'late-reviewer', decision: 'approved', at: '2026-11-03T09:59:00.000Z' }] });
		expect((await store.recordDecisions([late]))[0].inserted).toBe(true);
		expect(driver.sent[0]).toBe('queryArrays: WITH mark');
		expect(driver.sent[1]).toBe('transaction');
		const daily = await rawQuery(config, "SELECT period_ms, n FROM hitl_agg_reviewers WHERE reviewer_id = 'late-reviewer'");
		expect(daily.map((row) => [Number(row.period_ms), Number(row.n)])).toEqual([[Date.parse('2026-11-03T00:00:00.000Z'), 1]]);
		expect(await store.countDecisions()).toBe(2);
		const sums = await aggregateRows(config);
		await store.rebuildAggregates();
		expect(await aggregateRows(config)).toEqual(sums);
	});
});

test('writers recording single decisions into the same rows at once, beside a batch writer and across days: every decision once, the rows a rebuild gives', async () => {
	const config = await postgres.createDatabase();
	// Each writer its own pool, as n8n's main and workers each have theirs.
	const opened = await Promise.all([0, 1, 2, 3, 4].map(() => openCounting(config)));
	try {
		// 300 decisions per writer, ~5 minutes apart (about two days): the same workflow, model and
		// hours, so they add to the same aggregate rows; writer 4 records batches of 25.
		await Promise.all(
			opened.map(async ({ store }, writer) => {
				const random = seededRandom(2000 + writer);
				const records = Array.from({ length: 300 }, (_, index) => syntheticDecision(random, writer, index * 150));
				const batch = writer === 4 ? 25 : 1;
				for (let start = 0; start < records.length; start += batch) await store.recordDecisions(records.slice(start, start + batch));
			}),
		);
		const [{ store }] = opened;
		expect(await store.countDecisions()).toBe(1500);
		const singles = opened.slice(0, 4).map(({ driver }) => driver.sent.filter((sent) => sent === 'queryArrays: WITH mark').length);
		// Most single decisions went as one statement (the rest: a process's first, and the first of each later day).
		for (const count of singles) expect(count).toBeGreaterThan(250);
		const sums = await aggregateRows(config);
		expect(sums[1].length).toBeGreaterThan(0); // daily reviewer rows: days were summed
		expect(await store.rebuildAggregates()).toBe(1500);
		expect(await aggregateRows(config)).toEqual(sums);
	} finally {
		await Promise.all(opened.map(({ store }) => store.close()));
	}
});
