/**
 * Review Inbox benchmark (issue 14): the inbox with 10,000 pending reviews (100 workflows) on the
 * embedded (SQLite) and the PostgreSQL back end, each as a ratio to a baseline measured on the
 * same database in the same run:
 * - render: everything a GET of the inbox does (the first 50 rows, the total, the counts per
 *   reason, the workflow list, the audit line, the HTML) against one bare indexed
 *   `SELECT * ... WHERE status = 'pending' ORDER BY priority DESC, deadline, age LIMIT 50`;
 * - claim: `claimReview` (the compare-and-set UPDATE; who holds it is read only when it lost)
 *   against one bare conditional `UPDATE ... WHERE claimed_by IS NULL` of another row.
 * Median of the runs (wall time; on the embedded store also this thread's CPU time) after a warm-up
 * of each side; the two sides alternate which goes first. Flags: --backends=embedded,postgres
 * --runs=21 --warmup=200
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

import { serveInbox, type InboxSettings } from '../../nodes/ReviewInbox/serveInbox';
import { linkHash } from '../../nodes/shared/reviewInboxLinks';
import { sealReviewUrl, signInboxReviewer } from '../../nodes/shared/reviewSignatures';
import { openHitlStore, type HitlStore, type PendingReviewRecord, type StoreConfig } from '../../nodes/shared/store';
import { PostgresDriver } from '../../nodes/shared/store/postgresDriver';
import type { SqlDriver } from '../../nodes/shared/store/sqlDriver';
import { SqliteDriver } from '../../nodes/shared/store/sqliteDriver';
import { startPostgres, type TestPostgres } from '../../test/support/postgres';
import { seededRandom } from '../../test/unit/store/fixtures/decisions';
import { median } from '../shared/stats';

const REVIEWS = 10_000;
const WORKFLOWS = 100;
const SECRET = 'bench-review-secret-0123456789abcdef';
const REASONS = ['LOW_CONFIDENCE', 'COMPLIANCE_REVIEW', 'RISK_FLAG', 'AUDIT_SAMPLE', 'NOT_LEARNED', 'COMPLIANCE_BLOCK'];
const INTENTS = ['refund', 'shipping', 'billing', 'account', 'complaint'];
const BARE_PAGE =
	"SELECT * FROM hitl_pending_reviews WHERE status = 'pending' ORDER BY priority DESC, deadline_sort_ms ASC, requested_ms ASC LIMIT 50";

function flag(name: string, fallback: string): string {
	const given = process.argv.find((arg) => arg.startsWith(`--${name}=`));
	return given ? given.slice(name.length + 3) : fallback;
}

function review(index: number, random: () => number, now: number): PendingReviewRecord {
	const executionId = String(100_000 + index);
	const workflow = index % WORKFLOWS;
	const reasons = [REASONS[Math.floor(random() * REASONS.length)], ...(random() < 0.3 ? ['LOW_CONFIDENCE'] : [])];
	const hasDeadline = random() < 0.8;
	return {
		executionId,
		nodeName: 'Human Approval Wait',
		nodeId: `node-${workflow}`,
		workflowId: `wf-${workflow}`,
		workflowName: `Workflow ${workflow}`,
		title: `Review the reply #${index}`,
		items: [
			{
				caseId: `case-${index}`,
				summary: 'Hi, I was charged twice for my order and would like the second charge refunded, please.',
				reasons: [...new Set(reasons)],
				confidence: Math.round(random() * 100) / 100,
				intent: INTENTS[Math.floor(random() * INTENTS.length)],
				riskFlags: [],
			},
		],
		requestedAt: new Date(now - Math.floor(random() * 86_400_000)).toISOString(),
		...(hasDeadline ? { deadline: new Date(now + Math.floor(random() * 2 * 86_400_000)).toISOString() } : {}),
		reviewerMode: 'named',
		reviewers: [
			{ id: 'ann@example.com', name: 'Ann' },
			{ id: `r${index % 7}@example.com`, name: `Reviewer ${index % 7}` },
		],
		priority: 1 + Math.floor(random() * 4),
		sealedLink: sealReviewUrl(SECRET, `http://n8n.test/webhook-waiting/${executionId}?signature=t${index}`),
		resumeBase: `http://n8n.test/webhook-waiting/${executionId}`,
		linkHash: linkHash(executionId, `t${index}`),
	};
}

function threadCpuMs(): number {
	const usage = process.threadCpuUsage();
	return (usage.user + usage.system) / 1000;
}

async function time(work: () => Promise<unknown>): Promise<number> {
	const start = performance.now();
	await work();
	return performance.now() - start;
}

/**
 * CPU time of `a` over CPU time of `b`, each run `blocks * perBlock` times in alternating blocks.
 * The kernel counts CPU time in ticks, so single calls cannot be timed this way; blocks can.
 */
