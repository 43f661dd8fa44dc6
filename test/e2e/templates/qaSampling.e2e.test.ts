/**
 * The "QA sampling of sent replies" template in a real n8n: the HITL store holds a day of a support
 * flow's decisions (what its Feedback Log recorded), the template's schedule path runs (started
 * with n8n's CLI at its "Run now" trigger, the same path the daily schedule takes), its reviewers
 * get one mail with one link, and one batch page on a phone holds every picked reply. Their
 * verdicts land in the store as audit samples, and the Feedback Log's Metrics — run by n8n — count
 * them in the precision of automatic replies.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';

import { openHitlStore } from '../../../nodes/shared/store';
import type { DecisionRecord } from '../../../nodes/shared/store/types';
import { baseDecision } from '../../unit/store/fixtures/decisions';
import { linksInMail, SmtpListener } from '../../support/smtpListener';
import { launchBrowser, PHONE } from '../approval/browser';
import { N8nServer, outputItems, type WorkflowFile } from '../n8nServer';
import { screenshotCanvas } from './templateCanvas';

const TEMPLATE = path.resolve(__dirname, '..', '..', '..', 'templates', 'qa-sampling-of-sent-replies.json');
const SMTP_CREDENTIAL = { id: 'hitlTplQaSmtp001', name: 'HITL SMTP', type: 'hitlSmtpApi' };

/**
 * Feedback Log → Metrics over the last day, every workflow (what the weekly report reads), behind a
 * webhook that answers with the report: run in the n8n server itself.
 */
const metricsWorkflow: WorkflowFile = {
	id: 'hitlE2eQaMetrics',
	name: 'Metrics of the last day',
	active: true,
	nodes: [
		{
			id: '5b0f7a51-0000-4000-8000-000000000001',
			name: 'Metrics please',
			type: 'n8n-nodes-base.webhook',
			typeVersion: 2.1,
			position: [0, 0],
			webhookId: '5b0f7a51-0000-4000-8000-0000000000aa',
			parameters: { httpMethod: 'GET', path: 'hitl-e2e-qa-metrics', responseMode: 'lastNode', responseData: 'firstEntryJson', options: {} },
		},
		{ id: '5b0f7a51-0000-4000-8000-000000000002', name: 'Metrics', type: 'n8n-nodes-hitl.feedbackLog', typeVersion: 1, position: [220, 0], parameters: { operation: 'metrics', lastDays: 1 } },
	],
	connections: { 'Metrics please': { main: [[{ node: 'Metrics', type: 'main', index: 0 }]] } },
};

function templateWithCredential(): WorkflowFile {
	const template = JSON.parse(readFileSync(TEMPLATE, 'utf8')) as WorkflowFile & { nodes: Record<string, unknown>[] };
	for (const node of template.nodes) {
		const credentials = node.credentials as Record<string, { id: string; name: string }> | undefined;
		if (credentials?.hitlSmtpApi) credentials.hitlSmtpApi = { id: SMTP_CREDENTIAL.id, name: SMTP_CREDENTIAL.name };
		// the admin's reviewers
		if (node.name === 'Review the sample') (node.parameters as Record<string, unknown>).toEmail = 'qa-lead@example.com, qa-agent@example.com';
	}
	return template;
}

const AUTO_REPLIES = 60;

/** A day of the support flow in the store: automatic replies, reviewed ones, a gate audit sample, older and hashed rows. */
function supportFlowDay(now: number): DecisionRecord[] {
	const at = (hoursAgo: number) => new Date(now - hoursAgo * 3_600_000).toISOString();
	const decision = (executionId: string, overrides: Partial<DecisionRecord>) =>
		baseDecision({ executionId, nodeName: 'Log decision', workflowId: 'hitlTplSupport01', workflowName: 'Support reply with human review', recordedAt: at(3), ...overrides });
	const auto = (i: number) =>
		decision(`s${1000 + i}`, {
			caseId: `T-${5000 + i}`,
			route: 'auto',
			decision: 'auto',
			confidence: 0.9 + (i % 10) / 100,
			inputText: `Where is my parcel for order A-${5000 + i}?`,
			draftText: `Your parcel for order A-${5000 + i} left our warehouse yesterday and arrives within two working days.`,
			finalText: null,
			reviewers: [],
			requestedAt: null,
			decidedAt: null,
			timeToDecisionMs: null,
			editDistance: null,
			recordedAt: at(1 + (i % 20)),
		});
	return [
		...Array.from({ length: AUTO_REPLIES }, (_, i) => auto(i)),
		// to a person by the gate: not an automatic reply
		decision('s2000', { caseId: 'T-6000', decision: 'edited', finalText: 'It ships tomorrow.', edited: true, editDistance: 9 }),
		// the gate's own audit sample, approved: already counts in auto precision
		decision('s2001', { caseId: 'T-6001', decision: 'approved', sampledForAudit: true, reviewProbability: 0.05 }),
		// sent on its own the day before yesterday: outside the last day
		{ ...auto(900), recordedAt: at(30) },
		// privacy mode: only hashes, nothing a reviewer could read
		{ ...auto(901), draftText: `sha256:${'a'.repeat(64)}`, inputText: `sha256:${'b'.repeat(64)}`, textsHashed: true },
	];
}

