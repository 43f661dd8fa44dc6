/**
 * Queue mode, the way installations outgrow one machine: an n8n main process and an `n8n worker`
 * on one PostgreSQL (n8n's database) and one Redis (the Bull queue), each loading this package
 * from its own community-nodes folder. A draft routed to review waits for two named reviewers;
 * the first approval is kept in the PostgreSQL HITL store between the two requests, the second
 * resumes the execution, and the Feedback Log's row lands in the same store.
 *
 * Where things run: the main process receives the webhook and the review form posts (n8n's
 * /form-waiting route calls the node's webhook() there) and enqueues the execution; the worker
 * runs it, both the first part (up to the wait) and the resumed part. The logs say so: the main
 * logs "Enqueued execution <id>", the worker "Worker started execution <id>".
 */
import { Pool } from 'pg';

import { personalLink, signReviewer } from '../../../nodes/HumanApprovalWait/reviewerLinks';
import type { PostgresStoreConfig } from '../../../nodes/shared/store/types';
import { draftItem } from '../approval/workflows';
import { outputItems } from '../n8nServer';
import { QueueCluster } from './queueCluster';
import { formFields } from './reviewForm';
import { APPROVAL_NODE, LOG_NODE, queueReview, REVIEW_SECRET, REVIEWERS, SECRET_CREDENTIAL, STORE_CREDENTIAL } from './workflows';

const DRAFT = 'Hi Dana, the second charge on order A-1001 is refunded; you will see it within 5 business days.';

/** How often a line with `text` appears in a process's log. */
const count = (log: string[], text: string) => log.join('').split(text).length - 1;