async function cpuRatio(a: (index: number) => Promise<unknown>, b: (index: number) => Promise<unknown>, blocks = 10, perBlock = 40): Promise<number> {
	let cpuA = 0;
	let cpuB = 0;
	for (let block = 0; block < blocks; block++) {
		for (const [work, add] of [
			[a, (ms: number) => (cpuA += ms)],
			[b, (ms: number) => (cpuB += ms)],
		] as const) {
			const start = threadCpuMs();
			for (let index = 0; index < perBlock; index++) await work(block * perBlock + index);
			add(threadCpuMs() - start);
		}
	}
	return cpuA / cpuB;
}

async function measure(name: string, config: StoreConfig, driver: SqlDriver, runs: number, warmup: number): Promise<string[]> {
	const store: HitlStore = await openHitlStore(config);
	try {
		const random = seededRandom(14);
		const now = Date.parse('2026-12-02T09:00:00.000Z');
		const seedStart = performance.now();
		await driver.transaction(async () => undefined); // the driver's connection is up
		for (let index = 0; index < REVIEWS; index++) await store.pendingReviews.registerPendingReview(review(index, random, now));
		const seedSeconds = (performance.now() - seedStart) / 1000;
		if (config.backend === 'postgres') await driver.run('ANALYZE hitl_pending_reviews');

		const settings: InboxSettings = {
			title: 'Review inbox',
			inboxUrl: 'http://n8n.test/webhook/review-inbox',
			path: 'review-inbox',
			nodeName: 'Review Inbox',
			access: 'personal',
			secret: SECRET,
			claimMinutes: 15,
			pageSize: 50,
		};
		const query = { reviewer: 'ann@example.com', isig: signInboxReviewer(SECRET, 'review-inbox', 'ann@example.com') };
		const render = () => serveInbox(store, settings, { method: 'GET', query, now: new Date(now).toISOString() });
		const bare = () => driver.query(BARE_PAGE);
		// Warm both (statement caches, pages in memory, and V8's optimized code: an n8n process serves
		// the inbox many times, and a median of barely warmed GETs measured V8's first tiers).
		for (let index = 0; index < warmup; index++) {
			await render();
			await bare();
		}
		const renderMs: number[] = [];
		const bareMs: number[] = [];
		// The same bare SELECT the way the inbox runs its own statements (rows as arrays; on PostgreSQL a
		// named, prepared statement): the stricter baseline, printed beside the target's.
		const bareArrays = () => driver.queryArrays(BARE_PAGE);
		const bareArraysMs: number[] = [];
		for (let index = 0; index < warmup; index++) await bareArrays();
		for (let run = 0; run < runs; run++) {
			if (run % 2) {
				renderMs.push(await time(render));
				bareMs.push(await time(bare));
				bareArraysMs.push(await time(bareArrays));
			} else {
				bareArraysMs.push(await time(bareArrays));
				bareMs.push(await time(bare));
				renderMs.push(await time(render));
			}
		}

		const bareUpdate = (executionId: string) =>
			driver.run(
				`UPDATE hitl_pending_reviews SET claimed_by = ?, claimed_ms = ?, claim_expires_ms = ?
				 WHERE execution_id = ? AND node_name = ? AND status = 'pending' AND claimed_by IS NULL`,
				['ann@example.com', now, now + 900_000, executionId, 'Human Approval Wait'],
			);
		const claimMs: number[] = [];
		const updateMs: number[] = [];
		const at = new Date(now).toISOString();
		for (let run = 0; run < runs; run++) {
			const claimKey = { executionId: String(100_000 + run * 2), nodeName: 'Human Approval Wait' };
			const bareKey = String(100_000 + run * 2 + 1);
			const claim = () => store.pendingReviews.claimReview(claimKey, { reviewerId: 'ann@example.com', reviewerName: 'Ann', now: at, ttlMs: 900_000 });
			const update = () => bareUpdate(bareKey);
			if (run % 2) {
				claimMs.push(await time(claim));
				updateMs.push(await time(update));
			} else {
				updateMs.push(await time(update));
				claimMs.push(await time(claim));
			}
		}
		const r = median(renderMs);
		const b = median(bareMs);
		const c = median(claimMs);
		const u = median(updateMs);
		const ba = median(bareArraysMs);
		// On the embedded store all the work is on this thread, so its CPU time is the cost without
		// the other processes of a busy machine; PostgreSQL's work is in its server.
		let cpu = `${'-'.padStart(10)} ${'-'.padStart(10)}`;
		if (config.backend === 'embedded') {
			const renderCpu = await cpuRatio(render, bare);
			const claimAt = (index: number) => ({ executionId: String(100_000 + 1_000 + index * 2), nodeName: 'Human Approval Wait' });
			// A claim takes about 10 µs: blocks of 400, so that each block spans several ticks.
			const claimCpu = await cpuRatio(
				(index) => store.pendingReviews.claimReview(claimAt(index), { reviewerId: 'ann@example.com', reviewerName: 'Ann', now: at, ttlMs: 900_000 }),
				(index) => bareUpdate(String(100_000 + 1_000 + index * 2 + 1)),
				10,
				400,
			);
			cpu = `${renderCpu.toFixed(2).padStart(9)}x ${claimCpu.toFixed(2).padStart(9)}x`;
		}
		return [
			`${name.padEnd(9)} ${String(REVIEWS).padStart(7)} ${seedSeconds.toFixed(1).padStart(7)} ${r.toFixed(2).padStart(9)} ${b.toFixed(2).padStart(8)} ${(r / b).toFixed(2).padStart(7)}x ${c.toFixed(2).padStart(8)} ${u.toFixed(2).padStart(8)} ${(c / u).toFixed(2).padStart(7)}x ${cpu} ${ba.toFixed(2).padStart(11)} ${(r / ba).toFixed(2).padStart(9)}x`,
		];
	} finally {
		await store.close();
	}
}

