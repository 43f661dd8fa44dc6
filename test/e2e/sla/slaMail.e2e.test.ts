/**
 * Review SLAs end to end (issue 15, item 6), in the real n8n with short times: a review with a
 * 30-second respond-within target, a Review SLA Trigger polling every 5 seconds, n8n's own Switch and
 * Send Email nodes, the SMTP listener on loopback, Chromium at phone size. The trigger escalates at
 * the target (its default), so one poll crosses both "overdue" and "escalated".
 *
 * What a user meets: the reviewer sees the time left on the review page; exactly one reminder mail
 * and one overdue mail (to the reviewer, with their personal link) and one escalation mail (to the
 * backup reviewer, with theirs) arrive; the backup reviewer's link is refused before the escalation with a page saying
 * from when it is valid, and works after it: the backup approves, the execution finishes, and the
 * store holds one decision row by them, the SLA steps and one escalation line in the audit trail;
 * the Feedback Log's Metrics counts the review overdue while it waits, and missed once answered.
 *
 * No assertion depends on how fast the machine is: the test waits for mails and store rows, and the
 * one thing that must happen before the escalation (opening the backup's link) is checked against
 * the store's record of when the escalation happened.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';

import { openHitlStore, type HitlStore } from '../../../nodes/shared/store';
import { personalLink, signReviewer } from '../../../nodes/shared/reviewSignatures';
import { decodeQuotedPrintable, SmtpListener, type ReceivedMail } from '../../support/smtpListener';
import { launchBrowser, PHONE } from '../approval/browser';
import { draftItem } from '../approval/workflows';
import { N8nServer, outputItems } from '../n8nServer';
import {
	SLA_APPROVAL_NODE,
	SLA_APPROVAL_NODE_ID,
	SLA_BACKUP,
	SLA_POLL_SECONDS,
	SLA_REVIEW_PATH,
	SLA_REVIEW_SECRET,
	SLA_REVIEWER,
	slaMailCredentials,
	slaMailWorkflow,
	slaMetricsWorkflow,
	slaReviewWorkflow,
} from './slaMailWorkflows';

jest.setTimeout(600_000);

function header(mail: ReceivedMail, name: string): string {
	const match = new RegExp(`^${name}: (.*(?:\\r?\\n[ \\t].*)*)`, 'mi').exec(mail.raw);
	return match ? match[1].replace(/\r?\n[ \t]/g, ' ') : '';
}

/** The links in a text mail's body (quoted-printable decoded). */
function linksIn(mail: ReceivedMail): string[] {
	return decodeQuotedPrintable(mail.raw).match(/https?:\/\/\S+/g) ?? [];
}

async function until<T>(what: string, read: () => Promise<T | undefined>, timeoutMs = 120_000): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = await read();
		if (value !== undefined) return value;
		if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
		await new Promise((resolve) => setTimeout(resolve, 250));
	}
}

