/**
 * The Review Inbox in a real n8n with Chromium at phone size (issue 14), and the late reviewer of
 * issue 11 defect 5: four workflows open reviews of different priorities; the inbox lists them in
 * order; Ann claims one and approves it from the inbox; Bob sees it claimed and is refused; the
 * decided review leaves the inbox and Bob, pressing Approve on the page he still had open, is told
 * who decided and how (not n8n's 409 JSON); the timed-out one shows expired; a tampered inbox link
 * is refused; 20 GETs of the inbox change nothing and start no execution.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';

import { openHitlStore, type HitlStore } from '../../../nodes/shared/store';
import { launchBrowser, PHONE } from '../approval/browser';
import { draftItem } from '../approval/workflows';
import { N8nServer } from '../n8nServer';
import { claimApproveAndLateReviewer, personalInboxUrl, row, rowTitles } from './inboxFlow';
import { ANN, BOB, inboxCredentials, inboxWorkflow, reviews } from './workflows';

jest.setTimeout(300_000);

const SCREENSHOT = path.resolve(__dirname, '..', '..', '..', 'docs', 'review-inbox.png');

describe('the Review Inbox in a real n8n and a real browser', () => {
	let n8n: N8nServer;
	let browser: Browser;
	let folder: string;
	let store: HitlStore;
	const contexts: BrowserContext[] = [];
	const executionOf: Record<string, string> = {};

	const inboxUrl = (reviewerId: string, extra = '') => personalInboxUrl(n8n.baseUrl, reviewerId, extra);

	async function phonePage(): Promise<Page> {
		const context = await browser.newContext({ ...PHONE });
		contexts.push(context);
		return context.newPage();
	}


	beforeAll(async () => {
		folder = mkdtempSync(path.join(tmpdir(), 'hitl-inbox-e2e-'));
		const storeData = { backend: 'embedded', filePath: path.join(folder, 'hitl.sqlite') };
		[n8n, browser] = await Promise.all([
			N8nServer.start({ workflows: [inboxWorkflow, ...Object.values(reviews)], credentials: inboxCredentials(storeData) }),
			launchBrowser(),
		]);
		store = await openHitlStore({ backend: 'embedded', filePath: storeData.filePath });
		// Three reviews of different priorities, and one that times out.
		for (const [key, workflow] of Object.entries(reviews)) {
			const path = (workflow.nodes[0] as { parameters: { path: string } }).parameters.path;
			const answer = await n8n.callWebhook(path, { items: [draftItem(`Reply for ${key}: we refund the second charge.`)] });
			expect(answer.status).toBe(200);
			executionOf[key] = String(((await answer.json()) as { executionId: string }).executionId);
			await n8n.waitForExecution(workflow.id, ['waiting'], { executionId: executionOf[key] });
		}
	}, 900_000);

	afterAll(async () => {
		for (const context of contexts) await context.close().catch(() => undefined);
		await browser?.close();
		await store?.close();
		await n8n?.stop();
		rmSync(folder, { recursive: true, force: true });
	});

	test('lists every pending review by priority; the timed-out one shows expired; a phone-sized page with no sideways scroll', async () => {
		// The short one times out in n8n (its wait tracker resumes it on output 0).
		await n8n.waitForExecution(reviews.short.id, ['success'], { executionId: executionOf.short, timeoutMs: 90_000 });
		const page = await phonePage();
		const response = await page.goto(inboxUrl(ANN.id));
		expect(response?.status()).toBe(200);
		expect(response?.headers()['content-security-policy']).toContain("default-src 'none'");
		expect(await rowTitles(page)).toEqual(['Legal threat', 'Refund reply', 'Short deadline', 'Audit sample']);
		await expect(row(page, 'Short deadline').innerText()).resolves.toContain('expired');
		await expect(row(page, 'Refund reply').innerText()).resolves.toMatch(/\d+ h \d+ min left|no time limit/);
		await expect(page.locator('h1').innerText()).resolves.toBe('Support review inbox');
		await expect(page.getByText('Signed in by your personal link as').innerText()).resolves.toContain(ANN.id);
		// A string, so the test needs no DOM types: how far the page is wider than the phone.
		const overflow = (await page.evaluate('document.documentElement.scrollWidth - window.innerWidth')) as number;
		expect(overflow).toBeLessThanOrEqual(0);
		// Filters: by reason, in the reviewers' words.
		await page.locator('#f-reason').selectOption('LOW_CONFIDENCE');
		await Promise.all([page.waitForURL(/reason=LOW_CONFIDENCE/), page.getByRole('button', { name: 'Filter' }).click()]);
		expect((await rowTitles(page)).length).toBe(4);
		await expect(page.locator('ul.counts').innerText()).resolves.toContain('Low confidence: 4');
	});

	test('Ann claims a review and Bob sees it claimed; Bob is refused; Ann approves it from the inbox; it leaves the inbox; Bob learns who decided', async () => {
		await claimApproveAndLateReviewer(
			{ baseUrl: n8n.baseUrl, store, newPage: phonePage, screenshot: SCREENSHOT, waitForSuccess: (executionId) => n8n.waitForExecution(reviews.refund.id, ['success'], { executionId }).then(() => undefined) },
			{ title: 'Refund reply', executionId: executionOf.refund, remaining: ['Legal threat', 'Short deadline', 'Audit sample'] },
		);
	});

	test('a tampered inbox link is refused', async () => {
		const page = await phonePage();
		const forged = inboxUrl(ANN.id).replace(encodeURIComponent(ANN.id), encodeURIComponent(BOB.id));
		const response = await page.goto(forged);
		expect(response?.status()).toBe(403);
		await expect(page.locator('main').innerText()).resolves.toContain('This link is not valid');
		expect(await page.locator('ol.queue').count()).toBe(0);
	});

	test('20 GETs of the inbox change no review, no claim, and start no execution', async () => {
		const snapshot = async () =>
			JSON.stringify(
				await Promise.all(
					Object.values(executionOf).map((executionId) => store.pendingReviews.getPendingReview({ executionId, nodeName: 'Human Approval' }, '2026-01-01T00:00:00.000Z')),
				),
			);
		const before = await snapshot();
		const executionsBefore = n8n.listExecutions(inboxWorkflow.id).length;
		for (let index = 0; index < 20; index++) {
			const answer = await fetch(index % 2 ? inboxUrl(ANN.id, '&mine=1') : inboxUrl(BOB.id));
			expect(answer.status).toBe(200);
		}
		expect(await snapshot()).toBe(before);
		expect(n8n.listExecutions(inboxWorkflow.id).length).toBe(executionsBefore);
		expect(executionsBefore).toBe(0);
	});
});
