/**
 * Queue mode figures, all from one cluster in one run (n8n main + workers on PostgreSQL and Redis,
 * the HITL store on the same PostgreSQL, the local OpenAI-compatible server in its own process):
 *
 * 1. Throughput of the "Support reply with human review" template, confident tickets, with 1 and
 *    2 workers: BENCH_BATCH tickets posted at once, timed from the first POST to the last of their
 *    executions having finished its first part (n8n's own stoppedAt). Rounds alternate
 *    1 → 2 → 1 → 2 workers (the second worker is started and stopped between them), so load on the
 *    shared machine affects both alike. The gate audits a share of confident drafts while it
 *    learns: those wait for review after the same work, and count as done when they wait.
 *    From the same rounds: the steady rate (completions per second between the 10th and 90th
 *    percentile of a round's completions) and CPU ms per ticket by process (cpuShare.ts).
 * 2. Review submitted → execution finished, with BENCH_WAITING executions waiting at Human Approval
 *    Wait and as many at n8n's own Wait node (form resume): BENCH_SAMPLES answers of each,
 *    interleaved, from the review page's POST to n8n's stoppedAt of the resumed execution.
 * 3. Resident memory (VmRSS) of the main process: idle, with the Human Approval Wait executions
 *    waiting, and with both sets waiting.
 *
 * Run: npm run build && npx jest -c bench/queue/jest.config.js
 */
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';

import { cpuMsPer, cpuSnapshot, type CpuRoles } from './cpuShare';
import { median, percentile } from '../shared/stats';
import { startFakeLlmServerProcess, type FakeLlmServerProcess } from '../../test/llm/fakeLlmServerProcess';
import { draftItem, reviewWorkflow, waitFormWorkflow } from '../../test/e2e/approval/workflows';
import { QueueCluster } from '../../test/e2e/queue/queueCluster';
import { LLM_CREDENTIAL, REVIEW_SECRET, SECRET_CREDENTIAL, STORE_CREDENTIAL, supportTemplateForQueue } from '../../test/e2e/queue/workflows';

const BATCH = Number(process.env.BENCH_BATCH ?? 100);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const WAITING = Number(process.env.BENCH_WAITING ?? 1000);
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 30);
/** Rounds of SAMPLES answers at each node (their ratios' spread is printed). */
const REVIEW_ROUNDS = Number(process.env.BENCH_REVIEW_ROUNDS ?? 3);
/** How long the model takes to answer (a hosted model takes 0.5–2 s for a short reply). */
const LLM_MS = Number(process.env.BENCH_LLM_MS ?? 800);
/** Tickets a newly started worker runs, with the other worker, before a 2-worker round is timed. */
const WORKER_WARM_UP = Number(process.env.BENCH_WORKER_WARM_UP ?? 40);
/** A directory: every n8n process writes a V8 CPU profile there when it stops (`node --cpu-prof`). */
const CPU_PROF_DIR = process.env.BENCH_CPU_PROF;

const support = supportTemplateForQueue();
const review = reviewWorkflow('hitlBenchQueueHaw', 'hitl-bench-queue-haw', { useStore: true }, { hitlStore: { id: STORE_CREDENTIAL.id, name: STORE_CREDENTIAL.name } });

/** n8n's own Wait node resumed by its form, in the Human Approval Wait workflow's shape, posted the same body. */
const waitForm = waitFormWorkflow('hitlBenchQueueWait', 'hitl-bench-queue-wait', 'HITL bench: n8n Wait (form) in queue mode');

/** Two-sided 95 % quantiles of Student's t for 1–30 degrees of freedom; beyond, 2.04 (a little wide). */
const T95 = [
	12.71, 4.3, 3.18, 2.78, 2.57, 2.45, 2.36, 2.31, 2.26, 2.23, 2.2, 2.18, 2.16, 2.14, 2.13, 2.12, 2.11, 2.1, 2.09, 2.09, 2.08, 2.07, 2.07, 2.06, 2.06,
	2.06, 2.05, 2.05, 2.05, 2.04,
];

