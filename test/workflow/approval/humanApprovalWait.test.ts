import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { INodeExecutionData, IRun } from 'n8n-workflow';

import { linksInMail, SmtpListener } from '../../support/smtpListener';
import { runWorkflow, type WorkflowJson } from '../harness';
import { callReviewWebhook } from './resumeWebhook';

const NODE = 'Human Approval';

function workflow(parameters: Record<string, unknown>): WorkflowJson {
	return {
		nodes: [
			{ id: 'trigger', name: 'Manual Trigger', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
			{
				id: '5b0c3f9e-7a0e-4a59-9a43-approval0001',
				name: NODE,
				type: 'n8n-nodes-hitl.humanApprovalWait',
				typeVersion: 1,
				position: [200, 0],
				parameters: { notify: 'none', ...parameters },
			},
		],
		connections: { 'Manual Trigger': { main: [[{ node: NODE, type: 'main', index: 0 }]] } },
	};
}

function draftItem(text: string, extra: Record<string, unknown> = {}) {
	return {
		message: 'Where is my refund?',
		...extra,
		hitl: {
			caseId: `case-${text.length}`,
			draft: {
				text,
				model: 'test',
				confidence: { score: 0.6, method: 'verbalized', signals: {} },
				riskFlags: [],
				usage: { promptTokens: 1, completionTokens: 1 },
				latencyMs: 1,
			},
			compliance: {
				passed: false,
				rulesetVersion: '1',
				checkedField: 'hitl.draft.text',
				violations: [{ ruleId: 'pii.phone', kind: 'pii', severity: 'review', message: 'Phone number', span: [0, 4] }],
			},
		},
	};
}

function formFields(html: string): { token: string; shownAt: string } {
	return { token: html.match(/name="token" value="([^"]+)"/)![1], shownAt: html.match(/name="shownAt" value="([^"]+)"/)![1] };
}

describe('Human Approval Wait in a workflow', () => {
	it('puts the execution to wait, routes nothing yet, and keeps the review times in custom data', async () => {
		const before = Date.now();
		const result = await runWorkflow(workflow({ deadlineMode: 'afterInterval', deadlineAmount: 2, deadlineUnit: 'hours' }), {
			input: [draftItem('Call 555 for details.')],
		});
		expect(result.error).toBeUndefined();
		expect(result.status).toBe('waiting');
		const waitTill = new Date(result.run.waitTill!).getTime();
		expect(waitTill).toBeGreaterThanOrEqual(before + 2 * 3_600_000);
		expect(waitTill).toBeLessThan(Date.now() + 2 * 3_600_000 + 1000);
		for (const output of [0, 1, 2, 3]) expect(result.output(NODE, output)).toEqual([]);
		const metadata = result.run.data.resultData.metadata as Record<string, string>;
		const times = JSON.parse(Object.values(metadata)[0]) as { r: string; d: string };
		expect(new Date(times.d).getTime()).toBe(waitTill);
	});

	it('waits indefinitely without a time limit', async () => {
		const result = await runWorkflow(workflow({}), { input: [draftItem('Hello.')] });
		expect(result.status).toBe('waiting');
		expect(new Date(result.run.waitTill!).getUTCFullYear()).toBe(3000);
	});

	it('fails with the item index and the field when there is no text to review', async () => {
		const result = await runWorkflow(workflow({}), { input: [draftItem('ok'), { message: 'no draft' }] });
		expect(result.status).toBe('error');
		expect(result.error?.message).toBe('Item 2: hitl.draft.text is missing');
	});

	it('refuses several approvals without the store, saying what to change', async () => {
		const result = await runWorkflow(
			workflow({ reviewerMode: 'named', approvalsNeeded: 2, reviewers: { reviewer: [{ name: 'A', email: 'a@x.io' }, { name: 'B', email: 'b@x.io' }] } }),
			{ input: [draftItem('x')], credentials: { hitlReviewSecretApi: { secret: 'a-secret-of-sufficient-length' } } },
		);
		expect(result.status).toBe('error');
		expect(result.error?.message).toBe('Several approvals need "Record in Store"');
	});

	describe('resuming through webhook()', () => {
		let waiting: { run: IRun; json: WorkflowJson; executionId: string };
		const texts = ['Call 555 for details.', 'Second draft.', 'Third draft.'];
		let nextExecutionId = 100;

		beforeEach(async () => {
			const json = workflow({ reasons: 'Tone, Wrong', deadlineMode: 'none' });
			const executionId = String(nextExecutionId++);
			const result = await runWorkflow(json, { input: texts.map((text) => draftItem(text)), executionId });
			expect(result.status).toBe('waiting');
			waiting = { run: result.run, json, executionId };
		});

		it('GET shows every waiting item and records nothing', async () => {
			for (let request = 0; request < 3; request++) {
				const { result, response } = await callReviewWebhook(waiting.json, waiting.run, NODE, { method: 'GET', executionId: waiting.executionId });
				expect(result).toEqual({ noWebhookResponse: true });
				expect(result.workflowData).toBeUndefined();
				expect(response.statusCode).toBe(200);
				expect(response.headers['content-security-policy']).toContain("default-src 'none'");
				for (const text of texts.slice(1)) expect(response.body).toContain(text);
				expect(response.body).toContain('<mark class="finding" aria-describedby="i0-finding-0">Call</mark>');
			}
		});

		it('POST with a decision per item resumes with each item on its outcome and hitl.review', async () => {
			const page = await callReviewWebhook(waiting.json, waiting.run, NODE, { method: 'GET', executionId: waiting.executionId });
			const { result, response } = await callReviewWebhook(waiting.json, waiting.run, NODE, {
				method: 'POST',
				executionId: waiting.executionId,
				body: {
					...formFields(page.response.body),
					action: 'approveRemaining',
					reviewerName: 'Rita',
					text_0: 'Call us for details.\r\n',
					decision_1: 'reject',
					reason_1: 'Tone',
					comment_1: 'too curt',
					text_1: texts[1],
					text_2: texts[2],
				},
			});
			expect(response.body.match(/<ul><li>.*?<\/ul>/)?.[0]).toBeUndefined();
			expect(response.statusCode).toBe(200);
			expect(response.body).toContain('Decision recorded');
			const outputs = result.workflowData as INodeExecutionData[][];
			expect(outputs).toHaveLength(4);
			expect(outputs[0]).toEqual([]);
			const review = (item: INodeExecutionData) => (item.json.hitl as { review: Record<string, unknown> }).review;
			expect(outputs[1].map((item) => review(item).decision)).toEqual(['edited', 'approved']);
			expect(review(outputs[1][0]).finalText).toBe('Call us for details.\n');
			expect(outputs[1][0].pairedItem).toEqual({ item: 0 });
			expect(outputs[1][1].pairedItem).toEqual({ item: 2 });
			expect(outputs[2]).toHaveLength(1);
			expect(review(outputs[2][0])).toMatchObject({
				decision: 'rejected',
				reviewers: [{ id: 'link', name: 'Rita', decision: 'rejected', reason: 'Tone', comment: 'too curt' }],
			});
			expect(outputs[2][0].json.message).toBe('Where is my refund?');
			expect(outputs[3]).toEqual([]);
			// the page's render time came back with the form: time on the page, for rubber-stamp figures
			const [rita] = review(outputs[2][0]).reviewers as { timeOnPageMs?: number }[];
			expect(rita.timeOnPageMs).toBeGreaterThanOrEqual(0);
			expect(rita.timeOnPageMs).toBeLessThan(60_000);
		});

		it('a render time that is not one, or lies in the future, is ignored rather than trusted', async () => {
			for (const shownAt of ['yesterday-ish', new Date(Date.now() + 3_600_000).toISOString()]) {
				const executionId = String(nextExecutionId++);
				const { run } = await runWorkflow(waiting.json, { input: texts.map((text) => draftItem(text)), executionId });
				const page = await callReviewWebhook(waiting.json, run, NODE, { method: 'GET', executionId });
				const { result } = await callReviewWebhook(waiting.json, run, NODE, {
					method: 'POST',
					executionId,
					body: { ...formFields(page.response.body), shownAt, action: 'approveRemaining', reviewerName: 'Rita' },
				});
				const outputs = result.workflowData as INodeExecutionData[][];
				const reviewers = (outputs[1][0].json.hitl as { review: { reviewers: object[] } }).review.reviewers;
				expect(reviewers[0]).not.toHaveProperty('timeOnPageMs');
			}
		});

		it('resumes once: a second submission changes nothing and says so', async () => {
			const page = await callReviewWebhook(waiting.json, waiting.run, NODE, { method: 'GET', executionId: waiting.executionId });
			const post = () =>
				callReviewWebhook(waiting.json, waiting.run, NODE, {
					method: 'POST',
					executionId: waiting.executionId,
					body: { ...formFields(page.response.body), action: 'approveRemaining' },
				});
			const first = await post();
			expect(first.result.workflowData?.[1]).toHaveLength(3);
			const second = await post();
			expect(second.response.statusCode).toBe(409);
			expect(second.response.body).toContain('changed nothing');
			// Who decided and how: the first answer came from a link without a name.
			expect(second.response.body).toMatch(/Item 1<\/dt><dd><span class="pill pill-approved">Approved<\/span><span class="decided-by"> by a reviewer with the link/);
			expect(second.result.workflowData).toBeUndefined();
		});

		it('refuses an answer after the deadline, before n8n\'s wait tracker times the execution out', async () => {
			const expired = structuredClone(waiting.run);
			const metadata = expired.data.resultData.metadata as Record<string, string>;
			const key = Object.keys(metadata)[0];
			metadata[key] = JSON.stringify({ r: '2026-01-01T00:00:00.000Z', d: new Date(Date.now() - 1000).toISOString() });
			const page = await callReviewWebhook(waiting.json, expired, NODE, { method: 'GET', executionId: waiting.executionId });
			expect(page.response.statusCode).toBe(410);
			expect(page.response.body).toContain('deadline has passed');
			expect(page.response.body).not.toContain('<form');
		});

		it('refuses a forged token and records nothing', async () => {
			const { result, response } = await callReviewWebhook(waiting.json, waiting.run, NODE, {
				method: 'POST',
				executionId: waiting.executionId,
				body: { token: 'forged', action: 'approveRemaining' },
			});
			expect(response.statusCode).toBe(403);
			expect(result.workflowData).toBeUndefined();
		});
	});

	describe('named reviewers', () => {
		const secret = { hitlReviewSecretApi: { secret: 'a-secret-of-sufficient-length' } };
		const json = workflow({
			reviewerMode: 'named',
			reviewers: { reviewer: [{ name: 'Ann', email: 'ann@example.com' }, { name: 'Bob', email: 'bob@example.com' }] },
			notify: 'email',
			fromEmail: 'reviews@example.com',
		});
		let smtp: SmtpListener;
		beforeAll(async () => {
			smtp = await SmtpListener.start();
		});
		afterAll(async () => {
			await smtp.stop();
		});

		it('mails each reviewer a personal link that only works for them', async () => {
			const result = await runWorkflow(json, {
				input: [draftItem('Hello there.')],
				executionId: '77',
				credentials: { ...secret, hitlSmtpApi: { host: '127.0.0.1', port: smtp.port, secure: false, disableStartTls: true } },
			});
			expect(result.error).toBeUndefined();
			expect(result.status).toBe('waiting');
			const mails = await smtp.waitForMessages(2);
			expect(mails.map((mail) => mail.to[0]).sort()).toEqual(['ann@example.com', 'bob@example.com']);
			const annLink = new URL(linksInMail(mails.find((mail) => mail.to[0] === 'ann@example.com')!.raw)[0]);
			expect(annLink.pathname).toBe('/webhook-waiting/77');
			const query = Object.fromEntries(annLink.searchParams);

			const page = await callReviewWebhook(json, result.run, NODE, { method: 'GET', query, executionId: '77' }, secret);
			expect(page.response.statusCode).toBe(200);
			expect(page.response.body).toContain('Answering as <strong>Ann</strong>');

			const forged = await callReviewWebhook(
				json,
				result.run,
				NODE,
				{ method: 'GET', query: { ...query, reviewer: 'bob@example.com' }, executionId: '77' },
				secret,
			);
			expect(forged.response.statusCode).toBe(403);
		});
	});

	it('posts a Slack-compatible JSON message with the link to a chat webhook', async () => {
		const received: { body: unknown; contentType?: string }[] = [];
		const server = createServer((request: IncomingMessage, response) => {
			let data = '';
			request.on('data', (chunk) => (data += chunk));
			request.on('end', () => {
				received.push({ body: JSON.parse(data), contentType: request.headers['content-type'] });
				response.end('ok');
			});
		});
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		try {
			const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
			const result = await runWorkflow(workflow({ notify: 'webhook', webhookUrl: url }), { input: [draftItem('Chat draft.')] });
			expect(result.status).toBe('waiting');
			expect(received).toHaveLength(1);
			const body = received[0].body as { text: string; review: { url: string; itemCount: number } };
			expect(received[0].contentType).toContain('application/json');
			expect(body.text).toContain('Chat draft.');
			expect(body.review.url).toContain('/webhook-waiting/1');
			expect(body.review.itemCount).toBe(1);
		} finally {
			server.close();
		}
	});
});
