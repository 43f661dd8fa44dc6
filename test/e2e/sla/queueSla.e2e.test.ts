/**
 * The Review SLA Trigger in queue mode (issue 15 item 6): an n8n main process and an `n8n worker`
 * on one PostgreSQL (n8n's database and the HITL store) and one Redis.
 *
 * Where the poll runs — read from n8n 2.40.7's code, and what this test relies on:
 * - With n8n's default (legacy) trigger engine, `ActiveWorkflowManager.shouldAddNonWebhookTriggers()`
 *   is `instanceSettings.isLeader`: only the main process (the leader in multi-main) activates
 *   polling triggers; a worker never polls. It polls once at activation, then on the Poll Times
 *   cron (sub-minute crons are refused: "The polling interval is too short").
 * - What a poll emits becomes an execution that the main puts on the Bull queue; a worker runs it.
 *   (The opt-in durable scheduler, N8N_SCHEDULER_ENABLED with N8N_SCHEDULER_ENABLED_FOR_POLL_TRIGGERS,
 *   would run polls as leased jobs instead; it is off by default and not tested here.)
 *
 * So "each step once across restarts and processes" means: the steps are recorded in the HITL store
 * before they are emitted, so neither a worker killed and restarted between polls, nor the main
 * process restarted (a new poller that polls at once on activation), emits a step twice or loses
 * one. Two reviews, targets 1 and 2.5 minutes, steps `overdue` at the target and `escalated`
 * 1.5 minutes after it (each window wider than the one-minute poll):
 *   A overdue → the worker is killed (SIGKILL) and a new one started → A escalated and B overdue
 *   (run by the new worker) → the main is restarted → B escalated.
 * At the end the store holds each step once, the audit trail each once, and the executions of the
 * SLA workflow carry each step once.
 */
import { openHitlStore, type HitlStore, type PostgresStoreConfig } from '../../../nodes/shared/store';
import { draftItem, reviewWorkflow } from '../approval/workflows';
import type { CredentialFile, WorkflowFile } from '../n8nServer';
import { outputItems } from '../n8nServer';
import { QueueCluster, trace } from '../queue/queueCluster';
import { publishWorkflow } from './publishWorkflow';

jest.setTimeout(1_800_000);

const SECRET_CREDENTIAL = { id: 'hitlE2eQSlaSecr1', name: 'HITL review secret' };
const STORE_CREDENTIAL = { id: 'hitlE2eQSlaStore', name: 'HITL store (PostgreSQL)' };
const REVIEW_PATH = 'hitl-e2e-queue-sla';

const reviewFlow = reviewWorkflow(
	'hitlE2eQSlaRev01',
	REVIEW_PATH,
	{
		reviewerMode: 'named',
		reviewers: { reviewer: [{ name: 'Ann Reviewer', email: 'ann@hitl.test' }, { name: 'Bob Reviewer', email: 'bob@hitl.test' }] },
		useStore: true,
		respondWithinMinutes: '={{ $json.minutes }}',
	},
	{ hitlReviewSecretApi: SECRET_CREDENTIAL, hitlStore: STORE_CREDENTIAL },
);

const TRIGGER = 'Review SLA Trigger';
const slaFlow: WorkflowFile = {
	id: 'hitlE2eQSlaPoll1',
	name: 'HITL e2e: review SLA in queue mode',
	// Published after the start (publishWorkflow): the cluster waits for the webhooks of workflows
	// imported as published, and a polling trigger registers none.
	active: false,
	nodes: [
		{
			id: 'hitlE2eQSlaPoll1-trigger',
			name: TRIGGER,
			type: 'n8n-nodes-hitl.reviewSlaTrigger',
			typeVersion: 1,
			position: [0, 0],
			parameters: { pollTimes: { item: [{ mode: 'everyMinute' }] }, reminderPercent: 0, overdue: true, escalate: true, escalateAfterMinutes: 1.5 },
			credentials: { hitlReviewSecretApi: SECRET_CREDENTIAL, hitlStore: STORE_CREDENTIAL },
		},
		{ id: 'hitlE2eQSlaPoll1-notice', name: 'Notice', type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [240, 0], parameters: {} },
	],
	connections: { [TRIGGER]: { main: [[{ node: 'Notice', type: 'main', index: 0 }]] } },
};

interface Emitted {
	slaExecution: string;
	review: string;
	step: string;
}

