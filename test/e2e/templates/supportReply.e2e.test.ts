/**
 * The "Support reply with human review" template, as an admin would use it: imported into a real
 * n8n, one credential set (the LLM API, here pointing at the local OpenAI-compatible server),
 * published, and called over its webhook. A confident answer is sent on its own, a refund goes to
 * a person who approves it in a real browser, and every outcome lands in the Feedback Log.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { startFakeLlmServer, type FakeLlmServer } from '../../llm/fakeLlmServer';
import { launchBrowser } from '../approval/browser';
import { N8nServer, outputItems, type WorkflowFile } from '../n8nServer';

const TEMPLATE = path.resolve(__dirname, '..', '..', '..', 'templates', 'support-reply-with-review.json');
const CREDENTIAL = { id: 'hitlTplLlmCred01', name: 'LLM API', type: 'llmApi' };

function templateWithCredential(): WorkflowFile {
	const template = JSON.parse(readFileSync(TEMPLATE, 'utf8')) as WorkflowFile & { nodes: Record<string, unknown>[] };
	for (const node of template.nodes) {
		const credentials = node.credentials as Record<string, { id: string; name: string }> | undefined;
		// What the admin does in the editor: pick their credential on the node that asks for one.
		if (credentials?.llmApi) credentials.llmApi = { id: CREDENTIAL.id, name: CREDENTIAL.name };
	}
	return { ...template, active: true };
}

describe('template: support reply with human review', () => {
	let llm: FakeLlmServer;
	let n8n: N8nServer;
	const workflow = templateWithCredential();

	beforeAll(async () => {
		// The template's model, as OpenAI would list it.
		llm = await startFakeLlmServer({ latencyMs: 10, apiKey: 'sk-template', models: ['gpt-4o-mini'] });
		n8n = await N8nServer.start({
			workflows: [workflow],
			credentials: [{ ...CREDENTIAL, data: { apiKey: 'sk-template', baseUrl: llm.baseUrl, organization: '', headers: '{}' } }],
		});
	}, 900_000);

	afterAll(async () => {
		await n8n?.stop();
		await llm?.close();
	});

	test('only the credential is missing: every other node is ready as imported', () => {
		const template = JSON.parse(readFileSync(TEMPLATE, 'utf8')) as { nodes: { credentials?: object }[] };
		const needing = template.nodes.filter((node) => node.credentials);
		expect(needing.map((node) => Object.keys(node.credentials!))).toEqual([['llmApi']]);
	});

	test('a confident answer is sent automatically and logged', async () => {
		const response = await n8n.callWebhook('support-reply', {
			// T-102: its audit draw (0.71) is above the 25 % a fresh store audits while the gate learns,
			// so this confident draft is not picked as an audit sample (T-100's draw, 0.18, would be).
			ticketId: 'T-102',
			customerName: 'Dana',
			message: 'Where is my parcel? [intent:delivery] [confidence:0.96] [reply:It left our warehouse today.]',
		});
		const execution = await n8n.waitForExecution(workflow.id, ['success', 'error']);
		expect(execution.data.resultData.error?.message).toBeUndefined();
		expect(response.status).toBe(200);
		expect(await response.json()).toMatchObject({ caseId: 'T-102', status: 'sent', reply: 'It left our warehouse today.' });
		const [logged] = outputItems(execution, 'Log decision');
		expect(logged.hitl).toMatchObject({ caseId: 'T-102', gate: { route: 'auto', breakerOpen: false }, logged: { store: expect.any(String) } });
		// the gate read the store the Feedback Log writes to (the template adapts to reviewers), and
		// with no labelled draft yet it used the template's start threshold and said why
		const [reason] = (logged.hitl as { gate: { reasons: { code: string; detail: string }[] } }).gate.reasons;
		expect(reason).toMatchObject({
			code: 'AUTO_OK',
			detail: expect.stringMatching(/threshold 0\.85 \(the start threshold applies until a threshold is learned: 0 of 100 labelled drafts of model /),
		});
	});

	test('a refund goes to a person, who approves an edited reply in the browser', async () => {
		const before = n8n.listExecutions(workflow.id)[0]?.id;
		const response = await n8n.callWebhook('support-reply', {
			ticketId: 'T-200',
			customerName: 'Sam',
			message: 'I want my money back for order A-7 [intent:refund] [confidence:0.9] [reply:Your refund is on its way.]',
		});
		const answer = (await response.json()) as { status: string; reviewUrl: string; reasons: { code: string }[] };
		expect(answer.status).toBe('in_review');
		// The draft promises a refund (the template's rule support.refund-promise) and is below the refund threshold.
		expect(answer.reasons.map((reason) => reason.code)).toEqual(['COMPLIANCE_REVIEW', 'LOW_CONFIDENCE']);
		const waiting = await n8n.waitForExecution(workflow.id, ['waiting'], { newerThan: before });

		const browser = await launchBrowser();
		try {
			const page = await browser.newPage();
			await page.goto(answer.reviewUrl);
			await page.getByText('I want my money back for order A-7').first().waitFor();
			const draft = page.getByRole('textbox', { name: /draft/i }).first();
			await draft.fill('Your refund of order A-7 is approved and will arrive within 5 days.');
			await page.getByRole('button', { name: 'Approve' }).first().click();
			await page.waitForLoadState('domcontentloaded');
		} finally {
			await browser.close();
		}

		const finished = await n8n.waitForExecution(workflow.id, ['success', 'error'], { executionId: waiting.id });
		expect(finished.data.resultData.error?.message).toBeUndefined();
		const [sent] = outputItems(finished, 'Send approved reply');
		expect(sent.hitl).toMatchObject({
			caseId: 'T-200',
			review: { decision: 'edited', finalText: 'Your refund of order A-7 is approved and will arrive within 5 days.' },
		});
		const [logged] = outputItems(finished, 'Log decision');
		expect((logged.hitl as { logged?: unknown }).logged).toBeDefined();
	});
});
