/**
 * The "Outbound collections message" template as an admin would use it: imported into a real n8n
 * with n8n's CLI, its two credentials set (the LLM API, here the local OpenAI-compatible server, and
 * an SMTP account, here the SMTP listener on loopback), published, and called with overdue accounts.
 * Every notice waits for a reviewer, who answers in Chromium at phone size. A compliant first notice
 * is approved and mailed to the debtor; a follow-up without the collector notice shows why on the
 * review page and, approved all the same, is blocked: no mail leaves.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';

import { startFakeLlmServer, type FakeLlmServer } from '../../llm/fakeLlmServer';
import { decodeQuotedPrintable, SmtpListener } from '../../support/smtpListener';
import { launchBrowser, PHONE } from '../approval/browser';
import { N8nServer, outputItems, type ExecutionRecord, type WorkflowFile } from '../n8nServer';
import { screenshotCanvas } from './templateCanvas';

const TEMPLATE = path.resolve(__dirname, '..', '..', '..', 'templates', 'outbound-collections-notice.json');
const LLM_CREDENTIAL = { id: 'hitlTplCollLlm01', name: 'LLM API', type: 'llmApi' };
const SMTP_CREDENTIAL = { id: 'hitlTplCollSmtp1', name: 'SMTP account', type: 'smtp' };
const MINI_MIRANDA = 'This is an attempt to collect a debt and any information obtained will be used for that purpose.';

function templateWithCredentials(): WorkflowFile {
	const template = JSON.parse(readFileSync(TEMPLATE, 'utf8')) as WorkflowFile & { nodes: Record<string, unknown>[] };
	for (const node of template.nodes) {
		const credentials = node.credentials as Record<string, { id: string; name: string }> | undefined;
		// What the admin does in the editor: pick their credential on each node that asks for one.
		if (credentials?.llmApi) credentials.llmApi = { id: LLM_CREDENTIAL.id, name: LLM_CREDENTIAL.name };
		if (credentials?.smtp) credentials.smtp = { id: SMTP_CREDENTIAL.id, name: SMTP_CREDENTIAL.name };
	}
	return { ...template, active: true };
}

interface DecisionRow {
	case_id: string;
	decision: string;
	route: string | null;
	final_text: string | null;
	rules: string | null;
}

describe('template: outbound collections message', () => {
	let llm: FakeLlmServer;
	let smtp: SmtpListener;
	let n8n: N8nServer;
	const workflow = templateWithCredentials();

	beforeAll(async () => {
		llm = await startFakeLlmServer({ latencyMs: 10, apiKey: 'sk-template', models: ['gpt-4o-mini'] });
		smtp = await SmtpListener.start();
		n8n = await N8nServer.start({
			workflows: [workflow],
			credentials: [
				{ ...LLM_CREDENTIAL, data: { apiKey: 'sk-template', baseUrl: llm.baseUrl, organization: '', headers: '{}' } },
				{ ...SMTP_CREDENTIAL, data: { user: '', password: '', host: '127.0.0.1', port: smtp.port, secure: false, disableStartTls: true, hostName: '' } },
			],
		});
	}, 900_000);

	afterAll(async () => {
		await n8n?.stop();
		await smtp?.stop();
		await llm?.close();
	});

	const decisionRows = (caseId: string): DecisionRow[] => {
		const db = new DatabaseSync(path.join(n8n.userFolder, '.n8n', 'hitl.sqlite'), { readOnly: true });
		try {
			return db
				.prepare(
					`SELECT d.case_id, d.decision, d.route, d.final_text,
					        (SELECT group_concat(r.value) FROM json_each(d.rule_ids) r) AS rules
					 FROM hitl_decisions d WHERE d.case_id = ?`,
				)
				.all(caseId) as unknown as DecisionRow[];
		} finally {
			db.close();
		}
	};

	/** Sends an overdue account; resolves with the webhook's answer once the execution waits for a reviewer. */
	async function sendAccount(account: Record<string, unknown>): Promise<{ answer: { status: string; reviewUrl: string; findings: string[] }; waiting: ExecutionRecord }> {
		const before = n8n.listExecutions(workflow.id)[0]?.id;
		const response = await n8n.callWebhook('collections-notice', account);
		expect(response.status).toBe(200);
		const answer = (await response.json()) as { status: string; reviewUrl: string; findings: string[] };
		const waiting = await n8n.waitForExecution(workflow.id, ['waiting'], { newerThan: before });
		return { answer, waiting };
	}

	/** The reviewer opens the link on a phone and presses Approve; resolves with the page's text before the answer. */
	async function approveOnPhone(reviewUrl: string, expectOnPage: string): Promise<string> {
		const browser = await launchBrowser();
		try {
			const context = await browser.newContext({ ...PHONE });
			const page = await context.newPage();
			await page.goto(reviewUrl);
			await page.getByText(expectOnPage).first().waitFor();
			const text = await page.locator('body').innerText();
			await page.getByLabel('Your name').fill('Casey Collections');
			await Promise.all([page.waitForURL(() => true, { waitUntil: 'load' }), page.getByRole('button', { name: 'Approve', exact: true }).click()]);
			await page.getByRole('status').waitFor();
			return text;
		} finally {
			await browser.close();
		}
	}

	test('needs two credentials, the LLM API and the SMTP account; every other node is ready as imported', () => {
		const template = JSON.parse(readFileSync(TEMPLATE, 'utf8')) as { nodes: { name: string; credentials?: object }[] };
		const needing = template.nodes.filter((node) => node.credentials).map((node) => [node.name, Object.keys(node.credentials!)]);
		expect(needing).toEqual([
			['Draft the notice', ['llmApi']],
			['Send the notice', ['smtp']],
		]);
	});

	test('a compliant first notice waits for a reviewer, is approved on a phone and mailed to the debtor', async () => {
		const notice =
			'Dear Jordan Lee, our records show that 412.50 USD owed to Northwind Energy has been due since 2026-10-15. ' +
			'Please pay through your account or reply to agree a payment plan; you can dispute this debt within 30 days. ' +
			MINI_MIRANDA;
		const { answer, waiting } = await sendAccount({
			accountId: 'AC-1001',
			debtorName: 'Jordan Lee',
			email: 'jordan.lee@example.com',
			amountDue: '412.50',
			currency: 'USD',
			dueDate: '2026-10-15',
			creditor: 'Northwind Energy',
			firstContact: true,
			notes: `[confidence:0.93] [reply:${notice}]`,
		});
		// every notice goes to a person, also one with no finding
		expect(answer).toMatchObject({ status: 'in_review', findings: [] });
		expect(answer.reviewUrl).toContain(`/webhook-waiting/${waiting.id}`);
		const [checked] = outputItems(waiting, 'Check the notice');
		expect(checked.hitl).toMatchObject({ caseId: 'AC-1001', compliance: { passed: true, rulesetVersion: expect.stringContaining('fdcpa@1.0.0') } });

		const mailsBefore = smtp.messages.length;
		const page = await approveOnPhone(answer.reviewUrl, 'Northwind Energy');
		// the account facts the template shows beside the draft
		expect(page).toContain('AC-1001');
		expect(page).toContain('412.50');

		const finished = await n8n.waitForExecution(workflow.id, ['success', 'error'], { executionId: waiting.id });
		expect(finished.data.resultData.error?.message).toBeUndefined();
		const [mail] = (await smtp.waitForMessages(mailsBefore + 1)).slice(mailsBefore);
		expect(mail.to).toEqual(['jordan.lee@example.com']);
		const body = decodeQuotedPrintable(mail.raw).replace(/\r?\n/g, ' ');
		expect(body).toContain('Subject: Your account AC-1001 with Northwind Energy');
		expect(body).toContain(MINI_MIRANDA);
		const [logged] = outputItems(finished, 'Log decision');
		expect(logged).toMatchObject({ accountId: 'AC-1001', sentMessageId: expect.any(String), hitl: { review: { decision: 'approved' } } });
		expect(decisionRows('AC-1001')).toEqual([{ case_id: 'AC-1001', decision: 'approved', route: null, final_text: notice, rules: null }]);

		await screenshotCanvas(n8n, workflow.id, 10, 'outbound-collections-notice');
	});

	test('a follow-up without the collector notice: the review page says why, and approved all the same it is blocked, not sent', async () => {
		const notice =
			'Dear Sam Rivera, we wrote to you about the 89.00 USD owed to Contoso Telecom, due since 2026-09-30, and it is still open. ' +
			'Please pay it through your account or reply to agree a payment plan.';
		const { answer, waiting } = await sendAccount({
			accountId: 'AC-2002',
			debtorName: 'Sam Rivera',
			email: 'sam.rivera@example.com',
			amountDue: 89,
			currency: 'USD',
			dueDate: '2026-09-30',
			creditor: 'Contoso Telecom',
			firstContact: false,
			notes: `[confidence:0.9] [reply:${notice}]`,
		});
		expect(answer).toMatchObject({ status: 'in_review', findings: ['block: Follow-up about a debt without saying it is from a debt collector'] });

		const mailsBefore = smtp.messages.length;
		const page = await approveOnPhone(answer.reviewUrl, 'Follow-up about a debt without saying it is from a debt collector');
		// the reason, its severity and the sentence to add are on the page the reviewer sees
		expect(page).toMatch(/block\s*Follow-up about a debt without saying it is from a debt collector/i);
		expect(page).toContain('Add: "This communication is from a debt collector."');
		expect(page).toContain('cannot be sent as it stands, even if you approve it');

		const finished = await n8n.waitForExecution(workflow.id, ['success', 'error'], { executionId: waiting.id });
		expect(finished.data.resultData.error?.message).toBeUndefined();
		const runData = finished.data.resultData.runData;
		expect(runData['Send the notice']).toBeUndefined();
		const [blocked] = outputItems(finished, 'Blocked: back to the collections team');
		expect(blocked.hitl).toMatchObject({
			caseId: 'AC-2002',
			review: { decision: 'approved', finalText: notice },
			compliance: { passed: false, checkedField: 'hitl.review.finalText', violations: [{ ruleId: 'fdcpa.collector-notice', severity: 'block' }] },
		});
		// the execution is over, so a mail would have been sent by now: none was
		expect(smtp.messages.length).toBe(mailsBefore);
		expect(smtp.messages.map((message) => message.to).flat()).not.toContain('sam.rivera@example.com');
		expect(decisionRows('AC-2002')).toEqual([{ case_id: 'AC-2002', decision: 'approved', route: null, final_text: notice, rules: 'fdcpa.collector-notice' }]);
	});
});
