/**
 * The Human Approval Wait node in a real n8n, answered in a real browser (Debian's Chromium via
 * playwright-core): the review link is the execution's $execution.resumeUrl, the page is served
 * by the node's webhook() through n8n's /webhook-waiting route, and the execution resumes with
 * the items on the outputs the reviewer chose.
 */
import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';

import { linksInMail, SmtpListener } from '../../support/smtpListener';
import { N8nServer, outputItems, type ExecutionRecord } from '../n8nServer';
import { launchBrowser, PHONE } from './browser';
import { APPROVAL_NODE, chatReview, draftItem, linkReview, mailReview, SECRET_CREDENTIAL_ID, SMTP_CREDENTIAL_ID } from './workflows';

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
	// A chat webhook that "unfurls" every link it is sent at once, before it answers the node —
	// as a chat or helpdesk preview does — and keeps what each early GET got.
	let chat: Server;
	const unfurls: { url: string; status: number | string; body: string }[] = [];

	beforeAll(async () => {
		smtp = await SmtpListener.start();
		chat = createServer((request, response) => {
			let data = '';
			request.on('data', (chunk: Buffer) => (data += chunk.toString()));
			request.on('end', () => {
				const url = (JSON.parse(data) as { review: { url: string } }).review.url;
				void fetch(url, { signal: AbortSignal.timeout(20_000) })
					.then(async (early) => unfurls.push({ url, status: early.status, body: await early.text() }))
					.catch((error: Error) => unfurls.push({ url, status: `no answer: ${error.name}`, body: '' }))
					.finally(() => response.end('ok'));
			});
		});
		await new Promise<void>((resolve) => chat.listen(0, '127.0.0.1', resolve));
		const chatWorkflow = chatReview(`http://127.0.0.1:${(chat.address() as AddressInfo).port}/hook`);
		const credentials = [
			{
				id: SMTP_CREDENTIAL_ID,
				name: 'HITL e2e SMTP',
				type: 'hitlSmtpApi',
				data: { host: '127.0.0.1', port: smtp.port, secure: false, disableStartTls: true, user: '', password: '', hostName: '' },
			},
			{ id: SECRET_CREDENTIAL_ID, name: 'HITL e2e review secret', type: 'hitlReviewSecretApi', data: { secret: 'e2e-review-secret-0123456789abcdef' } },
		];
		[n8n, browser] = await Promise.all([
			N8nServer.start({ workflows: [linkReview, mailReview, chatWorkflow], credentials }),
			launchBrowser(),
		]);
	}, 900_000);

	afterAll(async () => {
		await browser?.close();
		await n8n?.stop();
		await smtp?.stop();
		chat?.close();
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
		expect(reviewUrl).toMatch(/\/webhook-waiting\/\d+\?signature=/);
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
		await expect(page.locator('dl.result').innerText()).resolves.toMatch(/Decision\s+Approved with changes/);

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

	test('a batch of 4 refused for two missing decisions comes back as left; "Approve all remaining" then keeps the rejection and the edit', async () => {
		const texts = ['Reply one.', 'Reply two: your refund is on its way.', 'Reply three.', 'Reply four 555-0134.'];
		const edited = 'Reply four, without the phone number.';
		const { reviewUrl, executionId } = await startReview(texts.map((text) => draftItem(text)));
		const page = await context.newPage();
		await page.goto(reviewUrl);
		const card = (index: number) => page.locator('fieldset.card').nth(index);

		await card(1).getByRole('radio', { name: 'Reject' }).check();
		await card(1).getByLabel('Reason').selectOption('Wrong or missing information');
		await card(1).getByLabel('Comment').fill('No refund was approved for this order.');
		await card(3).getByLabel('Draft reply').fill(edited);
		await card(3).getByRole('radio', { name: 'Approve' }).check();
		await page.getByLabel('Your name').fill('Rita Reviewer');

		const [refused] = await Promise.all([
			page.waitForResponse((response) => response.request().method() === 'POST'),
			page.getByRole('button', { name: 'Submit decisions', exact: true }).click(),
		]);
		expect(refused.status()).toBe(422);
		await page.waitForLoadState('load');
		const problems = await page.getByRole('alert').first().textContent();
		expect(problems).toContain('Item 1');
		expect(problems).toContain('Item 3');
		expect(problems).not.toContain('Item 2');
		// Everything entered is still there.
		await expect(card(1).getByRole('radio', { name: 'Reject' }).isChecked()).resolves.toBe(true);
		await expect(card(1).getByLabel('Reason').inputValue()).resolves.toBe('Wrong or missing information');
		await expect(card(1).getByLabel('Comment').inputValue()).resolves.toBe('No refund was approved for this order.');
		await expect(card(3).getByLabel('Draft reply').inputValue()).resolves.toBe(edited);
		await expect(card(3).getByRole('radio', { name: 'Approve' }).isChecked()).resolves.toBe(true);
		await expect(page.getByLabel('Your name').inputValue()).resolves.toBe('Rita Reviewer');
		for (const index of [0, 2]) {
			await expect(card(index).getByRole('radio', { checked: true }).count()).resolves.toBe(0);
		}
		expect((await page.content()).includes('Draft reply')).toBe(true);
		expect(n8n.readExecution(executionId).status).toBe('waiting');

		await submit(page, 'Approve all remaining');
		const confirmation = await page.locator('main').innerText();
		expect(confirmation).toContain('Decision recorded');
		expect(confirmation).toMatch(/Item 4\s+Approved with changes/);
		expect(confirmation).toMatch(/Item 2\s+Rejected/);
		expect(confirmation).not.toMatch(/\bedited\b/);

		const execution = await finished(executionId);
		const approved = outputItems(execution, 'Send reply');
		expect(approved.map((item) => [review(item).decision, review(item).finalText])).toEqual([
			['approved', texts[0]],
			['approved', texts[2]],
			['edited', edited],
		]);
		const [rejected] = outputItems(execution, 'Do not send');
		expect(review(rejected)).toMatchObject({
			decision: 'rejected',
			reviewers: [{ id: 'link', name: 'Rita Reviewer', decision: 'rejected', reason: 'Wrong or missing information', comment: 'No refund was approved for this order.' }],
		});
		expect((rejected.hitl as { draft: { text: string } }).draft.text).toBe(texts[1]);
		expect(review(approved[2]).reviewers).toMatchObject([{ name: 'Rita Reviewer', decision: 'edited' }]);
	});

	test('the page tells the reviewer why in plain sentences, without codes, rule ids, masked values or learning state', async () => {
		const { reviewUrl } = await startReview([draftItem(DRAFT)]);
		const page = await context.newPage();
		await page.goto(reviewUrl);
		const why = await page.locator('ul.reasons').innerText();
		expect(why).toContain('The model is only 64% sure of this draft; replies go out without a person from 85%.');
		expect(why).toContain('The compliance check found something a person should look at.');
		const text = await page.locator('main').innerText();
		for (const engine of ['LOW_CONFIDENCE', 'COMPLIANCE_REVIEW', 'pii.phone', 'disclosure.refundTerms', '***0134', 'threshold learned', '8 of 100', 'as “edited”']) {
			expect(text).not.toContain(engine);
		}
		// The findings are still listed, by their message.
		expect(text).toContain('Refund terms are not mentioned');
	});

	test('20 GETs of the link (scanners, previews) leave the execution waiting', async () => {
		const { reviewUrl, executionId } = await startReview([draftItem(DRAFT)]);
		for (let request = 0; request < 20; request++) {
			const response = await fetch(reviewUrl, { headers: { 'user-agent': request % 2 ? 'Slackbot-LinkExpanding 1.0' : 'Mozilla/5.0' } });
			expect(response.status).toBe(200);
			await response.text();
		}
		// A link sent before the review moved to the resume URL (the form resume URL) still opens the page.
		const formLink = reviewUrl.replace('/webhook-waiting/', '/form-waiting/');
		expect((await fetch(formLink)).status).toBe(200);
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
		// The other is told it came too late: by the node, with who and how, while the execution still
		// waited; by n8n ("running already" / "finished already") once it had resumed.
		const loser = answers.find((answer) => !answer.body.includes('Decision recorded'))!;
		expect(loser.status).toBe(409);
		expect(loser.body).toMatch(/Already decided[\s\S]*class="decided-by"> by a reviewer with the link|running already|finished already/);

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

	test('a link opened the moment it is handed out gets an answer, and works once the review waits', async () => {
		// 1. The node's own chat message: the chat server fetches the link before it answers the
		//    node, so the execution is certainly still running when the GET arrives.
		const response = await n8n.callWebhook('hitl-e2e-review-chat', { items: [draftItem('Unfurled reply.')] });
		const { executionId } = (await response.json()) as { executionId: string };
		await n8n.waitForExecution('hitlE2eReviewChat', ['waiting'], { executionId: String(executionId) });
		const early = unfurls.find((entry) => entry.url.includes(`/${executionId}?`));
		expect(early).toMatchObject({ status: 409 });
		expect(early!.body).toContain('is running already');
		const page = await fetch(early!.url);
		expect(page.status).toBe(200);
		await expect(page.text()).resolves.toContain('Unfurled reply.');

		// 2. The webhook's own answer, as the template gives it: a GET fired as soon as it arrives.
		const answer = await n8n.callWebhook('hitl-e2e-review', { items: [draftItem('Previewed reply.')] });
		const { reviewUrl, executionId: second } = (await answer.json()) as { reviewUrl: string; executionId: string };
		const preview = await fetch(reviewUrl, { signal: AbortSignal.timeout(20_000) }).then(
			(result) => result.status,
			(error: Error) => `no answer: ${error.name}`,
		);
		expect([200, 409]).toContain(preview);
		await n8n.waitForExecution(linkReview.id, ['waiting'], { executionId: String(second) });
		expect((await fetch(reviewUrl)).status).toBe(200);
	});

	test('a second reviewer who had the page open is told the review was over, not that the answer was recorded', async () => {
		const { reviewUrl, executionId } = await startReview([draftItem(DRAFT)]);
		const [first, late] = [await context.newPage(), await context.newPage()];
		await first.goto(reviewUrl);
		await late.goto(reviewUrl);
		await first.getByLabel('Your name').fill('Ann Early');
		await first.getByLabel('Reason').selectOption('Tone');
		await submit(first, 'Reject');
		await expect(first.getByRole('status').textContent()).resolves.toContain('Decision recorded');
		await finished(executionId);

		await late.getByLabel('Your name').fill('Bob Late');
		const [lateAnswer] = await Promise.all([
			late.waitForResponse((response) => response.request().method() === 'POST'),
			late.getByRole('button', { name: 'Approve', exact: true }).click(),
		]);
		expect(lateAnswer.status()).toBe(409);
		const lateText = await late.locator('body').innerText();
		expect(lateText).not.toMatch(/response has been recorded|Decision recorded/i);
		expect(lateText).toMatch(/has finished already|Already decided/);

		// Opening the decided link again says the same.
		const reopened = await late.goto(reviewUrl);
		expect(reopened!.status()).toBe(409);
		await expect(late.locator('body').innerText()).resolves.not.toMatch(/response has been recorded/i);

		// Only the first answer counted.
		const execution = await finished(executionId);
		expect(review(outputItems(execution, 'Do not send')[0])).toMatchObject({ decision: 'rejected', reviewers: [{ name: 'Ann Early', reason: 'Tone' }] });
		expect(() => outputItems(execution, 'Send reply')).toThrow(/did not run/);
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
		expect(annLink).toContain(`/webhook-waiting/${executionId}?`);
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
