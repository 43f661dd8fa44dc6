/**
 * The Review Inbox in a real n8n with Chromium at phone size (issue 14), and the late reviewer of
 * issue 11 defect 5: four workflows open reviews of different priorities; the inbox lists them in
 * order; Ann claims one and approves it from the inbox; Bob sees it claimed and is refused; the
 * decided review leaves the inbox and Bob, pressing Approve on the page he still had open, is told
 * who decided and how (not n8n's 409 JSON); the timed-out one is marked expired and shown so,
 * never offered; a tampered inbox link is refused; 20 GETs of the inbox change nothing and start
 * no execution; an execution cancelled through n8n's REST API leaves the queue and shows cancelled.
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
import { decodeQuotedPrintable, SmtpListener } from '../../support/smtpListener';
import { ANN, BOB, cancelledReview, inboxCredentials, inboxWorkflow, INBOX_PATH, mailedReview, reviews } from './workflows';

jest.setTimeout(300_000);

const SCREENSHOT = path.resolve(__dirname, '..', '..', '..', 'docs', 'review-inbox.png');

describe('the Review Inbox in a real n8n and a real browser', () => {
	let n8n: N8nServer;
	let browser: Browser;
	let folder: string;
	let store: HitlStore;
	let smtp: SmtpListener;
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
		smtp = await SmtpListener.start();
		[n8n, browser] = await Promise.all([
			N8nServer.start({ workflows: [inboxWorkflow, ...Object.values(reviews), cancelledReview, mailedReview], credentials: inboxCredentials(storeData, smtp.port) }),
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
		await smtp?.stop();
		rmSync(folder, { recursive: true, force: true });
	});

	test('lists every pending review by priority; the timed-out one is marked expired and shown so, not offered; a phone-sized page with no sideways scroll', async () => {
		// The short one times out in n8n (its wait tracker resumes it on output 0).
		await n8n.waitForExecution(reviews.short.id, ['success'], { executionId: executionOf.short, timeoutMs: 90_000 });
		const page = await phonePage();
		const response = await page.goto(inboxUrl(ANN.id));
		expect(response?.status()).toBe(200);
		expect(response?.headers()['content-security-policy']).toContain("default-src 'none'");
		expect(await rowTitles(page)).toEqual(['Legal threat', 'Refund reply', 'Audit sample']);
		await expect(page.locator('ul.stopped > li', { hasText: 'Short deadline' }).innerText()).resolves.toMatch(/Short deadline · Short deadline · expired at \d{4}-\d\d-\d\d \d\d:\d\d UTC/);
		expect((await store.pendingReviews.getPendingReview({ executionId: executionOf.short, nodeName: 'Human Approval' }, new Date().toISOString()))?.status).toBe('expired');
		await expect(row(page, 'Refund reply').innerText()).resolves.toMatch(/\d+ h \d+ min left|no time limit/);
		await expect(page.locator('h1').innerText()).resolves.toBe('Support review inbox');
		await expect(page.getByText('Signed in by your personal link as').innerText()).resolves.toContain(ANN.id);
		// A string, so the test needs no DOM types: how far the page is wider than the phone.
		const overflow = (await page.evaluate('document.documentElement.scrollWidth - window.innerWidth')) as number;
		expect(overflow).toBeLessThanOrEqual(0);
		// Filters: by reason, in the reviewers' words.
		await page.locator('#f-reason').selectOption('LOW_CONFIDENCE');
		await Promise.all([page.waitForURL(/reason=LOW_CONFIDENCE/), page.getByRole('button', { name: 'Filter' }).click()]);
		expect((await rowTitles(page)).length).toBe(3);
		await expect(page.locator('ul.counts').innerText()).resolves.toContain('Low confidence: 3');
	});

	test('Ann claims a review and Bob sees it claimed; Bob is refused; Ann approves it from the inbox; it leaves the inbox; Bob learns who decided', async () => {
		await claimApproveAndLateReviewer(
			{ baseUrl: n8n.baseUrl, store, newPage: phonePage, screenshot: SCREENSHOT, waitForSuccess: (executionId) => n8n.waitForExecution(reviews.refund.id, ['success'], { executionId }).then(() => undefined) },
			{ title: 'Refund reply', executionId: executionOf.refund, remaining: ['Legal threat', 'Audit sample'] },
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

	test('an execution cancelled through n8n\'s REST API: the inbox no longer offers its review and shows it cancelled', async () => {
		const answer = await n8n.callWebhook('hitl-e2e-inbox-cancel', { items: [draftItem('Reply for the cancelled one: we refund the second charge.')] });
		expect(answer.status).toBe(200);
		const executionId = String(((await answer.json()) as { executionId: string }).executionId);
		await n8n.waitForExecution(cancelledReview.id, ['waiting'], { executionId });
		const key = { executionId, nodeName: 'Human Approval' };
		expect((await store.pendingReviews.getPendingReview(key, new Date().toISOString()))?.status).toBe('pending');

		// The operator stops the waiting execution in n8n (the editor's Stop calls this endpoint); no node code runs.
		const stop = await fetch(`${n8n.baseUrl}/rest/executions/${executionId}/stop`, { method: 'POST', headers: { cookie: `n8n-auth=${await n8n.ownerCookie()}` } });
		expect(stop.status).toBe(200);
		await n8n.waitForExecution(cancelledReview.id, ['canceled'], { executionId });

		const page = await phonePage();
		await page.goto(inboxUrl(ANN.id));
		expect(await rowTitles(page)).not.toContain('Cancelled ticket');
		await expect(page.locator('ul.stopped > li', { hasText: 'Cancelled ticket' }).innerText()).resolves.toContain('cancelled at');
		expect((await store.pendingReviews.getPendingReview(key, new Date().toISOString()))?.status).toBe('cancelled');
		expect((await store.listAudit({ executionId })).map((entry) => `${entry.event}:${entry.actor ?? ''}`)).toContain('cancelled:inbox');
	});

	test('each named reviewer\'s mail carries their own signed inbox link beside their review link', async () => {
		const before = smtp.messages.length;
		const answer = await n8n.callWebhook('hitl-e2e-inbox-mailed', { items: [draftItem('Reply for the mailed one: we refund the second charge.')] });
		expect(answer.status).toBe(200);
		const mails = (await smtp.waitForMessages(before + 2, 60_000)).slice(before);
		expect(mails.map((mail) => mail.to[0]).sort()).toEqual([ANN.id, BOB.id]);
		const linksOf = (reviewerId: string) => {
			const raw = decodeQuotedPrintable(mails.find((mail) => mail.to[0] === reviewerId)!.raw).replace(/&amp;/g, '&');
			const links = [...new Set(raw.match(/https?:\/\/[^\s"<>]+/g) ?? [])];
			return {
				raw,
				review: links.find((link) => link.includes('signature=')),
				inbox: links.find((link) => link.includes(`/webhook/${INBOX_PATH}?`) && link.includes('isig=') && !link.includes('signature=')),
			};
		};
		const ann = linksOf(ANN.id);
		const bob = linksOf(BOB.id);
		expect(ann.raw).toContain('Your review inbox');
		// Signed for each reviewer as the inbox expects (the same as the test's own signing).
		expect(new URL(ann.inbox!).search).toBe(new URL(inboxUrl(ANN.id)).search);
		expect(new URL(bob.inbox!).search).toBe(new URL(inboxUrl(BOB.id)).search);
		expect(ann.review).toContain(`reviewer=${encodeURIComponent(ANN.id)}`);

		// Ann's inbox link opens her inbox, which lists the mailed review with her own open link.
		const page = await phonePage();
		expect((await page.goto(ann.inbox!))?.status()).toBe(200);
		await expect(page.getByText('Signed in by your personal link as').innerText()).resolves.toContain(ANN.id);
		expect(await rowTitles(page)).toContain('Mailed review');
		// Her link edited to be Bob's is refused.
		const forged = new URL(ann.inbox!);
		forged.searchParams.set('reviewer', BOB.id);
		expect((await fetch(forged)).status).toBe(403);
	});
});