describe('queue mode: n8n main + worker on PostgreSQL and Redis', () => {
	let cluster: QueueCluster;
	let storeConfig: PostgresStoreConfig;
	let store: Pool;

	beforeAll(async () => {
		cluster = await QueueCluster.start({
			workflows: [queueReview],
			credentials: async (postgres) => {
				storeConfig = await postgres.createDatabase('hitl_store');
				const { host, port, database, user } = storeConfig;
				return [
					{ ...STORE_CREDENTIAL, data: { backend: 'postgres', host, port, database, user, password: '', ssl: 'disable' } },
					{ ...SECRET_CREDENTIAL, data: { secret: REVIEW_SECRET } },
				];
			},
		});
		const { host, port, database, user } = storeConfig;
		store = new Pool({ host, port, database, user, max: 2 });
	}, 900_000);

	afterAll(async () => {
		await store?.end();
		await cluster?.stop();
	});

	test('the worker runs a review to its end; the partial answer and the decision live in the PostgreSQL store', async () => {
		const main = cluster.main!;
		const worker = cluster.worker!;
		// The Respond node runs on the worker: without a worker taking jobs, the call never answers.
		const response = await fetch(`${main.baseUrl}/webhook/hitl-e2e-queue`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ items: [draftItem(DRAFT)] }),
			signal: AbortSignal.timeout(60_000),
		}).catch(async (error: Error) => {
			const executions = await cluster.listExecutions(queueReview.id);
			throw new Error(`The webhook did not answer (${error.message}); executions: ${JSON.stringify(executions)}. Is a worker taking jobs?`);
		});
		expect(response.status).toBe(200);
		const { reviewUrl, executionId, route } = (await response.json()) as { reviewUrl: string; executionId: string; route: string };
		const id = String(executionId);
		expect(route).toBe('review');
		expect(reviewUrl).toMatch(new RegExp(`/form-waiting/${id}\\?signature=`));

		const waiting = await cluster.waitForExecution(id, ['waiting', 'error', 'crashed']);
		expect(waiting.data.resultData.error?.message).toBeUndefined();
		expect(waiting.status).toBe('waiting');
		const [gated] = outputItems(waiting, 'Confidence Gate', 1);
		// The gate read what reviewers decided from the PostgreSQL store: nothing yet.
		expect((gated.hitl as { gate: { reasons: { detail: string }[]; breakerOpen: boolean } }).gate).toMatchObject({
			breakerOpen: false,
			reasons: expect.arrayContaining([
				// with learning on and no evidence yet, nothing goes out alone
				{ code: 'NOT_LEARNED', detail: expect.stringMatching(/^Confidence 0\.64, but nothing goes out alone until a threshold is learned: 0 of 100 labelled drafts/) },
			]),
		});
		// The main process queued it; the worker ran it. The main runs no execution itself.
		expect(count(main.log, `Enqueued execution ${id} `)).toBe(1);
		await worker.waitForLog(`Worker started execution ${id} `);
		expect(count(main.log, 'Worker started execution')).toBe(0);
		// The worker's execute() opened the review in the store.
		const { rows: requested } = await store.query("SELECT actor FROM hitl_audit WHERE execution_id = $1 AND event = 'requested'", [id]);
		expect(requested).toEqual([{ actor: 'system' }]);

		// Notify is "none", so nothing sends the reviewers their personal links: the test signs them
		// with the review secret, as the node does for e-mail or chat.
		const answer = async (reviewerId: string) => {
			const binding = { executionId: id, nodeId: APPROVAL_NODE.id, reviewerId };
			const link = personalLink(reviewUrl, reviewerId, signReviewer(REVIEW_SECRET, binding));
			const page = await fetch(link);
			if (page.status !== 200) throw new Error(`The review page answered ${page.status}: ${await page.text()}`);
			const fields = formFields(await page.text(), 'approve');
			expect(fields.token).toMatch(/\S/);
			expect(fields.text_0).toBe(DRAFT);
			const posted = await fetch(link, {
				method: 'POST',
				headers: { 'content-type': 'application/x-www-form-urlencoded' },
				body: new URLSearchParams(fields),
			});
			expect(posted.status).toBe(200);
			return await posted.text();
		};
		const [ann, bob] = REVIEWERS.map((reviewer) => reviewer.email);

		// First approval: recorded in the PostgreSQL store, the execution keeps waiting.
		await expect(answer(ann)).resolves.toContain('Your answer is recorded');
		const { rows: partial } = await store.query<{ state: string }>(
			'SELECT state FROM hitl_review_state WHERE execution_id = $1 AND node_name = $2',
			[id, APPROVAL_NODE.name],
		);
		expect(partial).toHaveLength(1);
		expect(JSON.parse(partial[0].state)).toMatchObject({ answers: [{ reviewerId: ann, choice: 'approve', itemIndex: 0 }] });
		expect(JSON.parse(partial[0].state).finishedAt).toBeUndefined();
		await new Promise((resolve) => setTimeout(resolve, 1000));
		expect((await cluster.readExecution(id)).status).toBe('waiting');
		expect(count(worker.log, `Worker started execution ${id} `)).toBe(1);

		// Second approval: the review is decided, the main enqueues the resumed execution, the worker finishes it.
		await expect(answer(bob)).resolves.toContain('Decision recorded');
		const finished = await cluster.waitForExecution(id, ['success', 'error', 'crashed']);
		expect(finished.data.resultData.error?.message).toBeUndefined();
		expect(finished.status).toBe('success');
		const [approved] = outputItems(finished, APPROVAL_NODE.name, 1);
		expect(approved.hitl).toMatchObject({
			review: {
				decision: 'approved',
				finalText: DRAFT,
				reviewers: [
					{ id: ann, name: 'Ann Reviewer', decision: 'approved' },
					{ id: bob, name: 'Bob Reviewer', decision: 'approved' },
				],
			},
		});
		for (const output of [0, 2, 3]) expect(outputItems(finished, APPROVAL_NODE.name, output)).toEqual([]);
		const [logged] = outputItems(finished, LOG_NODE);
		const { host, port, database, user } = storeConfig;
		expect((logged.hitl as { logged?: { store: string } }).logged).toMatchObject({ store: `postgres://${user}@${host}:${port}/${database}` });

		expect(count(main.log, `Enqueued execution ${id} `)).toBe(2);
		await worker.waitForLog(`Worker finished execution ${id} `);
		expect(count(worker.log, `Worker started execution ${id} `)).toBe(2);
		expect(count(main.log, 'Worker started execution')).toBe(0);

		const { rows: decisions } = await store.query(
			'SELECT case_id, route, decision, draft_text, final_text, reviewers, workflow_id FROM hitl_decisions WHERE execution_id = $1',
			[id],
		);
		expect(decisions).toHaveLength(1);
		expect(decisions[0]).toMatchObject({
			case_id: (approved.hitl as { caseId: string }).caseId,
			route: 'review',
			decision: 'approved',
			draft_text: DRAFT,
			final_text: DRAFT,
			workflow_id: queueReview.id,
		});
		expect(JSON.parse(decisions[0].reviewers as string).map((reviewer: { id: string }) => reviewer.id)).toEqual([ann, bob]);
		const { rows: state } = await store.query<{ state: string }>('SELECT state FROM hitl_review_state WHERE execution_id = $1', [id]);
		expect(JSON.parse(state[0].state).finishedAt).toEqual(expect.any(String));
	});
});