/** "mean (low–high)": the mean of the values with its 95 % t-interval, or the value alone for one round. */
function meanInterval(values: number[]): string {
	const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
	if (values.length < 2) return mean.toFixed(2);
	const variance = values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (values.length - 1);
	const half = (T95[values.length - 2] ?? 2.04) * Math.sqrt(variance / values.length);
	return `${mean.toFixed(2)} (${(mean - half).toFixed(2)}–${(mean + half).toFixed(2)})`;
}

function rssMb(pid: number | undefined): number {
	const status = readFileSync(`/proc/${pid}/status`, 'utf8');
	return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) / 1024;
}

async function inBatches<T>(items: T[], width: number, work: (item: T) => Promise<void>): Promise<void> {
	let next = 0;
	await Promise.all(
		Array.from({ length: Math.min(width, items.length) }, async () => {
			while (next < items.length) await work(items[next++]);
		}),
	);
}

test('queue mode: throughput by workers, review → finished with 1,000 waiting, main memory', async () => {
	const llm: FakeLlmServerProcess = await startFakeLlmServerProcess({ latencyMs: LLM_MS, apiKey: 'sk-bench', models: ['gpt-4o-mini'] });
	const cluster = await QueueCluster.start({
		workflows: [support, review, waitForm],
		workers: 1,
		env: CPU_PROF_DIR ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${CPU_PROF_DIR}` } : undefined,
		credentials: async (postgres) => {
			const { host, port, database, user } = await postgres.createDatabase('hitl_store');
			return [
				{ ...STORE_CREDENTIAL, data: { backend: 'postgres', host, port, database, user, password: '', ssl: 'disable' } },
				{ ...SECRET_CREDENTIAL, data: { secret: REVIEW_SECRET } },
				{ ...LLM_CREDENTIAL, data: { apiKey: 'sk-bench', baseUrl: llm.baseUrl, organization: '', headers: '{}' } },
			];
		},
	});
	const lines: string[] = [];
	const say = (line: string) => {
		lines.push(line);
		console.log(line);
	};
	try {
		const main = cluster.main!;
		const loads: number[] = [];
		const status = async (executionIds: string[]) =>
			await cluster.query<{ id: number; status: string; stoppedAt: Date | null }>(
				'SELECT id, status, "stoppedAt" FROM execution_entity WHERE id = ANY($1::int[])',
				[executionIds.map(Number)],
			);
		const newestId = async () => Number((await cluster.query<{ max: number | null }>('SELECT max(id) AS max FROM execution_entity'))[0].max ?? 0);

		const roles = (): CpuRoles => ({
			trees: { main: [main.pid], workers: cluster.workers.map((worker) => worker.pid), 'model server': [llm.pid] },
			names: { postgres: /^postgres/, redis: /^redis/ },
			alone: { 'bench client': process.pid },
		});
		/** CPU ms per ticket by process, one entry per round and number of workers. */
		const cpuRounds: Record<1 | 2, { role: string; ms: number }[][]> = { 1: [], 2: [] };

		/** Completions per second between the 10th and the 90th percentile of the round's completions: the rate once the pipeline is full and before it drains. */
		const steadyRates: Record<1 | 2, number[]> = { 1: [], 2: [] };
		let ticket = 0;
		/**
		 * `batch` confident tickets at once; tickets per second until every execution's first part
		 * ended. A timed round also records its steady rate and CPU by process; an untimed one (a
		 * warm-up) only waits for its executions.
		 */
		const throughputRound = async (batch = BATCH, timed = true): Promise<number> => {
			const workers = cluster.workers.length as 1 | 2;
			const before = await newestId();
			const cpuBefore = timed ? cpuSnapshot(roles()) : undefined;
			const started = Date.now();
			const bodies = Array.from({ length: batch }, () => {
				const n = ticket++;
				return { ticketId: `B-${n}`, customerName: 'Dana', message: `Where is my parcel ${n}? [intent:delivery] [confidence:0.96] [reply:Your parcel ${n} left today.]` };
			});
			await Promise.all(bodies.map(async (body) => await (await main.callWebhook('support-reply', body)).text()));
			for (;;) {
				const rows = await cluster.query<{ status: string; stoppedAt: Date | null }>(
					'SELECT status, "stoppedAt" FROM execution_entity WHERE id > $1 AND "workflowId" = $2',
					[before, support.id],
				);
				const done = rows.filter((row) => (row.status === 'success' || row.status === 'waiting') && row.stoppedAt);
				if (rows.some((row) => row.status === 'error' || row.status === 'crashed')) throw new Error(`A bench execution failed: ${JSON.stringify(rows.filter((row) => row.status !== 'success' && row.status !== 'waiting'))}`);
				if (done.length === batch) {
					const finished = done.map((row) => row.stoppedAt!.getTime()).sort((a, b) => a - b);
					const rate = batch / ((finished[batch - 1] - started) / 1000);
					if (!cpuBefore) return rate;
					cpuRounds[workers].push(cpuMsPer(cpuBefore, cpuSnapshot(roles()), batch));
					loads.push(loadavg()[0]);
					const [from, to] = [Math.floor(batch * 0.1), Math.ceil(batch * 0.9) - 1];
					steadyRates[workers].push((to - from) / ((finished[to] - finished[from]) / 1000));
					return rate;
				}
				await new Promise((resolve) => setTimeout(resolve, 200));
			}
		};

		// Warm-up: node code loaded, expressions compiled, store tables created.
		await inBatches(Array.from({ length: 10 }, (_, n) => n), 5, async (n) => {
			await (await main.callWebhook('support-reply', { ticketId: `W-${n}`, customerName: 'Dana', message: 'Warm up [confidence:0.96] [intent:delivery]' })).text();
		});
		const perWorkers: Record<1 | 2, number[]> = { 1: [], 2: [] };
		// BENCH_ROUNDS=0 skips the throughput rounds (to iterate on the review figures): 2 workers from here.
		if (ROUNDS === 0) await cluster.addWorker();
		for (let round = 0; round < ROUNDS; round++) {
			perWorkers[1].push(await throughputRound());
			await cluster.addWorker();
			// The first worker is warm (it ran the warm-up and the rounds before); so is the second
			// one before it is timed: a cold worker's first executions load code, compile and fill
			// its caches, which an operator's long-running worker paid for once, long ago.
			if (WORKER_WARM_UP > 0) await throughputRound(WORKER_WARM_UP, false);
			perWorkers[2].push(await throughputRound());
			if (round < ROUNDS - 1) await cluster.removeWorker();
		}
		say(`queue mode, n8n 2.40.7: main + workers, PostgreSQL, Redis; model answers in ${LLM_MS} ms (local OpenAI-compatible server, own process)`);
		say(`machine: 2 cores shared by every process of the run (main, workers, PostgreSQL, Redis, model server) and other jobs${loads.length ? `; load average during rounds ${loads.map((load) => load.toFixed(1)).join(', ')}` : ''}`);
		if (ROUNDS > 0) {
		say(`1. support template, confident tickets, ${BATCH} at once, ${ROUNDS} rounds alternating 1 and 2 workers (10 jobs each at a time; the second worker warmed with ${WORKER_WARM_UP} tickets before its round)`);
		say(`   1 worker : ${perWorkers[1].map((value) => value.toFixed(2)).join(', ')} tickets/s`);
		say(`   2 workers: ${perWorkers[2].map((value) => value.toFixed(2)).join(', ')} tickets/s`);
		say(`   ratio 2 workers / 1 worker (medians): ${(median(perWorkers[2]) / median(perWorkers[1])).toFixed(2)}  (target >= 1.7; two cores cap what a second worker process can add)`);
		say(`   steady rate (completions per second from the 10th to the 90th percentile of a round's completions, past the ramp-up and before the drain):`);
		say(`   1 worker : ${steadyRates[1].map((value) => value.toFixed(2)).join(', ')}; 2 workers: ${steadyRates[2].map((value) => value.toFixed(2)).join(', ')}; ratio of medians ${(median(steadyRates[2]) / median(steadyRates[1])).toFixed(2)}`);
		const perRound = (rates: Record<1 | 2, number[]>) => rates[2].map((value, round) => value / rates[1][round]);
		say(`   ratio per round (each 2-worker round over the 1-worker round before it): burst ${perRound(perWorkers).map((value) => value.toFixed(2)).join(', ')}; steady ${perRound(steadyRates).map((value) => value.toFixed(2)).join(', ')}`);
		say(`   mean of the per-round ratios, 95 % t-interval (rounds taken as independent): burst ${meanInterval(perRound(perWorkers))}; steady ${meanInterval(perRound(steadyRates))}`);
		say(`   CPU ms per ticket by process (user + system, /proc), median of the rounds:`);
		for (const workers of [1, 2] as const) {
			const byRole = new Map<string, number[]>();
			for (const round of cpuRounds[workers]) for (const { role, ms } of round) byRole.set(role, [...(byRole.get(role) ?? []), ms]);
			const cells = [...byRole].map(([role, values]) => `${role} ${median(values).toFixed(1)}`);
			const total = cpuRounds[workers].map((round) => round.reduce((sum, { ms }) => sum + ms, 0));
			say(`   ${workers === 1 ? '1 worker ' : '2 workers'}: ${cells.join(', ')}; machine total ${median(total).toFixed(1)}`);
		}
		}

		// 2. and 3. BENCH_WAITING executions waiting at each node, plus the ones the samples resume.
		const rssIdle = rssMb(main.pid);
		const open = async (webhookPath: string, count: number, body: unknown) => {
			const opened: { reviewUrl: string; executionId: string }[] = [];
			await inBatches(Array.from({ length: count }, (_, n) => n), 20, async () => {
				const response = await main.callWebhook(webhookPath, body);
				const answer = (await response.json()) as { reviewUrl: string; executionId: string };
				opened.push({ reviewUrl: answer.reviewUrl, executionId: String(answer.executionId) });
			});
			for (;;) {
				const rows = await status(opened.map((entry) => entry.executionId));
				if (rows.filter((row) => row.status === 'waiting').length === count) return opened;
				const failed = rows.find((row) => row.status === 'error' || row.status === 'crashed');
				if (failed) {
					const { data } = await cluster.readExecution(String(failed.id));
					throw new Error(`Execution ${failed.id} ended ${failed.status} before waiting: ${data.resultData.error?.message ?? 'no error recorded'} (at ${data.resultData.lastNodeExecuted ?? '?'})`);
				}
				await new Promise((resolve) => setTimeout(resolve, 500));
			}
		};
		const openedAt = Date.now();
		const payload = { items: [draftItem('Your parcel left today.')] };
		const reviews = await open('hitl-bench-queue-haw', WAITING + SAMPLES * REVIEW_ROUNDS, payload);
		const rssReviews = rssMb(main.pid);
		const waits = await open('hitl-bench-queue-wait', WAITING + SAMPLES * REVIEW_ROUNDS, payload);
		const rssBoth = rssMb(main.pid);
		const openedSeconds = (Date.now() - openedAt) / 1000;

		const finishedAt = async (executionId: string): Promise<number> => {
			for (;;) {
				const [row] = await status([executionId]);
				if (row?.status === 'success' && row.stoppedAt) return row.stoppedAt.getTime();
				if (row && row.status !== 'waiting' && row.status !== 'running' && row.status !== 'new') throw new Error(`Execution ${executionId}: ${row.status}`);
				await new Promise((resolve) => setTimeout(resolve, 20));
			}
		};
		const approveRound = async ({ reviewUrl, executionId }: { reviewUrl: string; executionId: string }) => {
			const html = await (await fetch(reviewUrl)).text();
			const token = /name="token" value="([^"]+)"/.exec(html)![1];
			const pressed = Date.now();
			const response = await fetch(reviewUrl, {
				method: 'POST',
				headers: { 'content-type': 'application/x-www-form-urlencoded' },
				body: new URLSearchParams({ token, action: 'approve', text_0: 'Your parcel left today.' }),
			});
			if (response.status !== 200) throw new Error(`Approve answered ${response.status}`);
			await response.text();
			return (await finishedAt(executionId)) - pressed;
		};
		const waitRound = async ({ reviewUrl, executionId }: { reviewUrl: string; executionId: string }) => {
			await (await fetch(reviewUrl)).text();
			const form = new FormData();
			form.set('field-0', 'approve');
			const pressed = Date.now();
			const response = await fetch(reviewUrl, { method: 'POST', body: form });
			if (response.status >= 400) throw new Error(`Wait form answered ${response.status}`);
			await response.text();
			return (await finishedAt(executionId)) - pressed;
		};
		// REVIEW_ROUNDS rounds of SAMPLES answers each, interleaved: the spread of the per-round ratios
		// says how much of a difference one round can show by load alone.
		const approvalRounds: number[][] = [];
		const waitRounds: number[][] = [];
		for (let round = 0; round < REVIEW_ROUNDS; round++) {
			const approval: number[] = [];
			const wait: number[] = [];
			for (let sample = round * SAMPLES; sample < (round + 1) * SAMPLES; sample++) {
				approval.push(await approveRound(reviews[sample]));
				wait.push(await waitRound(waits[sample]));
			}
			approvalRounds.push(approval);
			waitRounds.push(wait);
		}
		const approval = approvalRounds.flat();
		const wait = waitRounds.flat();
		const [{ waiting }] = await cluster.query<{ waiting: string }>("SELECT count(*) AS waiting FROM execution_entity WHERE status = 'waiting'");
		const row = (name: string, values: number[]) => `   ${name.padEnd(34)} ${String(percentile(values, 50)).padStart(7)} ${String(percentile(values, 90)).padStart(7)}`;
		const ratio = (p: number, round: number) => percentile(approvalRounds[round], p) / percentile(waitRounds[round], p);
		const rounds = approvalRounds.map((_values, round) => round);
		const spread = (p: number) => `${Math.min(...rounds.map((round) => ratio(p, round))).toFixed(2)}–${Math.max(...rounds.map((round) => ratio(p, round))).toFixed(2)}`;
		say(`2. review submitted -> execution finished, ${REVIEW_ROUNDS} rounds of ${SAMPLES} answers each, interleaved; ${WAITING} + ${WAITING} executions kept waiting (${waiting} waiting at the end; opening them took ${openedSeconds.toFixed(0)} s), 2 workers, load average ${loadavg()[0].toFixed(1)}`);
		say(`   both workflows: Webhook → Respond → Split Out → (Human Approval Wait | n8n Wait, On Form Submitted) → No Op, the same posted item`);
		say(`   ${'node, all rounds'.padEnd(34)} ${'p50 ms'.padStart(7)} ${'p90 ms'.padStart(7)}`);
		say(row('Human Approval Wait (review page)', approval));
		say(row('n8n Wait (On Form Submitted)', wait));
		say(`   ratio Human Approval Wait / Wait, all rounds: median ${(percentile(approval, 50) / percentile(wait, 50)).toFixed(2)}, p90 ${(percentile(approval, 90) / percentile(wait, 90)).toFixed(2)}  (target <= 1.1)`);
		say(`   per round: median ${rounds.map((round) => ratio(50, round).toFixed(2)).join(', ')} (spread ${spread(50)}); p90 ${rounds.map((round) => ratio(90, round).toFixed(2)).join(', ')} (spread ${spread(90)})`);
		say(`3. main process resident memory (VmRSS): idle ${rssIdle.toFixed(0)} MB; with ${WAITING + SAMPLES * REVIEW_ROUNDS} reviews waiting ${rssReviews.toFixed(0)} MB; with ${WAITING + SAMPLES * REVIEW_ROUNDS} n8n Wait forms waiting as well ${rssBoth.toFixed(0)} MB`);
		expect(approval).toHaveLength(SAMPLES * REVIEW_ROUNDS);
	} finally {
		await cluster.stop();
		await llm.close();
	}
});