describe('review SLA: reminder and escalation mails, backup reviewer in a real n8n and Chromium', () => {
	let n8n: N8nServer;
	let browser: Browser;
	let smtp: SmtpListener;
	let store: HitlStore;
	let folder: string;
	const contexts: BrowserContext[] = [];

	async function phonePage(): Promise<Page> {
		const context = await browser.newContext({ ...PHONE });
		contexts.push(context);
		return context.newPage();
	}

	beforeAll(async () => {
		folder = mkdtempSync(path.join(tmpdir(), 'hitl-sla-mail-e2e-'));
		const storeData = { backend: 'embedded' as const, filePath: path.join(folder, 'hitl.sqlite') };
		smtp = await SmtpListener.start();
		browser = await launchBrowser();
		// The SLA workflow has no webhook to wait for (a polling trigger): the test waits for the review's below.
		n8n = await N8nServer.start({
			workflows: [slaReviewWorkflow, slaMailWorkflow, slaMetricsWorkflow],
			credentials: slaMailCredentials(storeData, smtp.port),
			waitForWebhooks: false,
		});
		store = await openHitlStore(storeData);
	}, 900_000);

	afterAll(async () => {
		for (const context of contexts) await context.close().catch(() => undefined);
		await browser?.close();
		await store?.close();
		await n8n?.stop();
		await smtp?.stop();
		if (folder) rmSync(folder, { recursive: true, force: true });
	});

	/** The Metrics node's SLA figures, from a run of the Metrics workflow started now. */
	async function slaFigures(): Promise<Record<string, unknown>> {
		const before = n8n.listExecutions(slaMetricsWorkflow.id)[0]?.id;
		await n8n.executeWorkflow(slaMetricsWorkflow.id);
		const run = await n8n.waitForExecution(slaMetricsWorkflow.id, ['success', 'error'], before ? { newerThan: before } : {});
		expect(run.data.resultData.error?.message).toBeUndefined();
		const [report] = outputItems(run, 'Metrics');
		return report.sla as Record<string, unknown>;
	}

	test('one reminder, one overdue notice, one escalation; the backup is refused before it and decides after it', async () => {
		// n8n 2.x publishes workflows after start-up: a 404 until the review's webhook is registered.
		const answer = await until('the review webhook', async () => {
			const response = await n8n.callWebhook(SLA_REVIEW_PATH, { items: [draftItem('We have refunded the second charge of 49.90 EUR.')] });
			return response.status === 404 ? undefined : response;
		});
		expect(answer.status).toBe(200);
		const { reviewUrl, executionId } = (await answer.json()) as { reviewUrl: string; executionId: string };
		await n8n.waitForExecution(slaReviewWorkflow.id, ['waiting'], { executionId: String(executionId) });
		const key = { executionId: String(executionId), nodeName: SLA_APPROVAL_NODE };
		const review = await until('the pending review in the store', async () => store.pendingReviews.getPendingReview(key, new Date().toISOString()));
		expect(review.respondBy).toBeDefined();
		expect(review.backupReviewers).toEqual([{ id: SLA_BACKUP.id, name: SLA_BACKUP.name, email: SLA_BACKUP.id }]);
		const respondBy = review.respondBy!;
		expect(Date.parse(respondBy) - Date.parse(review.requestedAt)).toBe(30_000);

		// The personal links, as Human Approval Wait and the trigger sign them.
		const linkOf = (reviewerId: string) =>
			personalLink(reviewUrl, reviewerId, signReviewer(SLA_REVIEW_SECRET, { executionId: String(executionId), nodeId: SLA_APPROVAL_NODE_ID, reviewerId }));
		const annLink = linkOf(SLA_REVIEWER.id);
		const samLink = linkOf(SLA_BACKUP.id);

		// Before the escalation: the backup's link is refused with the time it becomes valid.
		const before = await phonePage();
		const refused = await before.goto(samLink);
		const refusedAt = Date.now();
		expect(refused?.status()).toBe(403);
		const refusedText = await before.locator('main').innerText();
		expect(refusedText).toContain('This link is not valid yet');
		expect(refusedText).toContain(`Valid from the escalation, not before ${respondBy.slice(0, 19).replace('T', ' ')} UTC`);
		expect(refusedText).toContain('Nothing was recorded');
		// The reviewer's page shows the time left against the target, in plain text.
		const annPage = await phonePage();
		expect((await annPage.goto(annLink))?.status()).toBe(200);
		await expect(annPage.locator('header.top .meta').innerText()).resolves.toMatch(/\d+ s left to answer \(target /);

		// The mails: one reminder to the reviewer; then, from the one poll that crosses the target and
		// the escalation, the overdue notice to the reviewer and the escalation to the backup.
		const [reminder] = await smtp.waitForMessages(1, 120_000);
		expect(reminder.to).toEqual([SLA_REVIEWER.id]);
		expect(header(reminder, 'Subject')).toMatch(/^Reminder: Refund reply, \d+ min left$/);
		expect(linksIn(reminder)).toEqual([annLink]);
		const later = (await smtp.waitForMessages(3, 120_000)).slice(1);
		const overdue = later.find((mail) => header(mail, 'Subject') === 'Overdue: Refund reply');
		expect(overdue?.to).toEqual([SLA_REVIEWER.id]);
		expect(linksIn(overdue!)).toEqual([annLink]);
		const escalation = later.find((mail) => header(mail, 'Subject') === 'Escalated to you: Refund reply')!;
		expect(escalation?.to).toEqual([SLA_BACKUP.id]);
		expect(linksIn(escalation)).toEqual([samLink]);

		// The refusal came before the escalation was recorded (else this run proves nothing about "before").
		const steps = await store.reviewSla.listSlaSteps(key);
		expect(steps.map((step) => step.step)).toEqual(['reminder', 'overdue', 'escalated']);
		const escalatedAt = steps.find((step) => step.step === 'escalated')!.emittedAt;
		expect(Date.parse(escalatedAt)).toBeGreaterThanOrEqual(Date.parse(respondBy));
		expect(refusedAt).toBeLessThan(Date.parse(escalatedAt));

		// Now the reviewer's page says overdue, and the backup's link from the mail works.
		await annPage.reload();
		await expect(annPage.locator('header.top .meta').innerText()).resolves.toMatch(/overdue by \d+ s \(answer was due /);
		// The Metrics report counts it: overdue now, its target missed, each step once.
		expect(await slaFigures()).toMatchObject({
			reviews: 1,
			withTarget: 1,
			overdueNow: 1,
			withinTarget: { judged: 1, met: 0, missed: 1 },
			steps: { reminder: 1, overdue: 1, escalated: 1 },
		});
		const after = await phonePage();
		expect((await after.goto(linksIn(escalation)[0]))?.status()).toBe(200);
		await expect(after.getByText('Answering as').innerText()).resolves.toContain(`${SLA_BACKUP.name}, a backup reviewer: the review was escalated at`);
		const width = (await after.evaluate('document.documentElement.scrollWidth')) as number;
		expect(width).toBeLessThanOrEqual(390);
		await after.getByRole('button', { name: 'Approve' }).click();
		await expect(after.locator('main').innerText()).resolves.toContain('Decision recorded');

		const done = await n8n.waitForExecution(slaReviewWorkflow.id, ['success'], { executionId: String(executionId), timeoutMs: 60_000 });
		const [approved] = outputItems(done, SLA_APPROVAL_NODE, 1) as { hitl: { review: { decision: string; reviewers: { id: string }[] } } }[];
		expect(approved.hitl.review.decision).toBe('approved');
		expect(approved.hitl.review.reviewers.map((reviewer) => reviewer.id)).toEqual([SLA_BACKUP.id]);
		const decisions = await until('the decision row', async () => {
			const rows = await store.listDecisions({ workflowId: slaReviewWorkflow.id });
			return rows.length ? rows : undefined;
		});
		expect(decisions).toHaveLength(1);
		expect(decisions[0].reviewers.map((reviewer) => reviewer.id)).toEqual([SLA_BACKUP.id]);

		// The trail: the refusal before, one escalation line, the backup's answer and the decision.
		const audit = await store.listAudit({ executionId: String(executionId) });
		const events = audit.map((entry) => `${entry.event}:${entry.actor}`);
		expect(events.filter((event) => event.startsWith('slaEscalated:'))).toEqual(['slaEscalated:Review SLA Trigger']);
		expect(audit.find((entry) => entry.event === 'slaEscalated')?.detail).toMatchObject({ backupReviewers: [SLA_BACKUP.id] });
		expect(events).toEqual(expect.arrayContaining([`refused:${SLA_BACKUP.id}`, `answered:${SLA_BACKUP.id}`, `decided:${SLA_BACKUP.id}`]));
		expect((await store.pendingReviews.getPendingReview(key, new Date().toISOString()))?.status).toBe('decided');

		// Answered now: no longer overdue, still a missed target, with its time to the first answer.
		expect(await slaFigures()).toMatchObject({ overdueNow: 0, withinTarget: { judged: 1, met: 0, missed: 1 }, timeToFirstAnswer: { count: 1 } });

		// Still one mail per step after more polls (each step once, recorded in the store): the reminder's
		// poll, and the one poll that sent the overdue notice and the escalation.
		await new Promise((resolve) => setTimeout(resolve, 3 * SLA_POLL_SECONDS * 1000));
		expect(smtp.messages).toHaveLength(3);
		expect(n8n.listExecutions(slaMailWorkflow.id).map((execution) => execution.status)).toEqual(['success', 'success']);
	});
});
