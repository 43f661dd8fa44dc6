/**
 * The HITL store's contract, run unchanged against both back ends: the embedded SQLite file and a
 * real PostgreSQL server (started by scripts/ensure-postgres.sh for this file, stopped after).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { calibrationReports } from '../../../nodes/shared/calibration/calibration';
import { computeMetrics } from '../../../nodes/FeedbackLog/computeMetrics';
import { recommendThreshold } from '../../../nodes/shared/calibration/recommendThreshold';
import {
	openHitlStore,
	STORE_SCHEMA_VERSION,
	type DecisionFilter,
	type DecisionRecord,
	type ConfidenceBin,
	type DecisionStats,
	type HitlStore,
	type OutcomeCount,
	type ReviewerStats,
	type PostgresStoreConfig,
	type StatsOptions,
	type StoreConfig,
} from '../../../nodes/shared/store';
import { queryDatabase, startPostgres, type TestPostgres } from '../../support/postgres';
import { baseDecision, seededRandom, syntheticDecision } from './fixtures/decisions';

jest.setTimeout(180_000);

const run = promisify(execFile);

interface Backend {
	name: 'embedded' | 'postgres';
	start(): Promise<void>;
	/** A config pointing at a new, empty database. */
	fresh(): Promise<StoreConfig>;
	/** Runs raw SQL on a database, bypassing the store. */
	rawQuery(config: StoreConfig, sql: string): Promise<Record<string, unknown>[]>;
	stop(): Promise<void>;
}

function embeddedBackend(): Backend {
	let dir = '';
	let counter = 0;
	return {
		name: 'embedded',
		async start() {
			dir = mkdtempSync(join(tmpdir(), 'hitl-store-'));
		},
		async fresh() {
			return { backend: 'embedded', filePath: join(dir, `store-${++counter}.sqlite`) };
		},
		async rawQuery(config, sql) {
			// eslint-disable-next-line @typescript-eslint/no-require-imports -- node:sqlite, as the store loads it
			const { DatabaseSync } = require('node:sqlite') as typeof import('node:sqlite');
			const db = new DatabaseSync((config as { filePath: string }).filePath);
			try {
				return db.prepare(sql).all() as Record<string, unknown>[];
			} finally {
				db.close();
			}
		},
		async stop() {
			rmSync(dir, { recursive: true, force: true });
		},
	};
}

function postgresBackend(): Backend {
	let server: TestPostgres | undefined;
	return {
		name: 'postgres',
		async start() {
			server = await startPostgres();
		},
		async fresh() {
			return server!.createDatabase();
		},
		rawQuery: (config, sql) => queryDatabase(config as PostgresStoreConfig, sql),
		async stop() {
			await server?.stop();
		},
	};
}

const DAY1 = '2026-11-01T12:00:00.000Z';
const DAY2 = '2026-11-02T12:00:00.000Z';

/** A reviewed decision whose reviewer answered `seconds` after the request. */
function reviewedDecision(
	index: number,
	reviewer: string,
	decision: DecisionRecord['decision'],
	seconds: number,
	overrides: Partial<DecisionRecord>,
): DecisionRecord {
	const requestedAt = '2026-11-01T09:00:00.000Z';
	const at = new Date(Date.parse(requestedAt) + seconds * 1000).toISOString();
	return baseDecision({
		executionId: `fixture-${index}`,
		caseId: `case-${index}`,
		decision,
		reviewers: [{ id: reviewer, decision, at }],
		requestedAt,
		decidedAt: at,
		timeToDecisionMs: seconds * 1000,
		...overrides,
	});
}

/** The hand-computed fixture: see the expected figures in the test below. */
function metricsFixture(): DecisionRecord[] {
	const unreviewed = { reviewers: [], requestedAt: null, decidedAt: null, timeToDecisionMs: null };
	return [
		baseDecision({ executionId: 'fixture-1', route: 'auto', decision: 'auto', confidence: 0.95, costUsd: 0.01, recordedAt: DAY1, ...unreviewed }),
		reviewedDecision(2, 'ana', 'approved', 3, { route: 'auto', sampledForAudit: true, confidence: 0.92, costUsd: 0.01, recordedAt: DAY1 }),
		reviewedDecision(3, 'bob', 'edited', 60, { route: 'auto', sampledForAudit: true, confidence: 0.91, costUsd: 0.01, recordedAt: DAY1 }),
		reviewedDecision(4, 'ana', 'approved', 2, { route: 'review', confidence: 0.6, costUsd: 0.02, ruleIds: ['pii.email'], recordedAt: DAY1 }),
		reviewedDecision(5, 'bob', 'rejected', 120, {
			route: 'review',
			confidence: 0.4,
			costUsd: 0.03,
			ruleIds: ['pii.email', 'disclosure.apr'],
			recordedAt: DAY2,
		}),
		reviewedDecision(6, 'ana', 'edited', 40, { route: 'review', confidence: 0.55, costUsd: 0.02, recordedAt: DAY2 }),
		reviewedDecision(7, 'bob', 'escalated', 10, { route: 'review', confidence: 0.3, costUsd: null, recordedAt: DAY2 }),
		baseDecision({
			executionId: 'fixture-8',
			route: 'block',
			decision: 'blocked',
			confidence: 0.05,
			costUsd: 0.005,
			ruleIds: ['prohibited.guarantee'],
			recordedAt: DAY2,
			...unreviewed,
		}),
	];
}

const STATS_OPTIONS = { rubberStampMs: 5000, bucketMs: 86_400_000 };

