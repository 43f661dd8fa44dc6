/**
 * The Review Inbox in queue mode (issue 14): an n8n main process and an `n8n worker` on one
 * PostgreSQL and one Redis, the HITL store on PostgreSQL. The worker runs the reviews up to their
 * wait (registering them in the store); the main process serves the inbox and the review pages.
 * The same claim-and-decide flow as the single-process test runs in Chromium at phone size.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';

import { openHitlStore, type HitlStore, type PostgresStoreConfig } from '../../../nodes/shared/store';
import { launchBrowser, PHONE } from '../approval/browser';
import { draftItem } from '../approval/workflows';
import { QueueCluster } from '../queue/queueCluster';
import { claimApproveAndLateReviewer, personalInboxUrl, rowTitles } from './inboxFlow';
import { ANN, inboxCredentials, inboxWorkflow, reviews } from './workflows';

jest.setTimeout(300_000);

describe('the Review Inbox in queue mode (main + worker, PostgreSQL store)', () => {
	let cluster: QueueCluster;
	let browser: Browser;
	let store: HitlStore;
	let storeConfig: PostgresStoreConfig;
	const contexts: BrowserContext[] = [];
	const executionOf: Record<string, string> = {};

	beforeAll(async () => {
		[cluster, browser] = await Promise.all([
			QueueCluster.start({
				workflows: [inboxWorkflow, reviews.refund, reviews.urgent],
				credentials: async (postgres) => {
					storeConfig = await postgres.createDatabase('hitl_inbox_store');
					const { host, port, database, user } = storeConfig;
					return inboxCredentials({ backend: 'postgres', host, port, database, user, password: '', ssl: 'disable' });
				},
			}),
			launchBrowser(),
		]);
		store = await openHitlStore(storeConfig);
		for (const key of ['refund', 'urgent'] as const) {
			const workflow = reviews[key];
			const path = (workflow.nodes[0] as { parameters: { path: string } }).parameters.path;
			const answer = await fetch(`${cluster.main!.baseUrl}/webhook/${path}`, {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify({ items: [draftItem(`Reply for ${key}: we refund the second charge.`)] }),
				signal: AbortSignal.timeout(120_000),
			});
			expect(answer.status).toBe(200);
			executionOf[key] = String(((await answer.json()) as { executionId: string }).executionId);
			await cluster.waitForExecution(executionOf[key], ['waiting'], 120_000);
		}
	}, 900_000);

	afterAll(async () => {
		for (const context of contexts) await context.close().catch(() => undefined);
		await browser?.close();
		await store?.close();
		await cluster?.stop();
	});

	async function phonePage(): Promise<Page> {
		const context = await browser.newContext({ ...PHONE });
		contexts.push(context);
		return context.newPage();
	}

	test('the worker registered both reviews in the PostgreSQL store; the inbox on the main process lists them by priority', async () => {
		const now = new Date().toISOString();
		for (const key of ['refund', 'urgent'] as const) {
			expect((await store.pendingReviews.getPendingReview({ executionId: executionOf[key], nodeName: 'Human Approval' }, now))?.status).toBe('pending');
		}
		expect(cluster.worker!.log.join('')).toContain(`Worker started execution ${executionOf.refund}`);
		const page = await phonePage();
		await page.goto(personalInboxUrl(cluster.main!.baseUrl, ANN.id));
		expect(await rowTitles(page)).toEqual(['Legal threat', 'Refund reply']);
	});

	test('claim, refusal, approval from the inbox and the late reviewer, across main and worker', async () => {
		await claimApproveAndLateReviewer(
			{
				baseUrl: cluster.main!.baseUrl,
				store,
				newPage: phonePage,
				waitForSuccess: (executionId) => cluster.waitForExecution(executionId, ['success'], 120_000).then(() => undefined),
			},
			{ title: 'Refund reply', executionId: executionOf.refund, remaining: ['Legal threat'] },
		);
	});
});