async function main(): Promise<void> {
	const backends = flag('backends', 'embedded,postgres').split(',');
	const runs = Number(flag('runs', '21'));
	const warmup = Number(flag('warmup', '200'));
	const lines = [
		'back end  reviews  seed s  render ms  bare ms  render/bare  claim ms  update ms  claim/update  cpu render  cpu claim  bare arr ms  render/arr',
	];
	if (backends.includes('embedded')) {
		const dir = mkdtempSync(join(tmpdir(), 'hitl-bench-inbox-'));
		const filePath = join(dir, 'inbox.sqlite');
		const config: StoreConfig = { backend: 'embedded', filePath };
		await (await openHitlStore(config)).close(); // create the schema
		const driver = new SqliteDriver({ filePath, busyTimeoutMs: 10_000 });
		try {
			lines.push(...(await measure('embedded', config, driver, runs, warmup)));
		} finally {
			await driver.close();
			rmSync(dir, { recursive: true, force: true });
		}
	}
	if (backends.includes('postgres')) {
		let server: TestPostgres | undefined;
		try {
			server = await startPostgres();
			const config = await server.createDatabase(`hitl_bench_inbox_${process.pid}`);
			await (await openHitlStore(config)).close();
			const driver = new PostgresDriver(config);
			try {
				lines.push(...(await measure('postgres', config, driver, runs, warmup)));
			} finally {
				await driver.close();
			}
		} finally {
			await server?.stop();
		}
	}
	console.log(lines.join('\n'));
	console.log('render/bare = median time of a whole inbox GET (50 rows, total, counts per reason, workflows, audit line, HTML) / a bare indexed SELECT ... ORDER BY ... LIMIT 50;');
	console.log('claim/update = median time of claimReview (one conditional UPDATE; the holder is read only when it lost) / a bare conditional UPDATE; same database, same run.');
	console.log('cpu render, cpu claim = the same ratios of this thread\'s CPU time (embedded only: there all the work is in this process).');
	console.log('bare arr, render/arr = the bare SELECT read as the inbox reads its own (rows as arrays; on PostgreSQL a named, prepared statement), and render against it.');
}

main().catch((error: unknown) => {
	console.error(error);
	process.exitCode = 1;
});
