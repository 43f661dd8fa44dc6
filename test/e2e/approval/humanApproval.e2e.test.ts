/**
 * The Human Approval Wait node in a real n8n, answered in a real browser (Debian's Chromium via
 * playwright-core): the review link is the execution's $execution.resumeFormUrl, the page is
 * served by the node's webhook() through n8n's /form-waiting route, and the execution resumes
 * with the items on the outputs the reviewer chose.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';

import { linksInMail, SmtpListener } from '../../support/smtpListener';
import { N8nServer, outputItems, type ExecutionRecord } from '../n8nServer';
import { launchBrowser, PHONE } from './browser';
import { APPROVAL_NODE, draftItem, linkReview, mailReview, SECRET_CREDENTIAL_ID, SMTP_CREDENTIAL_ID } from './workflows';

jest.setTimeout(120_000);

const SCREENSHOT = path.resolve(__dirname, '..', '..', '..', 'docs', 'review-page.png');

const DRAFT =
	'Hi Dana,\n\nSorry about the double charge on order A-1001. I have refunded the second charge of 89.90 EUR; ' +
	'you will see it within 5 business days. If anything is unclear, call us back or reply to this e-mail — ' +
	'we noted your number 555-0134.\n\nBest regards,\nSam from Customer Care';

type Review = { hitl: { review: { decision: string; finalText?: string; reviewers: Record<string, string>[]; requestedAt: string; decidedAt: string } } };

describe('Human Approval Wait in a real n8n and a real browser', () => {
	let n8n: N8nServer;
	let browser: Browser;
	let smtp: SmtpListener;
	let context: BrowserContext;

	beforeAll(async () => {
		smtp = await SmtpListener.start();
		const credentials = [
			{
				id: SMTP_CREDENTIAL_ID,
				name: 'HITL e2e SMTP',
				type: 'hitlSmtpApi',
				data: { host: '127.0.0.1', port: smtp.port, secure: false, disableStartTls: true, user: '', password: '', hostName: '' },
			},
			{ id: SECRET_CREDENTIAL_ID, name: 'HITL e2e review secret', type: 'hitlReviewSecretApi', data: { secret: 'e2e-review-secret-0123456789abcdef' } },
		];
		[n8n, browser] = await Promise.all([N8nServer.start({ workflows: [linkReview, mailReview], credentials }), launchBrowser()]);
	}, 900_000);

	afterAll(async () => {
		await browser?.close();
		await n8n?.stop();
		await smtp?.stop();
	});

	beforeEach(async () => {
		context = await browser.newContext({ ...PHONE });
	});
	afterEach(async () => {
		await context?.close();
	});

	async function startReview(items: unknown[], workflow = linkReview): Promise<{ reviewUrl: string; executionId: string }> {
		const response = await n8n.callWebhook(workflow === linkReview ? 'hitl-e2e-review' : 'hitl-e2e-review-mail', { items });
		expect(response.status).toBe(200);
		const { reviewUrl, executionId } = (await response.json()) as { reviewUrl: string; executionId: string };
		expect(reviewUrl).toMatch(/\/form-waiting\/\d+\?signature=/);
		const execution = await n8n.waitForExecution(workflow.id, ['waiting', 'error'], { executionId: String(executionId) });
		if (execution.status !== 'waiting') throw new Error(`The review did not start: ${JSON.stringify(execution.data.resultData.error)}`);
		return { reviewUrl, executionId: String(executionId) };
	}

	async function finished(executionId: string, workflow = linkReview): Promise<ExecutionRecord> {
		return await n8n.waitForExecution(workflow.id, ['success', 'error', 'crashed'], { executionId });
	}

	async function submit(page: Page, button: string): Promise<void> {
		await Promise.all([page.waitForURL(() => true, { waitUntil: 'load' }), page.getByRole('button', { name: button, exact: true }).click()]);
	}

	const review = (item: Record<string, unknown>) => (item as unknown as Review).hitl.review;

	test('open the link, edit the draft, approve: the edited text leaves on Approved', async () => {
		const { reviewUrl, executionId } = await startReview([draftItem(DRAFT)]);
		const page = await context.newPage();
		const response = await page.goto(reviewUrl);
		expect(response!.status()).toBe(200);
		expect(response!.headers()['content-security-policy']).toContain("default-src 'none'");
		expect(response!.headers()['content-security-policy']).toContain("script-src 'none'");
		await expect(page.title()).resolves.toBe('Review the reply to a customer');
		await expect(page.locator('mark').first().textContent()).resolves.toBe('555-0134');

		mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
		await page.screenshot({ path: SCREENSHOT, fullPage: true });

		const edited = DRAFT.replace(' — we noted your number 555-0134.', '.');
		await page.getByLabel('Draft reply').fill(edited);
		await page.getByLabel('Your name').fill('Rita Reviewer');
		await submit(page, 'Approve');
		await expect(page.getByRole('status').textContent()).resolves.toContain('Decision recorded');

		const execution = await finished(executionId);
		expect(execution.status).toBe('success');
		const [approved] = outputItems(execution, 'Send reply');
		expect(review(approved)).toMatchObject({
			decision: 'edited',
			finalText: edited,
			reviewers: [{ id: 'link', name: 'Rita Reviewer', decision: 'edited' }],
		});
		expect(approved.customer).toBe('Dana Whitfield');
		expect(() => outputItems(execution, 'Do not send')).toThrow(/did not run/);
		expect(() => outputItems(execution, 'Unanswered')).toThrow(/did not run/);
	});

	test('reject with a reason and a comment: the item leaves on Rejected with them', async () => {
		const { reviewUrl, executionId } = await startReview([draftItem(DRAFT)]);
		const page = await context.newPage();
		await page.goto(reviewUrl);
		await page.getByLabel('Reason').selectOption('Tone');
		await page.getByLabel('Comment').fill('Too casual for a refund complaint.');
		await submit(page, 'Reject');

		const execution = await finished(executionId);
		const [rejected] = outputItems(execution, 'Do not send');
		expect(review(rejected)).toMatchObject({
			decision: 'rejected',
			reviewers: [{ decision: 'rejected', reason: 'Tone', comment: 'Too casual for a refund complaint.' }],
		});
		expect(review(rejected).finalText).toBeUndefined();
	});

	test('a batch of 3 with mixed decisions resumes once, each item on its own output', async () => {
		const texts = ['First reply 555-0134.', 'Second reply.', 'Third reply.'];
		const { reviewUrl, executionId } = await startReview(texts.map((text) => draftItem(text)));
		const page = await context.newPage();
		await page.goto(reviewUrl);
		await expect(page.locator('fieldset.card').count()).resolves.toBe(3);

		await page.locator('#i0-text').fill('First reply, edited.');
		// The radio's accessible name comes from its label: what a screen reader announces.
		await page.locator('fieldset.card').nth(1).getByRole('radio', { name: 'Escalate' }).check();
		await page.locator('#i1-reason').selectOption('Compliance risk');
		// Item 3 is left without a decision: "Approve all remaining" approves it as shown.
		await submit(page, 'Approve all remaining');

		const execution = await finished(executionId);
		const approved = outputItems(execution, 'Send reply');
		expect(approved.map((item) => [review(item).decision, review(item).finalText])).toEqual([
			['edited', 'First reply, edited.'],
			['approved', 'Third reply.'],
		]);
		const [escalated] = outputItems(execution, 'To a supervisor');
		expect(review(escalated)).toMatchObject({ decision: 'escalated', reviewers: [{ reason: 'Compliance risk' }] });
		expect(execution.data.resultData.runData['Send reply']).toHaveLength(1);
	});

	test('20 GETs of the link (scanners, previews) leave the execution waiting', async () => {
		const { reviewUrl, executionId } = await startReview([draftItem(DRAFT)]);
		for (let request = 0; request < 20; request++) {
			const response = await fetch(reviewUrl, { headers: { 'user-agent': request % 2 ? 'Slackbot-LinkExpanding 1.0' : 'Mozilla/5.0' } });
			expect(response.status).toBe(200);
			await response.text();
		}
		await new Promise((resolve) => setTimeout(resolve, 500));
		const execution = n8n.readExecution(executionId);
		expect(execution.status).toBe('waiting');
		expect(Object.keys(execution.data.resultData.runData)).not.toContain('Send reply');
	});

	test('a tampered link or form token is refused and records nothing', async () => {
		const first = await startReview([draftItem('Reply one.')]);
		const second = await startReview([draftItem('Reply two.')]);

		const forgedLink = first.reviewUrl.replace(/signature=[^&]+/, 'signature=forged');
		expect((await fetch(forgedLink)).status).toBe(401);

		const pageHtml = await (await fetch(first.reviewUrl)).text();
		const token = pageHtml.match(/name="token" value="([^"]+)"/)![1];
		const post = (url: string, fields: Record<string, string>) =>
			fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields) });

		const tampered = await post(first.reviewUrl, { token: token.slice(0, -2) + 'xx', action: 'approve', text_0: 'Reply one.' });
		expect(tampered.status).toBe(403);
		// The token of one execution's form does not work on another's.
		const crossed = await post(second.reviewUrl, { token, action: 'approve', text_0: 'Reply two.' });
		expect(crossed.status).toBe(403);
		const missing = await post(first.reviewUrl, { action: 'approve' });
		expect(missing.status).toBe(403);

		await new Promise((resolve) => setTimeout(resolve, 500));
		expect(n8n.readExecution(first.executionId).status).toBe('waiting');
		expect(n8n.readExecution(second.executionId).status).toBe('waiting');

		// The genuine form still works.
		const genuine = await post(first.reviewUrl, { token, action: 'approve', text_0: 'Reply one.' });
		expect(genuine.status).toBe(200);
		expect((await finished(first.executionId)).status).toBe('success');
	});

	test('a double submit resumes the execution once', async () => {
		const { reviewUrl, executionId } = await startReview([draftItem(DRAFT)]);
		const [tabA, tabB] = [await context.newPage(), await context.newPage()];
		await tabA.goto(reviewUrl);
		await tabB.goto(reviewUrl);
		await submit(tabA, 'Approve');
		await expect(tabA.getByRole('status').textContent()).resolves.toContain('Decision recorded');
		await finished(executionId);
		await submit(tabB, 'Reject');
		await expect(tabB.content()).resolves.not.toContain('Decision recorded');

		// And two submissions racing each other: still one resume.
		const race = await startReview([draftItem('Race reply.')]);
		const html = await (await fetch(race.reviewUrl)).text();
		const token = html.match(/name="token" value="([^"]+)"/)![1];
		const post = (action: string) =>
			fetch(race.reviewUrl, {
				method: 'POST',
				headers: { 'content-type': 'application/x-www-form-urlencoded' },
				body: new URLSearchParams({ token, action, text_0: 'Race reply.' }),
				signal: AbortSignal.timeout(15_000),
			}).then(
				async (response) => ({ status: response.status, body: await response.text() }),
				(error: Error) => ({ status: 0, body: error.message }),
			);
		const answers = await Promise.all([post('approve'), post('reject')]);
		expect(answers.filter((answer) => answer.body.includes('Decision recorded'))).toHaveLength(1);

		for (const id of [executionId, race.executionId]) {
			const execution = await finished(id);
			const ends = ['Send reply', 'Do not send'].filter((node) => execution.data.resultData.runData[node]);
			expect(ends).toHaveLength(1);
			expect(execution.data.resultData.runData[ends[0]]).toHaveLength(1);
			expect(execution.data.resultData.runData[APPROVAL_NODE].length).toBeLessThanOrEqual(2);
		}
		expect(review(outputItems(await finished(executionId), 'Send reply')[0]).decision).toBe('approved');
	});

	test('a draft full of script-injection payloads executes nothing and round-trips verbatim', async () => {
		const payloads = [
			'<script>window.__pwned = "script"</script>',
			'"><img src=x onerror="window.__pwned=\'img\'">',
			"'><svg onload=\"window.__pwned='svg'\">",
			'</textarea><script>window.__pwned="textarea"</script>',
			'<iframe srcdoc="<script>parent.__pwned=1</script>"></iframe>',
			'<a href="javascript:window.__pwned=1">click</a>',
			'<style>body{display:none}</style><meta http-equiv="refresh" content="0;url=https://example.com">',
			'{{ $json.secret }} ${alert(1)} `backtick`',
		];
		const draft = payloads.join('\n');
		const { reviewUrl, executionId } = await startReview([
			draftItem(draft, { customer: payloads[1], message: payloads[3], order: payloads[0] }),
		]);
		const page = await context.newPage();
		const dialogs: string[] = [];
		const violations: string[] = [];
		page.on('dialog', async (dialog) => {
			dialogs.push(dialog.message());
			await dialog.dismiss();
		});
		page.on('console', (message) => {
			if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
		});
		const requests: string[] = [];
		page.on('request', (request) => requests.push(request.url()));
		await page.goto(reviewUrl);
		await page.waitForTimeout(500);

		await expect(page.evaluate(() => (globalThis as unknown as { __pwned?: unknown }).__pwned)).resolves.toBeUndefined();
		expect(dialogs).toEqual([]);
		expect(requests.filter((url) => !url.startsWith(reviewUrl.split('?')[0]))).toEqual([]);
		await expect(page.locator('script, iframe, img, svg, meta[http-equiv]').count()).resolves.toBe(0);
		await expect(page.locator('#i0-text').inputValue()).resolves.toBe(draft);
		expect(page.url()).toBe(reviewUrl);

		await submit(page, 'Approve');
		const execution = await finished(executionId);
		const [approved] = outputItems(execution, 'Send reply');
		// Unchanged text (the browser sends CRLF line ends; they are not an edit).
		expect(review(approved)).toMatchObject({ decision: 'approved', finalText: draft });
		expect(violations).toEqual([]);
	});

	test('mail arrives at the SMTP listener with a working personal link', async () => {
		const before = smtp.messages.length;
		const { executionId } = await startReview([draftItem(DRAFT)], mailReview);
		const mails = (await smtp.waitForMessages(before + 2)).slice(before);
		expect(mails.map((mail) => mail.to[0]).sort()).toEqual(['ann@hitl.test', 'bob@hitl.test']);
		const annMail = mails.find((mail) => mail.to[0] === 'ann@hitl.test')!;
		expect(annMail.raw).toMatch(/Content-Type: text\/plain/i);
		expect(annMail.raw).toMatch(/Content-Type: text\/html/i);
		const [annLink] = linksInMail(annMail.raw);
		const [bobLink] = linksInMail(mails.find((mail) => mail.to[0] === 'bob@hitl.test')!.raw);
		expect(annLink).toContain(`/form-waiting/${executionId}?`);
		expect(annLink).not.toBe(bobLink);

		// Bob's link edited to claim Ann's identity is refused.
		const forged = new URL(bobLink);
		forged.searchParams.set('reviewer', 'ann@hitl.test');
		expect((await fetch(forged)).status).toBe(403);

		const page = await context.newPage();
		await page.goto(annLink);
		await expect(page.getByText('Answering as').textContent()).resolves.toContain('Ann Reviewer');
		await submit(page, 'Approve');
		const execution = await finished(executionId, mailReview);
		expect(review(outputItems(execution, 'Send reply')[0])).toMatchObject({
			decision: 'approved',
			reviewers: [{ id: 'ann@hitl.test', name: 'Ann Reviewer', decision: 'approved' }],
		});
	});
});