describe.each([embeddedBackend(), postgresBackend()])('HITL store contract ($name)', (backend) => {
	const opened: HitlStore[] = [];
	const open = async (config?: StoreConfig) => {
		const store = await openHitlStore(config ?? (await backend.fresh()));
		opened.push(store);
		return store;
	};

	beforeAll(() => backend.start());
	afterEach(async () => {
		await Promise.all(opened.splice(0).map((store) => store.close()));
	});
	afterAll(() => backend.stop());

	test('creates the schema on an empty database and records each migration once', async () => {
		const config = await backend.fresh();
		const store = await open(config);
		expect(await store.schemaVersion()).toBe(STORE_SCHEMA_VERSION);
		await store.close();
		opened.pop();
		const again = await open(config);
		expect(await again.schemaVersion()).toBe(STORE_SCHEMA_VERSION);
		const versions = await backend.rawQuery(config, 'SELECT version FROM hitl_schema_version');
		expect(versions.map((row) => Number(row.version)).sort((a, b) => a - b)).toEqual(Array.from({ length: STORE_SCHEMA_VERSION }, (_, index) => index + 1));
	});

	test('migrates a version-1 database in place, keeping its decisions', async () => {
		const config = await backend.fresh();
		const store = await open(config);
		await store.recordDecisions([baseDecision({ executionId: 'before-upgrade' })]);
		await store.close();
		opened.pop();
		// what a store created by version 1 of the schema looks like
		await backend.rawQuery(
			config,
			'CREATE TABLE hitl_decision_reviewers (decision_id BIGINT NOT NULL, reviewer_id TEXT NOT NULL, reviewer_name TEXT, decision TEXT NOT NULL, answer_ms BIGINT)',
		);
		await backend.rawQuery(config, "INSERT INTO hitl_decision_reviewers SELECT id, 'ana', 'Ana', 'approved', 30000 FROM hitl_decisions");
		await backend.rawQuery(config, 'CREATE TABLE hitl_decision_rules (decision_id BIGINT NOT NULL, rule_id TEXT NOT NULL)');
		await backend.rawQuery(config, 'DROP INDEX hitl_decisions_workflow_id');
		await backend.rawQuery(config, 'ALTER TABLE hitl_decisions DROP COLUMN review_probability');
		await backend.rawQuery(config, 'ALTER TABLE hitl_decisions DROP COLUMN slice');
		await backend.rawQuery(config, 'DROP TABLE hitl_gate_state');
		await backend.rawQuery(config, 'DROP TABLE hitl_pending_reviews');
		await backend.rawQuery(config, 'DROP TABLE hitl_pending_counts');
		await backend.rawQuery(config, 'DROP TABLE hitl_review_sla_steps');
		await backend.rawQuery(config, 'DROP TABLE hitl_agg_days');
		await backend.rawQuery(config, 'DELETE FROM hitl_schema_version WHERE version > 1');

		const upgraded = await open(config);
		expect(await upgraded.schemaVersion()).toBe(STORE_SCHEMA_VERSION);
		await upgraded.recordDecisions([baseDecision({ executionId: 'after-upgrade', reviewers: [{ id: 'ana', decision: 'approved', at: '2026-11-01T10:00:30.000Z', timeOnPageMs: 1500 }] })]);
		expect(await upgraded.countDecisions()).toBe(2);
		// version 9: the reviewer and rule rows are gone; their figures come from the decision rows
		for (const table of ['hitl_decision_reviewers', 'hitl_decision_rules']) {
			await expect(backend.rawQuery(config, `SELECT 1 FROM ${table}`)).rejects.toThrow();
		}
		// Ana's answers read back from both: a time on the page only after version 2 (1.5 s, a stamp)
		const stats = await upgraded.decisionStats({ since: '2026-01-01T00:00:00.000Z', until: '2027-01-01T00:00:00.000Z' }, { rubberStampMs: 5000, bucketMs: 86_400_000 });
		expect(stats.reviewers).toEqual([expect.objectContaining({ reviewerId: 'ana', decisions: 2, approvals: 2, fastApprovals: 1 })]);
		// version 3: a decision recorded before it has no review probability, so learning does not count it
		const decisions = await upgraded.listDecisions();
		expect(decisions.map((decision) => [decision.executionId, decision.reviewProbability, decision.slice])).toEqual([
			['before-upgrade', null, null],
			['after-upgrade', 1, 'shipping'],
		]);
		expect(await upgraded.routedBins({})).toEqual([expect.objectContaining({ routed: 1, labelled: 1 })]);
	});

	test('a rubber stamp is a fast read of the page, not a fast answer to the request', async () => {
		const store = await open();
		const requestedAt = '2026-11-01T08:00:00.000Z';
		const answered = (executionId: string, at: string, timeOnPageMs?: number) =>
			baseDecision({
				executionId,
				requestedAt,
				decidedAt: at,
				reviewers: [{ id: 'ana', decision: 'approved', at, ...(timeOnPageMs !== undefined ? { timeOnPageMs } : {}) }],
			});
		await store.recordDecisions([
			answered('inbox-2h-page-2s', '2026-11-01T10:00:02.000Z', 2000), // two hours in the inbox, two seconds on the page
			answered('inbox-2h-page-90s', '2026-11-01T10:01:30.000Z', 90_000),
			answered('no-page-time-3s', '2026-11-01T08:00:03.000Z'), // an older answer without page time: request → answer
		]);
		const stats = await store.decisionStats({}, { rubberStampMs: 5000, bucketMs: 86_400_000 });
		expect(stats.reviewers).toEqual([expect.objectContaining({ reviewerId: 'ana', approvals: 3, fastApprovals: 2 })]);
	});

	test('refuses a database migrated by a newer version of the package', async () => {
		const config = await backend.fresh();
		const store = await open(config);
		await store.close();
		opened.pop();
		await backend.rawQuery(config, "INSERT INTO hitl_schema_version (version, applied_at) VALUES (99, 'later')");
		await expect(openHitlStore(config)).rejects.toThrow(/schema version 99, newer than this package/);
	});

	test('keeps every field of a decision', async () => {
		const store = await open();
		const record = baseDecision({
			reviewers: [{ id: 'ana', name: 'Ana', decision: 'edited', reason: 'tone', comment: 'softer', at: '2026-11-01T10:00:30.000Z' }],
			ruleIds: ['pii.email', 'disclosure.apr'],
			decision: 'edited',
			edited: true,
			finalText: 'It ships today, sorry for the wait.',
			editDistance: 20,
			reason: 'tone',
			comment: 'softer',
		});
		const [outcome] = await store.recordDecisions([record]);
		expect(outcome.inserted).toBe(true);
		const [stored] = await store.listDecisions();
		expect(stored).toEqual({ ...record, id: outcome.id });
	});

	test('keeps texts and numbers exactly, whatever characters they hold (PostgreSQL gets them as array literals)', async () => {
		const store = await open();
		const texts = ['', 'NULL', 'null', ' padded ', 'a,b', '{braces}', 'say "hi"', 'back\\slash\\', '\\"', 'line\nbreak\ttab', 'ünïcödé ✓ 😀', "it's"];
		const records = texts.map((text, index) =>
			baseDecision({
				executionId: `chars-${index}`,
				caseId: text,
				draftText: text,
				finalText: index % 2 ? null : text,
				reviewers: [{ id: text || 'x', name: text, decision: 'approved', at: '2026-11-01T10:00:30.000Z' }],
				ruleIds: [text],
				confidence: [0, 1, 0.1 + 0.2, 1e-7, 0.9999999999999999][index % 5],
				costUsd: [0, -0.5, 1e21, 123456.789, 5e-324][index % 5],
				timeToDecisionMs: [0, 1, 2 ** 40, -3, 9_007_199_254_740_991][index % 5],
			}),
		);
		const outcomes = await store.recordDecisions(records);
		expect(outcomes.every((outcome) => outcome.inserted)).toBe(true);
		const stored = await store.listDecisions();
		expect(stored).toEqual(records.map((record, index) => ({ ...record, id: outcomes[index].id })));
	});

	test('is idempotent on execution + node + item: a replay writes nothing', async () => {
		const store = await open();
		const random = seededRandom(7);
		const records = Array.from({ length: 100 }, (_, index) => syntheticDecision(random, 0, index));
		const first = await store.recordDecisions(records);
		expect(first.every((outcome) => outcome.inserted)).toBe(true);
		const statsBefore = await store.decisionStats({}, STATS_OPTIONS);

		// The replay carries different content under the same keys: the first write wins.
		const replay = await store.recordDecisions(records.map((record) => ({ ...record, decision: 'rejected' as const })));
		expect(replay.map((outcome) => outcome.inserted)).toEqual(records.map(() => false));
		expect(replay.map((outcome) => outcome.id)).toEqual(first.map((outcome) => outcome.id));
		expect(await store.countDecisions()).toBe(100);
		expect(await store.decisionStats({}, STATS_OPTIONS)).toEqual(statsBefore);

		// Same key twice inside one batch: one row.
		const twice = await store.recordDecisions([baseDecision({ executionId: 'dup' }), baseDecision({ executionId: 'dup' })]);
		expect(twice.map((outcome) => outcome.inserted)).toEqual([true, false]);
		expect(twice[0].id).toBe(twice[1].id);
		expect(await store.countDecisions()).toBe(101);
	});

	test('8 concurrent writers × 1,000 records → exactly 8,000 rows', async () => {
		const config = await backend.fresh();
		const store = await open(config);
		const writers = Array.from({ length: 8 }, (_, writer) => writer);
		let results: { inserted: number; replayInserted: number }[];
		if (backend.name === 'embedded') {
			// Separate processes, each with its own connection to the file: real lock contention.
			const script = join(__dirname, 'fixtures', 'concurrentWriter.js');
			results = await Promise.all(
				writers.map(async (writer) => {
					const { stdout } = await run(process.execPath, [script, JSON.stringify(config), String(writer), '1000', '50']);
					return JSON.parse(stdout) as { inserted: number; replayInserted: number };
				}),
			);
		} else {
			// One pool, eight writers interleaving their transactions on its connections.
			results = await Promise.all(
				writers.map(async (writer) => {
					const random = seededRandom(1000 + writer);
					const records = Array.from({ length: 1000 }, (_, index) => syntheticDecision(random, writer, index));
					let inserted = 0;
					for (let start = 0; start < records.length; start += 50) {
						inserted += (await store.recordDecisions(records.slice(start, start + 50))).filter((o) => o.inserted).length;
					}
					const replay = await store.recordDecisions(records.slice(0, 50));
					return { inserted, replayInserted: replay.filter((o) => o.inserted).length };
				}),
			);
		}
		expect(results.map((result) => result.inserted)).toEqual(writers.map(() => 1000));
		expect(results.map((result) => result.replayInserted)).toEqual(writers.map(() => 0));
		expect(await store.countDecisions()).toBe(8000);
		const [{ n }] = await backend.rawQuery(config, 'SELECT COUNT(*) AS n FROM hitl_decisions');
		expect(Number(n)).toBe(8000);
	});

	test('metrics match the hand-computed fixture', async () => {
		const store = await open();
		await store.recordDecisions(metricsFixture());
		const metrics = computeMetrics(await store.decisionStats({}, STATS_OPTIONS), { rubberStampMs: 5000 });

		expect(metrics.volume).toBe(8);
		expect(metrics.byRoute).toEqual({ auto: 3, review: 4, block: 1, none: 0 });
		expect(metrics.autoRate).toBeCloseTo(0.375, 10);
		expect(metrics.escalationRate).toBeCloseTo(0.5, 10);
		expect(metrics.blockRate).toBeCloseTo(0.125, 10);
		expect(metrics.reviewed).toBe(5);
		expect(metrics.overrideRate).toBeCloseTo(0.6, 10);
		expect(metrics.rejectionRate).toBeCloseTo(0.2, 10);
		expect(metrics.timeToDecision).toEqual({ count: 6, p50Ms: 10_000, p90Ms: 120_000 });
		expect(metrics.autoPrecision).toMatchObject({ audited: 2, approved: 1, precision: 0.5 });
		expect(metrics.costUsd.total).toBeCloseTo(0.105, 10);
		expect(metrics.costUsd.perCase).toBeCloseTo(0.013125, 10);
		expect(metrics.costUsd.perEscalatedCase).toBeCloseTo(0.0175, 10);
		// seven of the eight decisions carried a cost (the escalated one had no price)
		expect(metrics.costUsd.priced).toBe(7);
		expect(metrics.reviewers).toEqual([
			expect.objectContaining({ reviewerId: 'ana', decisions: 3, approvals: 2, fastApprovals: 2, medianDecisionMs: 3000, rubberStamp: true, nameSelfDeclared: false }),
			expect.objectContaining({ reviewerId: 'bob', decisions: 3, approvals: 0, fastApprovals: 0, medianDecisionMs: 60_000, rubberStamp: false }),
		]);
		expect(metrics.rules).toEqual([
			{ ruleId: 'pii.email', hits: 2, hitRate: 0.25 },
			{ ruleId: 'disclosure.apr', hits: 1, hitRate: 0.125 },
			{ ruleId: 'prohibited.guarantee', hits: 1, hitRate: 0.125 },
		]);
		expect(metrics.overrideOverTime).toEqual([
			{ bucketStart: '2026-11-01T00:00:00.000Z', reviewed: 3, overridden: 1, overrideRate: 1 / 3 },
			{ bucketStart: '2026-11-02T00:00:00.000Z', reviewed: 2, overridden: 2, overrideRate: 1 },
		]);

		const dayTwo = computeMetrics(await store.decisionStats({ since: '2026-11-02T00:00:00.000Z' }, STATS_OPTIONS), {
			rubberStampMs: 5000,
		});
		expect(dayTwo.volume).toBe(4);
		expect(dayTwo.overrideRate).toBe(1);
		expect(computeMetrics(await store.decisionStats({ model: 'other' }, STATS_OPTIONS), { rubberStampMs: 5000 }).volume).toBe(0);
	});

	test('override counts of a window: reviewed and overridden per bucket add up to the hand count', async () => {
		const store = await open();
		await store.recordDecisions(metricsFixture());
		const counts = async (filter: DecisionFilter) => {
			const stats = await store.decisionStats(filter, STATS_OPTIONS);
			return stats.overrideOverTime.reduce(
				(sum, bucket) => ({ reviewed: sum.reviewed + bucket.reviewed, overridden: sum.overridden + bucket.overridden }),
				{ reviewed: 0, overridden: 0 },
			);
		};
		// hand-counted: 5 reviewed (3 approved, 1 edited, 1 rejected on day 1 and 2), 3 of them overridden overall
		expect(await counts({})).toEqual({ reviewed: 5, overridden: 3 });
		expect(await counts({ since: '2026-11-02T00:00:00.000Z' })).toEqual({ reviewed: 2, overridden: 2 });
		expect(await counts({ model: 'other' })).toEqual({ reviewed: 0, overridden: 0 });
		expect((await store.decisionStats({ model: 'other' }, STATS_OPTIONS)).confidenceBins).toEqual([]);
	});

	test('routed bins: every score-routed draft counted, labels weighted by 1/π; rule-routed and unscored drafts left out', async () => {
		const store = await open();
		const at = (minute: number) => `2026-11-01T10:${String(minute).padStart(2, '0')}:00.000Z`;
		let n = 0;
		const row = (confidence: number | null, decision: DecisionRecord['decision'], reviewProbability: number | null, minute = 0) =>
			baseDecision({ executionId: `routed-${n++}`, confidence, decision, reviewProbability, recordedAt: at(minute) });
		await store.recordDecisions([
			row(0.91, 'approved', 1),
			row(0.915, 'edited', 1),
			row(0.91, 'approved', 0.1, 5), // an audit sample at 10 %
			row(0.912, 'auto', 0.1, 5),
			row(0.91, 'auto', 0.1, 6),
			row(0.91, 'timedOut', 1, 6), // routed, but not a label
			row(0.91, 'rejected', null, 7), // a rule sent it: not in the population
			row(null, 'approved', 1, 7), // no score
			row(0.5, 'rejected', 1, 8),
		]);
		const bins = await store.routedBins({ workflowId: 'wf-1' });
		const byPercent = new Map(bins.map((bin) => [bin.percent, bin]));
		expect(bins).toHaveLength(2);
		expect(byPercent.get(91)).toEqual({
			model: 'gpt-4o-mini',
			promptVersion: 'v1',
			percent: 91,
			routed: 6,
			labelled: 3,
			weight: expect.closeTo(12, 9), // 1 + 1 + 10
			weightSquared: expect.closeTo(102, 9), // 1 + 1 + 100
			weightApproved: expect.closeTo(11, 9), // 1 + 10
			weightSquaredApproved: expect.closeTo(101, 9), // 1 + 100
		});
		expect(byPercent.get(50)).toMatchObject({ routed: 1, labelled: 1, weight: 1, weightApproved: 0 });
		const recent = await store.routedBins({ since: at(6) });
		expect(recent.map((bin) => [bin.percent, bin.routed, bin.labelled]).sort()).toEqual([
			[50, 1, 1],
			[91, 2, 0],
		]);

		const labelled = await store.labelledDecisions({ workflowId: 'wf-1' });
		expect(labelled.map((draft) => [draft.confidence, draft.approved, draft.slice])).toEqual([
			[0.91, true, 'shipping'],
			[0.915, false, 'shipping'],
			[0.91, true, 'shipping'],
			[0.5, false, 'shipping'],
		]);
		const after = await store.labelledDecisions({ workflowId: 'wf-1', afterId: labelled[1].id, limit: 1 });
		expect(after.map((draft) => draft.id)).toEqual([labelled[2].id]);
	});

	test('gate state: compare-and-set, shared by every opener', async () => {
		const config = await backend.fresh();
		const first = await open(config);
		const second = await open(config);
		expect(await first.getGateState('drift:wf:Gate')).toBeUndefined();
		expect(await first.putGateState('drift:wf:Gate', { cursor: '1' }, 0)).toEqual({ ok: true, revision: 1 });
		expect(await second.putGateState('drift:wf:Gate', { cursor: '2' }, 0)).toEqual({ ok: false, currentRevision: 1 });
		expect(await second.putGateState('drift:wf:Gate', { cursor: '2' }, 1)).toEqual({ ok: true, revision: 2 });
		expect(await first.putGateState('drift:wf:Gate', { cursor: '3' }, 1)).toEqual({ ok: false, currentRevision: 2 });
		expect(await first.getGateState('drift:wf:Gate')).toMatchObject({ state: { cursor: '2' }, revision: 2 });
	});

	test('calibration matches the hand-computed fixture', async () => {
		const store = await open();
		await store.recordDecisions(metricsFixture());
		const [overall, perModel] = calibrationReports((await store.decisionStats({}, STATS_OPTIONS)).confidenceBins);
		expect(overall.samples).toBe(5);
		expect(overall.brierScore).toBeCloseTo(0.2914, 10);
		expect(overall.expectedCalibrationError).toBeCloseTo(0.436, 10);
		expect(overall.bins[9]).toMatchObject({ count: 2, accuracy: 0.5 });
		expect(overall.bins[9].meanConfidence).toBeCloseTo(0.915, 10);
		expect(overall.bins.map((bin) => bin.count)).toEqual([0, 0, 0, 0, 1, 1, 1, 0, 0, 2]);
		expect(perModel).toMatchObject({ model: 'gpt-4o-mini', promptVersion: 'v1', samples: 5 });
	});

	test('recommends a threshold that reaches the target precision on a stream with known truth', async () => {
		const store = await open();
		// Every draft labelled, P(approved | confidence c) = c: precision at or above t is (1 + t) / 2,
		// so a target of 0.9 is first truly reached at t = 0.8.
		const random = seededRandom(42);
		const records = Array.from({ length: 5000 }, (_, index) => ({
			...syntheticDecision(random, 9, index),
			route: 'review' as const,
			sampledForAudit: false,
		})).map((record) => {
			const approved = random() < (record.confidence ?? 0);
			return { ...record, decision: approved ? ('approved' as const) : ('edited' as const) };
		});
		await store.recordDecisions(records);
		const bins = (await store.decisionStats({}, STATS_OPTIONS)).confidenceBins;

		const recommendation = recommendThreshold(bins, { targetPrecision: 0.9, minSamples: 200 });
		expect(recommendation.status).toBe('recommended');
		if (recommendation.status !== 'recommended') return;
		const truePrecision = (1 + recommendation.threshold) / 2;
		expect(truePrecision).toBeGreaterThanOrEqual(0.9);
		expect(recommendation.lowerBound).toBeGreaterThanOrEqual(0.9);
		// Not uselessly cautious either: it still lets a real share of drafts go out alone.
		expect(recommendation.threshold).toBeLessThan(0.9);
		// The same threshold, checked on fresh draws from the same truth.
		const heldOut = seededRandom(4242);
		let above = 0;
		let right = 0;
		for (let i = 0; i < 50_000; i++) {
			const confidence = heldOut();
			const approved = heldOut() < confidence;
			if (Math.floor(confidence * 100) / 100 >= recommendation.threshold) {
				above++;
				if (approved) right++;
			}
		}
		expect(right / above).toBeGreaterThanOrEqual(0.9);

		const few = recommendThreshold(bins.slice(0, 3), { targetPrecision: 0.9, minSamples: 200 });
		expect(few.status).toBe('insufficientData');
	});

	test('review state: compare-and-set, and no vote lost under concurrent updates', async () => {
		const config = await backend.fresh();
		const store = await open(config);
		const key = { executionId: 'exec-9', nodeName: 'Human Approval' };
		expect(await store.getReviewState(key)).toBeUndefined();
		expect(await store.putReviewState(key, { votes: [] }, { expectedRevision: 0 })).toEqual({ ok: true, revision: 1 });
		expect(await store.putReviewState(key, { votes: ['x'] }, { expectedRevision: 0 })).toEqual({ ok: false, currentRevision: 1 });
		expect(await store.putReviewState(key, { votes: ['a'] }, { expectedRevision: 1 })).toEqual({ ok: true, revision: 2 });
		expect(await store.putReviewState(key, { votes: ['b'] })).toEqual({ ok: true, revision: 3 });
		expect((await store.getReviewState(key))?.state).toEqual({ votes: ['b'] });

		// A second handle stands for another n8n process answering at the same time.
		const other = await open(config);
		const voteKey = { executionId: 'exec-10', nodeName: 'Human Approval' };
		await Promise.all(
			Array.from({ length: 20 }, (_, index) =>
				(index % 2 ? store : other).updateReviewState(voteKey, (current) => {
					const votes = (current as { votes?: string[] } | undefined)?.votes ?? [];
					return { votes: [...votes, `reviewer-${index}`] };
				}),
			),
		);
		const final = await store.getReviewState(voteKey);
		expect(((final?.state as { votes: string[] }).votes ?? []).slice().sort()).toEqual(
			Array.from({ length: 20 }, (_, index) => `reviewer-${index}`).sort(),
		);
		expect(final?.revision).toBe(20);
	});

	test('audit log: append in order, filter, idempotency key', async () => {
		const store = await open();
		const first = await store.appendAudit({ executionId: 'e1', nodeName: 'Approval', event: 'requested', at: '2026-11-01T10:00:00.000Z', caseId: 'c1' });
		await store.appendAudit({ executionId: 'e2', nodeName: 'Approval', event: 'requested', at: '2026-11-01T10:00:01.000Z' });
		const answer = { executionId: 'e1', nodeName: 'Approval', event: 'answered', actor: 'ana', detail: { decision: 'approved' }, at: '2026-11-01T10:01:00.000Z', idempotencyKey: 'e1:ana' };
		const id = await store.appendAudit(answer);
		expect(await store.appendAudit(answer)).toBe(id);
		const entries = await store.listAudit({ executionId: 'e1' });
		expect(entries.map((entry) => entry.event)).toEqual(['requested', 'answered']);
		expect(entries[0]).toEqual({ id: first, executionId: 'e1', nodeName: 'Approval', caseId: 'c1', event: 'requested', at: '2026-11-01T10:00:00.000Z' });
		expect(entries[1]).toMatchObject({ actor: 'ana', detail: { decision: 'approved' }, idempotencyKey: 'e1:ana' });
		expect(await store.listAudit({ since: '2026-11-01T10:00:01.000Z' })).toHaveLength(2);
	});

	test('retention deletes what is older than the cutoff, and only that', async () => {
		const store = await open();
		await store.recordDecisions(metricsFixture());
		await store.appendAudit({ executionId: 'e1', nodeName: 'Approval', event: 'requested', at: DAY1 });
		const result = await store.deleteOlderThan('2026-11-02T00:00:00.000Z');
		expect(result).toEqual({ decisions: 4, reviewStates: 0, auditEntries: 1 });
		expect(await store.countDecisions()).toBe(4);
		const stats = await store.decisionStats({}, STATS_OPTIONS);
		expect(stats.rules.map((rule) => rule.ruleId).sort()).toEqual(['disclosure.apr', 'pii.email', 'prohibited.guarantee']);
		expect(stats.rules.find((rule) => rule.ruleId === 'pii.email')?.hits).toBe(1);
		expect(stats.reviewers.map((reviewer) => [reviewer.reviewerId, reviewer.decisions])).toEqual([
			['ana', 1],
			['bob', 2],
		]);
	});

	test('a corrupt row fails with an error naming its table and column, on every read', async () => {
		const config = await backend.fresh();
		const store = await open(config);
		await store.recordDecisions([baseDecision({ executionId: 'ok-1' }), baseDecision({ executionId: 'bad-json' }), baseDecision({ executionId: 'bad-decision' })]);
		await store.putReviewState({ executionId: 'e1', nodeName: 'Approval' }, { votes: [] });
		await store.putGateState('drift:w', { n: 1 }, 0);
		await store.appendAudit({ executionId: 'e1', nodeName: 'Approval', event: 'answered', detail: { decision: 'approved' } });
		expect(await store.listDecisions()).toHaveLength(3);

		// What another tool, a hand edit or a damaged restore leaves behind.
		await backend.rawQuery(config, `UPDATE hitl_decisions SET reviewers = '[{"id": "ana"' WHERE execution_id = 'bad-json'`);
		await expect(store.listDecisions()).rejects.toThrow(/table hitl_decisions .*column reviewers .*is not valid JSON/);
		await backend.rawQuery(config, `UPDATE hitl_decisions SET reviewers = '[{"decision": "approved"}]' WHERE execution_id = 'bad-json'`);
		await expect(store.listDecisions()).rejects.toThrow(/table hitl_decisions .*column reviewers .*\(at 0\.id\)/);
		await backend.rawQuery(config, `DELETE FROM hitl_decisions WHERE execution_id = 'bad-json'`);
		await backend.rawQuery(config, `UPDATE hitl_decisions SET decision = 'maybe' WHERE execution_id = 'bad-decision'`);
		await expect(store.listDecisions()).rejects.toThrow(/table hitl_decisions .*column decision has "maybe"/);
		await expect(store.decisionStats({ afterId: '0' }, STATS_OPTIONS)).rejects.toThrow(/table hitl_decisions .*column decision has "maybe"/);

		await backend.rawQuery(config, `UPDATE hitl_review_state SET state = 'not json'`);
		await expect(store.getReviewState({ executionId: 'e1', nodeName: 'Approval' })).rejects.toThrow(/table hitl_review_state .*column state .*is not valid JSON/);
		await backend.rawQuery(config, `UPDATE hitl_gate_state SET state = '{"n":'`);
		await expect(store.getGateState('drift:w')).rejects.toThrow(/table hitl_gate_state .*column state/);
		await backend.rawQuery(config, `UPDATE hitl_audit SET detail = '{oops'`);
		await expect(store.listAudit()).rejects.toThrow(/table hitl_audit .*column detail .*is not valid JSON/);
	});

	describe('maintained aggregates', () => {
		const HOUR = 3_600_000;
		const START = Date.parse('2026-10-01T00:00:00.000Z');
		/** 12,000 decisions about 100 s apart: 14 days, several hours and days for every window to cut. */
		const stream = () => {
			const random = seededRandom(16);
			return Array.from({ length: 12_000 }, (_, index) => {
				const record = syntheticDecision(random, 1, index * 50, START);
				// A second model and some time on the page, so filters and rubber stamps have something to split.
				const model = index % 3 === 0 ? 'other-model' : record.model;
				const reviewers = record.reviewers.map((vote, at) => (index % 4 === 0 ? { ...vote, timeOnPageMs: 1_000 + ((index + at) % 9) * 700 } : vote));
				return { ...record, model, reviewers, ruleIds: index % 7 === 0 ? ['pii.email', 'disclosure.apr'] : record.ruleIds };
			});
		};
		/** The same figures read row by row (exact percentiles): a filter on ids is something the aggregates do not answer. */
		const rowByRow = (filter: DecisionFilter) => ({ ...filter, afterId: '0' });
		const sortOutcomes = (stats: DecisionStats) => [...stats.outcomes].sort((a, b) => JSON.stringify([a.route, a.decision, a.sampledForAudit]).localeCompare(JSON.stringify([b.route, b.decision, b.sampledForAudit])));
		const withinOnePercent = (approximate: number | null, exact: number | null) => {
			expect(approximate === null).toBe(exact === null);
			if (approximate !== null && exact !== null) expect(Math.abs(approximate - exact)).toBeLessThanOrEqual(0.01 * exact + 0.5);
		};
		const expectSameFigures = (fast: DecisionStats, exact: DecisionStats) => {
			expect(fast.total).toBe(exact.total);
			const roundedCost = (outcome: OutcomeCount) => ({ ...outcome, costUsd: Math.round(outcome.costUsd * 1e9) });
			expect(sortOutcomes(fast).map(roundedCost)).toEqual(sortOutcomes(exact).map(roundedCost));
			expect(fast.timeToDecision.count).toBe(exact.timeToDecision.count);
			withinOnePercent(fast.timeToDecision.p50Ms, exact.timeToDecision.p50Ms);
			withinOnePercent(fast.timeToDecision.p90Ms, exact.timeToDecision.p90Ms);
			const withoutMedian = (reviewer: ReviewerStats) => ({ ...reviewer, medianDecisionMs: null });
			expect(fast.reviewers.map(withoutMedian)).toEqual(exact.reviewers.map(withoutMedian));
			fast.reviewers.forEach((reviewer, index) => withinOnePercent(reviewer.medianDecisionMs, exact.reviewers[index].medianDecisionMs));
			expect(fast.rules).toEqual(exact.rules);
			expect(fast.overrideOverTime).toEqual(exact.overrideOverTime);
			const bins = (stats: DecisionStats) => [...stats.confidenceBins].sort((a, b) => `${a.model}/${a.percent}`.localeCompare(`${b.model}/${b.percent}`));
			const countsOnly = (bin: ConfidenceBin) => ({ ...bin, sumConfidence: 0, sumSquaredError: 0 });
			expect(bins(fast).map(countsOnly)).toEqual(bins(exact).map(countsOnly));
			bins(fast).forEach((bin, index) => {
				// Sums of floating-point values added in another order: equal to the last few bits.
				expect(bin.sumConfidence).toBeCloseTo(bins(exact)[index].sumConfidence, 9);
				expect(bin.sumSquaredError).toBeCloseTo(bins(exact)[index].sumSquaredError, 9);
			});
		};
		/** Every row of the aggregate tables, sorted; floating-point sums apart (added in another order, equal to the last bits). */
		const aggregateRows = async (config: StoreConfig) => {
			const tables = ['outcomes', 'reviewers', 'histograms', 'confidence', 'reviewers_hourly', 'histograms_hourly', 'confidence_hourly'];
			return Promise.all(
				tables.map(async (table) =>
					(await backend.rawQuery(config, `SELECT * FROM hitl_agg_${table}`))
						.map((row) => {
							const exact = Object.entries(row).filter(([, value]) => !(typeof value === 'number' && !Number.isInteger(value)));
							const floats = Object.entries(row).filter(([, value]) => typeof value === 'number' && !Number.isInteger(value));
							return { table, exact: JSON.stringify(exact.map(([column, value]) => [column, String(value)])), floats: Object.fromEntries(floats) as Record<string, number> };
						})
						.sort((a, b) => (a.exact < b.exact ? -1 : a.exact > b.exact ? 1 : 0)),
				),
			);
		};
		const expectSameRows = (actual: Awaited<ReturnType<typeof aggregateRows>>, expected: Awaited<ReturnType<typeof aggregateRows>>) => {
			expect(actual.map((table) => table.map((row) => row.exact))).toEqual(expected.map((table) => table.map((row) => row.exact)));
			actual.forEach((table, t) =>
				table.forEach((row, r) => {
					for (const [column, value] of Object.entries(expected[t][r].floats)) expect(row.floats[column]).toBeCloseTo(value, 9);
				}),
			);
		};
		const at = (ms: number) => new Date(ms).toISOString();
		const windows: [string, DecisionFilter, StatsOptions][] = [
			['the whole table', {}, STATS_OPTIONS],
			['a window that cuts days and hours, per hour', { since: at(START + 2.3 * 86_400_000 + 0.4 * HOUR), until: at(START + 9.7 * 86_400_000 + 0.25 * HOUR) }, { rubberStampMs: 5000, bucketMs: HOUR }],
			['less than a day, one model, weekly', { since: at(START + 3 * 86_400_000 + 5.5 * HOUR), until: at(START + 3 * 86_400_000 + 17.2 * HOUR), model: 'other-model' }, { rubberStampMs: 3000, bucketMs: 7 * 86_400_000 }],
			['the Calibration operation (no rubber stamps), one workflow', { since: at(START + 86_400_000 + 1), workflowId: 'workflow-1' }, { rubberStampMs: 0, bucketMs: 86_400_000 }],
			['until a whole hour, from the start', { until: at(START + 5 * 86_400_000 + 7 * HOUR) }, STATS_OPTIONS],
			['whole hours inside one day', { since: at(START + 4 * 86_400_000 + 2 * HOUR), until: at(START + 4 * 86_400_000 + 9 * HOUR) }, { rubberStampMs: 5000, bucketMs: HOUR }],
		];

		test('Metrics and Calibration figures from the aggregates equal the row-by-row figures (percentiles within 1 %)', async () => {
			const store = await open();
			await store.recordDecisions(stream());
			for (const [, filter, options] of windows) expectSameFigures(await store.decisionStats(filter, options), await store.decisionStats(rowByRow(filter), options));
			// An empty window, and one before the first decision.
			expect((await store.decisionStats({ since: at(START - 86_400_000), until: at(START - 1000) }, STATS_OPTIONS)).total).toBe(0);
		});

		test('a window that cuts days reads only the part of an hour at each end from the decision rows', async () => {
			const config = await backend.fresh();
			const store = await open(config);
			await store.recordDecisions(stream());
			const since = START + 2.3 * 86_400_000 + 0.4 * HOUR;
			const until = START + 9.7 * 86_400_000 + 0.25 * HOUR;
			const window = { since: at(since), until: at(until) };
			const before = await store.decisionStats(window, STATS_OPTIONS);
			// Take away, behind the store's back, the decision rows of the whole hours between the
			// window's edges and its whole days: figures read from the aggregates do not change.
			const wholeHours = [
				[Math.ceil(since / HOUR) * HOUR, Math.ceil(since / 86_400_000) * 86_400_000],
				[Math.floor(until / 86_400_000) * 86_400_000, Math.floor(until / HOUR) * HOUR],
			];
			for (const [from, to] of wholeHours) {
				await backend.rawQuery(config, `DELETE FROM hitl_decisions WHERE recorded_ms >= ${from} AND recorded_ms < ${to}`);
			}
			expect(await store.countDecisions(window)).toBeLessThan(before.total - 1000);
			expect(await store.decisionStats(window, STATS_OPTIONS)).toEqual(before);
		});

		test('a batch with keys recorded before, keys repeated in it and sums shared by many decisions adds what a rebuild from the rows gives', async () => {
			const config = await backend.fresh();
			const store = await open(config);
			const records = stream().slice(0, 3000);
			await store.recordDecisions(records.slice(0, 1000));
			// Recording works out a batch's sums as if every row were new; here a third of the batch
			// is not: replays of recorded keys and keys given twice, with other content each time.
			const mixed = [
				...records.slice(500, 1000).map((record) => ({ ...record, decision: 'rejected' as const, costUsd: 5 })),
				...records.slice(1000, 3000),
				...records.slice(2000, 2300).map((record) => ({ ...record, decision: 'approved' as const, timeToDecisionMs: 1 })),
			];
			const outcomes = await store.recordDecisions(mixed);
			expect(outcomes.filter((outcome) => outcome.inserted)).toHaveLength(2000);
			const sums = await aggregateRows(config);
			expect(sums.reduce((n, table) => n + table.length, 0)).toBeGreaterThan(1000);
			expect(await store.rebuildAggregates()).toBe(3000);
			expectSameRows(await aggregateRows(config), sums);
			for (const [, filter, options] of windows) expectSameFigures(await store.decisionStats(filter, options), await store.decisionStats(rowByRow(filter), options));
		});

		test('the daily rows are summed from the hours once a later day is recorded; a decision recorded late for a summed day is in its day at once', async () => {
			const config = await backend.fresh();
			const store = await open(config);
			const records = stream();
			// A few hours at a time, as a busy flow records: the first batch of each day sums the days before it.
			for (let start = 0; start < records.length; start += 400) await store.recordDecisions(records.slice(start, start + 400));
			const newestDay = Math.floor(Math.max(...records.map((record) => Date.parse(record.recordedAt))) / 86_400_000) * 86_400_000;
			const mark = async () => Number((await backend.rawQuery(config, 'SELECT summed_before_ms FROM hitl_agg_days'))[0].summed_before_ms);
			expect(await mark()).toBe(newestDay);
			const kinds = [
				['reviewers', 'reviewer_id, name_key'],
				['histograms', 'metric, group_key, bucket'],
				['confidence', 'pct'],
			];
			const scope = 'workflow_key, model_key, prompt_key';
			const dailyAndSummedHours = (kind: string, keys: string) =>
				Promise.all([
					backend.rawQuery(config, `SELECT period_ms, ${scope}, ${keys}, n FROM hitl_agg_${kind} ORDER BY period_ms, ${scope}, ${keys}`),
					backend.rawQuery(
						config,
						`SELECT (period_ms / 86400000) * 86400000 AS period_ms, ${scope}, ${keys}, SUM(n) AS n FROM hitl_agg_${kind}_hourly
						 WHERE period_ms < ${newestDay} GROUP BY 1, ${scope}, ${keys} ORDER BY 1, ${scope}, ${keys}`,
					),
				]);
			const asText = (rows: Record<string, unknown>[]) => rows.map((row) => Object.values(row).map(String).join('|'));
			for (const [kind, keys] of kinds) {
				const [daily, summed] = await dailyAndSummedHours(kind, keys);
				// Every day before the mark is the sum of its hours; no day from the mark on has daily rows.
				expect(daily.length).toBeGreaterThan(10);
				expect(asText(daily)).toEqual(asText(summed));
			}

			// A decision recorded late, for a day already summed: in that day's daily rows at once.
			const lateAt = START + 2 * 86_400_000 + 5 * HOUR;
			await store.recordDecisions([
				baseDecision({
					executionId: 'late',
					recordedAt: at(lateAt),
					requestedAt: at(lateAt - 60_000),
					reviewers: [{ id: 'late-reviewer', decision: 'approved', at: at(lateAt - 1000) }],
				}),
			]);
			expect(await mark()).toBe(newestDay);
			const lateRows = await backend.rawQuery(config, "SELECT period_ms, n FROM hitl_agg_reviewers WHERE reviewer_id = 'late-reviewer'");
			expect(lateRows.map((row) => [Number(row.period_ms), Number(row.n)])).toEqual([[START + 2 * 86_400_000, 1]]);
			for (const [kind, keys] of kinds) {
				const [daily, summed] = await dailyAndSummedHours(kind, keys);
				expect(asText(daily)).toEqual(asText(summed));
			}

			// Windows before, across and after the mark: the same figures as row by row; a rebuild gives the same rows.
			const acrossTheMark: [string, DecisionFilter, StatsOptions][] = [
				['across the mark', { since: at(newestDay - 1.6 * 86_400_000), until: at(newestDay + 7.3 * HOUR) }, STATS_OPTIONS],
				['after the mark, open-ended', { since: at(newestDay + 2 * HOUR) }, { rubberStampMs: 5000, bucketMs: HOUR }],
			];
			for (const [, filter, options] of [...windows, ...acrossTheMark]) {
				expectSameFigures(await store.decisionStats(filter, options), await store.decisionStats(rowByRow(filter), options));
			}
			const sums = await aggregateRows(config);
			expect(await store.rebuildAggregates()).toBe(records.length + 1);
			expect(await mark()).toBe(newestDay);
			expectSameRows(await aggregateRows(config), sums);

			// A restore that lost the mark's row: recording fails saying what to do, and the rebuild puts it back.
			await backend.rawQuery(config, 'DELETE FROM hitl_agg_days');
			await expect(store.recordDecisions([baseDecision({ executionId: 'after-restore' })])).rejects.toThrow('hitl_agg_days has lost its row (a partial restore?): run the rebuild command');
			expect(await store.countDecisions()).toBe(records.length + 1);
			expect(await store.rebuildAggregates()).toBe(records.length + 1);
			expect(await mark()).toBe(newestDay);
			expectSameRows(await aggregateRows(config), sums);
		});

		test('writers recording at once across day boundaries leave the rows a rebuild gives', async () => {
			const config = await backend.fresh();
			const store = await open(config);
			const writers = [0, 1, 2, 3];
			// 600 decisions each, 5 minutes apart (two days), in batches of 30: the writers cross each
			// day together, so several want to sum the same days while others add to their hours.
			if (backend.name === 'embedded') {
				const script = join(__dirname, 'fixtures', 'concurrentWriter.js');
				await Promise.all(writers.map((writer) => run(process.execPath, [script, JSON.stringify(config), String(writer), '600', '30', '150'])));
			} else {
				await Promise.all(
					writers.map(async (writer) => {
						const random = seededRandom(1000 + writer);
						const records = Array.from({ length: 600 }, (_, index) => syntheticDecision(random, writer, index * 150));
						for (let start = 0; start < records.length; start += 30) await store.recordDecisions(records.slice(start, start + 30));
					}),
				);
			}
			expect(await store.countDecisions()).toBe(2400);
			const sums = await aggregateRows(config);
			expect(sums[1].length).toBeGreaterThan(0); // daily reviewer rows: days were summed
			expect(await store.rebuildAggregates()).toBe(2400);
			expectSameRows(await aggregateRows(config), sums);
		});

		test('batched retention keeps the aggregates consistent, lets recording in between, and a rebuild gives the same figures', async () => {
			const config = await backend.fresh();
			const store = await open(config);
			const records = stream();
			await store.recordDecisions(records);
			const cutoff = START + 10 * 86_400_000 + 0.5 * HOUR;
			const expected = records.filter((record) => Date.parse(record.recordedAt) < cutoff).length;
			expect(expected).toBeGreaterThan(5000); // more than one batch

			const order: string[] = [];
			const purge = store.deleteOlderThan(at(cutoff)).then((result) => (order.push('retention'), result));
			const late = { ...baseDecision({ executionId: 'late-1', recordedAt: at(START + 13 * 86_400_000) }) };
			const recorded = store.recordDecisions([late]).then(() => order.push('record'));
			// A writer that arrives later through the event loop (as a webhook's execution does) gets its
			// turn too: node:sqlite is synchronous, so a purge that never yields would hold the loop to its end.
			const later = new Promise<void>((resolve, reject) =>
				setTimeout(() => {
					store
						.recordDecisions([{ ...late, executionId: 'late-2' }])
						.then(() => order.push('record from a timer'))
						.then(() => resolve(), reject);
				}, 0),
			);
			const [result] = await Promise.all([purge, recorded, later]);
			expect(result.decisions).toBe(expected);
			// Both records got their turn between batches.
			if (backend.name === 'embedded') expect(order).toEqual(['record', 'record from a timer', 'retention']);
			expect(await store.countDecisions()).toBe(records.length + 2 - expected);
			for (const [, filter, options] of windows) expectSameFigures(await store.decisionStats(filter, options), await store.decisionStats(rowByRow(filter), options));
			// The whole days before the cutoff lost every decision: their aggregate rows (all zero) are gone.
			const wholeDays = Math.floor(cutoff / 86_400_000) * 86_400_000;
			const periods = (await aggregateRows(config)).flat().map((row) => Number((JSON.parse(row.exact) as [string, string][]).find(([column]) => column === 'period_ms')?.[1]));
			expect(periods.length).toBeGreaterThan(100);
			expect(Math.min(...periods)).toBeGreaterThanOrEqual(wholeDays);

			// After a restore of the decision tables alone, the aggregates are stale until rebuilt.
			await backend.rawQuery(config, 'DELETE FROM hitl_agg_outcomes');
			expect((await store.decisionStats({}, STATS_OPTIONS)).total).toBe(0);
			expect(await store.rebuildAggregates()).toBe(records.length + 2 - expected);
			for (const [, filter, options] of windows) expectSameFigures(await store.decisionStats(filter, options), await store.decisionStats(rowByRow(filter), options));
		});
	});

	test('lists decisions page by page', async () => {
		const store = await open();
		const random = seededRandom(3);
		await store.recordDecisions(Array.from({ length: 25 }, (_, index) => syntheticDecision(random, 1, index)));
		const pages: number[] = [];
		let afterId: string | undefined;
		for (;;) {
			const page = await store.listDecisions({}, { limit: 10, afterId });
			if (!page.length) break;
			pages.push(page.length);
			afterId = page[page.length - 1].id;
		}
		expect(pages).toEqual([10, 10, 5]);
	});
});