describe('template: QA sampling of sent replies', () => {
	let smtp: SmtpListener;
	let n8n: N8nServer;
	const workflow = templateWithCredential();

	beforeAll(async () => {
		smtp = await SmtpListener.start();
		n8n = await N8nServer.start({
			workflows: [workflow, metricsWorkflow],
			credentials: [
				{ ...SMTP_CREDENTIAL, data: { host: '127.0.0.1', port: smtp.port, secure: false, disableStartTls: true, user: '', password: '', hostName: '' } },
			],
		});
	}, 900_000);

	afterAll(async () => {
		await n8n?.stop();
		await smtp?.stop();
	});

	/** Runs a workflow at its manual trigger with n8n's CLI; a failure shows what the CLI printed. */
	async function runWorkflow(workflowId: string): Promise<void> {
		await n8n.executeWorkflow(workflowId).catch((error: Error & { stdout?: string; stderr?: string; code?: unknown; signal?: unknown }) => {
			throw new Error(`${error.message} (exit ${String(error.code)}, signal ${String(error.signal)})\n${String(error.stderr ?? '')}\n${String(error.stdout ?? '').slice(-3000)}`);
		});
	}

	async function autoPrecision(): Promise<{ audited: number; approved: number; precision: number | null }> {
		const response = await n8n.callWebhook('hitl-e2e-qa-metrics', undefined, 'GET');
		expect(response.status).toBe(200);
		return ((await response.json()) as { autoPrecision: { audited: number; approved: number; precision: number | null } }).autoPrecision;
	}

	test('needs one credential, the HITL SMTP account for the reviewers\' mail', () => {
		const template = JSON.parse(readFileSync(TEMPLATE, 'utf8')) as { nodes: { name: string; credentials?: object }[] };
		expect(template.nodes.filter((node) => node.credentials).map((node) => [node.name, Object.keys(node.credentials!)])).toEqual([
			['Review the sample', ['hitlSmtpApi']],
		]);
	});

	test('a share of the last day\'s automatic replies goes to the reviewers on one page; their verdicts count in auto precision', async () => {
		const store = await openHitlStore({ backend: 'embedded', filePath: path.join(n8n.userFolder, '.n8n', 'hitl.sqlite') });
		try {
			await store.recordDecisions(supportFlowDay(Date.now()));
		} finally {
			await store.close();
		}
		// before the QA run: the gate's one audit sample
		expect(await autoPrecision()).toMatchObject({ audited: 1, approved: 1, precision: 1 });

		// the daily run's path, started at "Run now"
		const mailsBefore = smtp.messages.length;
		await runWorkflow(workflow.id);
		const waiting = await n8n.waitForExecution(workflow.id, ['waiting', 'error', 'success']);
		expect(waiting.data.resultData.error?.message).toBeUndefined();
		expect(waiting.status).toBe('waiting');

		const picked = outputItems(waiting, 'Pick a share of automatic replies') as { reply: { caseId: string }; hitl: { gate: Record<string, unknown> } }[];
		const pickedCases = picked.map((item) => item.reply.caseId);
		const eligible = Array.from({ length: AUTO_REPLIES }, (_, i) => `T-${5000 + i}`);
		// only automatic replies of the last day, with readable text; about a tenth of them
		expect(pickedCases.length).toBeGreaterThanOrEqual(2);
		expect(pickedCases.length).toBeLessThan(AUTO_REPLIES / 2);
		expect(eligible).toEqual(expect.arrayContaining(pickedCases));
		expect(picked[0].hitl.gate).toMatchObject({ route: 'auto', sampledForAudit: true, reviewProbability: 0.1 });

		// one mail to each reviewer, with the same one link
		const mails = (await smtp.waitForMessages(mailsBefore + 2)).slice(mailsBefore);
		expect(mails.map((mail) => mail.to).flat().sort()).toEqual(['qa-agent@example.com', 'qa-lead@example.com']);
		const [link] = linksInMail(mails[0].raw);
		expect(link).toContain(`/webhook-waiting/${waiting.id}`);

		const [rejectCase, editCase] = pickedCases;
		const browser = await launchBrowser();
		try {
			const context = await browser.newContext({ ...PHONE });
			const page = await context.newPage();
			await page.goto(link);
			// every picked reply on the one page, with the customer's message and why it is there
			const items = page.locator('fieldset.card');
			const itemOf = (caseId: string) => items.filter({ hasText: `case ${caseId}` }).first();
			for (const caseId of pickedCases) await itemOf(caseId).waitFor();
			await expect(items.count()).resolves.toBe(pickedCases.length);
			const text = await page.locator('body').innerText();
			expect(text).toContain(`Where is my parcel for order A-${rejectCase.slice(2)}?`);
			expect(text).toContain('It was picked at random (10 % of automatic replies) for a quality check');
			for (const caseId of eligible.filter((caseId) => !pickedCases.includes(caseId))) expect(text).not.toContain(`order A-${caseId.slice(2)}?`);

			await itemOf(rejectCase).getByRole('radio', { name: 'Reject' }).check();
			await itemOf(editCase).getByRole('textbox').first().fill(`Your parcel for order A-${editCase.slice(2)} is on its way; the tracking link is in your confirmation mail.`);
			await itemOf(editCase).getByRole('radio', { name: 'Approve' }).check();
			await page.getByLabel('Your name').fill('Quinn QA');
			await Promise.all([page.waitForURL(() => true, { waitUntil: 'load' }), page.getByRole('button', { name: /Approve all remaining/ }).click()]);
			await page.getByRole('status').waitFor();
		} finally {
			await browser.close();
		}

		const finished = await n8n.waitForExecution(workflow.id, ['success', 'error'], { executionId: waiting.id });
		expect(finished.data.resultData.error?.message).toBeUndefined();

		// the verdicts in the store: one row per picked reply, marked as audit samples of automatic replies
		const db = new DatabaseSync(path.join(n8n.userFolder, '.n8n', 'hitl.sqlite'), { readOnly: true });
		let rows: { case_id: string; route: string; decision: string; sampled_for_audit: number; input_text: string }[];
		try {
			rows = db
				.prepare('SELECT case_id, route, decision, sampled_for_audit, input_text FROM hitl_decisions WHERE workflow_id = ? ORDER BY case_id')
				.all(workflow.id) as unknown as typeof rows;
		} finally {
			db.close();
		}
		expect(rows.map((row) => row.case_id)).toEqual([...pickedCases].sort());
		for (const row of rows) {
			expect(row).toMatchObject({ route: 'auto', sampled_for_audit: 1 });
			expect(row.input_text).toBe(`Where is my parcel for order A-${row.case_id.slice(2)}?`);
		}
		const decisionOf = (caseId: string) => rows.find((row) => row.case_id === caseId)?.decision;
		expect(decisionOf(rejectCase)).toBe('rejected');
		expect(decisionOf(editCase)).toBe('edited');
		expect(rows.filter((row) => row.decision === 'approved')).toHaveLength(pickedCases.length - 2);

		// auto precision: the gate's sample and the QA verdicts, approved unchanged over judged
		const audited = pickedCases.length + 1;
		const approved = pickedCases.length - 2 + 1;
		expect(await autoPrecision()).toMatchObject({ audited, approved, precision: approved / audited });

		// a second run the same day picks none of the judged replies again
		await runWorkflow(workflow.id);
		const again = await n8n.waitForExecution(workflow.id, ['waiting', 'error', 'success'], { newerThan: finished.id });
		expect(again.data.resultData.error?.message).toBeUndefined();
		expect(outputItems(again, 'Pick a share of automatic replies')).toEqual([]);

		await screenshotCanvas(n8n, workflow.id, 8, 'qa-sampling-of-sent-replies');
	});
});