describe('Review SLA Trigger in queue mode (main + worker, PostgreSQL store, Redis)', () => {
	let cluster: QueueCluster;
	let store: HitlStore;
	let storeConfig: PostgresStoreConfig;
	const review: Record<'A' | 'B', string> = { A: '', B: '' };

	beforeAll(async () => {
		cluster = await QueueCluster.start({
			workflows: [reviewFlow, slaFlow],
			credentials: async (postgres): Promise<CredentialFile[]> => {
				storeConfig = await postgres.createDatabase('hitl_queue_sla_store');
				const { host, port, database, user } = storeConfig;
				return [
					{ ...SECRET_CREDENTIAL, type: 'hitlReviewSecretApi', data: { secret: 'a-review-secret-for-the-queue-sla-test' } },
					{ ...STORE_CREDENTIAL, type: 'hitlStore', data: { backend: 'postgres', host, port, database, user, password: '', ssl: 'disable' } },
				];
			},
		});
		store = await openHitlStore(storeConfig);
		await publishWorkflow(cluster.main!, slaFlow.id);
	}, 1_200_000);

	afterAll(async () => {
		await store?.close();
		await cluster?.stop();
	});

	async function openReview(minutes: number): Promise<string> {
		const answer = await fetch(`${cluster.main!.baseUrl}/webhook/${REVIEW_PATH}`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ items: [{ ...draftItem(`A reply whose review has ${minutes} minutes.`), minutes }] }),
			signal: AbortSignal.timeout(120_000),
		});
		expect(answer.status).toBe(200);
		const executionId = String(((await answer.json()) as { executionId: string }).executionId);
		await cluster.waitForExecution(executionId, ['waiting'], 120_000);
		return executionId;
	}

	/** Every step the SLA workflow's finished executions carried, one entry per (execution, review, step). */
	async function emitted(): Promise<{ settled: boolean; steps: Emitted[] }> {
		// oldest first, so each review's steps come in the order they were emitted
		const executions = (await cluster.listExecutions(slaFlow.id)).reverse();
		const steps: Emitted[] = [];
		for (const execution of executions.filter((row) => row.status === 'success')) {
			for (const notice of outputItems(await cluster.readExecution(execution.id), TRIGGER)) {
				for (const step of notice.steps as string[]) steps.push({ slaExecution: execution.id, review: String(notice.executionId), step });
			}
		}
		return { settled: executions.every((row) => row.status === 'success'), steps };
	}

	async function waitForSteps(wanted: [keyof typeof review, string][], timeoutMs = 600_000): Promise<Emitted[]> {
		const deadline = Date.now() + timeoutMs;
		let last: Emitted[] = [];
		while (Date.now() < deadline) {
			const { steps } = await emitted();
			last = steps;
			if (wanted.every(([key, step]) => steps.some((entry) => entry.review === review[key] && entry.step === step))) return steps;
			await new Promise((resolve) => setTimeout(resolve, 2_000));
		}
		throw new Error(`SLA steps ${JSON.stringify(wanted)} not executed in ${timeoutMs / 1000}s; executed so far: ${JSON.stringify(last)}`);
	}

	const recordedSteps = async (executionId: string) => (await store.reviewSla.listSlaSteps({ executionId, nodeName: 'Human Approval' })).map((entry) => entry.step);

	test('each step once, with the worker killed and restarted and the main restarted between polls', async () => {
		review.A = await openReview(1);
		review.B = await openReview(2.5);
		trace(`queue SLA: reviews A=${review.A} B=${review.B}`);

		await waitForSteps([['A', 'overdue']]);
		// Between polls: A's overdue execution has finished, no SLA execution is running.
		expect((await emitted()).settled).toBe(true);
		trace('queue SLA: killing the worker');
		await cluster.worker!.crash();
		const replacement = await cluster.addWorker();

		const before = await waitForSteps([
			['A', 'escalated'],
			['B', 'overdue'],
		]);
		// the steps emitted while the worker was down waited on the queue for the new worker
		const ranOnReplacement = before.filter((entry) => replacement.log.join('').includes(`Worker started execution ${entry.slaExecution}`));
		expect(ranOnReplacement.length).toBeGreaterThan(0);

		trace('queue SLA: restarting the main');
		await cluster.restartMain([reviewFlow.id]);
		const all = await waitForSteps([['B', 'escalated']]);

		// Each step once: in the executions, in the store and in the audit trail.
		const perReview = (key: keyof typeof review) => all.filter((entry) => entry.review === review[key]).map((entry) => entry.step);
		expect(perReview('A')).toEqual(['overdue', 'escalated']);
		expect(perReview('B')).toEqual(['overdue', 'escalated']);
		expect(new Set(all.map((entry) => entry.slaExecution)).size).toBeGreaterThanOrEqual(2);
		expect(await recordedSteps(review.A)).toEqual(['overdue', 'escalated']);
		expect(await recordedSteps(review.B)).toEqual(['overdue', 'escalated']);
		for (const key of ['A', 'B'] as const) {
			const audit = (await store.listAudit({ executionId: review[key] })).map((entry) => entry.event).filter((event) => event.startsWith('sla'));
			expect(audit).toEqual(['slaOverdue', 'slaEscalated']);
		}
		// no SLA execution failed or was lost, and none ran on the main
		const executions = await cluster.listExecutions(slaFlow.id);
		expect(executions.map((row) => row.status).filter((status) => status !== 'success')).toEqual([]);
		const workerLogs = cluster.workers.map((worker) => worker.log.join('')).join('\n');
		for (const execution of executions) expect(workerLogs).toContain(`Worker started execution ${execution.id}`);
		trace(`queue SLA: ${executions.length} SLA executions, steps ${JSON.stringify(all)}`);
	});
});
