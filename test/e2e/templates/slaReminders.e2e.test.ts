/**
 * The "Review SLA reminders" template as an admin would use it: imported into a real n8n, its SMTP
 * credential (the SMTP listener on loopback) and the HITL Review Secret set, published. A review
 * flow (Webhook → Human Approval Wait with Record in Store, named reviewers, a Respond Within
 * target of 3 minutes) opens a review; the template mails the reminder and then the overdue notice to
 * each reviewer with their personal link, and the escalation to the backup reviewer — each once.
 * A reviewer then answers in Chromium through the link from the mail, and a Feedback Log Metrics
 * run on the same store reports the review as answered after its target.
 *
 * Times are shortened for the test (the template reminds at 75 % and escalates 15 minutes after
 * the target): reminder at 50 %, escalation 1.5 minutes after the target. The poll stays once a
 * minute, the shortest n8n 2.40 accepts for a polling trigger. The backup reviewer is written into the pending review's row as Human Approval
 * Wait's Backup Reviewers parameter stores it (that parameter is another change of issue 15).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';

import { signReviewer } from '../../../nodes/shared/reviewSignatures';
import { decodeQuotedPrintable, SmtpListener, type ReceivedMail } from '../../support/smtpListener';
import { launchBrowser, PHONE } from '../approval/browser';
import { draftItem, reviewWorkflow } from '../approval/workflows';
import { N8nServer, outputItems, type WorkflowFile } from '../n8nServer';
import { publishWorkflow } from '../sla/publishWorkflow';
import { screenshotCanvas } from './templateCanvas';

jest.setTimeout(900_000);

const TEMPLATE = path.resolve(__dirname, '..', '..', '..', 'templates', 'review-sla-reminders.json');
const SMTP_CREDENTIAL = { id: 'hitlTplSlaSmtp01', name: 'SMTP account', type: 'smtp' };
const SECRET_CREDENTIAL = { id: 'hitlTplSlaSecret', name: 'HITL Review Secret', type: 'hitlReviewSecretApi' };
// Human Approval Wait's Record in Store asks for a HITL Store credential; this one is the embedded
// default, the file the template's trigger reads without a credential.
const STORE_CREDENTIAL = { id: 'hitlTplSlaStore1', name: 'HITL Store', type: 'hitlStore' };
const SECRET = 'a-review-secret-for-the-sla-template-test';
const BACKUP = { id: 'lead@hitl.test', name: 'Shift Lead', email: 'lead@hitl.test' };

function templateForTest(): WorkflowFile {
	const template = JSON.parse(readFileSync(TEMPLATE, 'utf8')) as WorkflowFile & { nodes: Record<string, any>[] }; // eslint-disable-line @typescript-eslint/no-explicit-any -- workflow JSON
	for (const node of template.nodes) {
		// What the admin does in the editor: pick their credentials.
		if (node.credentials?.smtp) node.credentials.smtp = { id: SMTP_CREDENTIAL.id, name: SMTP_CREDENTIAL.name };
		if (node.type === 'n8n-nodes-hitl.reviewSlaTrigger') {
			node.credentials = { hitlReviewSecretApi: { id: SECRET_CREDENTIAL.id, name: SECRET_CREDENTIAL.name } };
			// n8n refuses polls more often than once a minute ("The polling interval is too short"), so
			// the steps are spread wider than a poll apart: reminder at 90 s, overdue at 3 min,
			// escalation at 4.5 min — each window holds at least one poll.
			node.parameters = { ...node.parameters, reminderPercent: 50, escalateAfterMinutes: 1.5 };
		}
	}
	// Imported unpublished: N8nServer would wait for webhooks a polling trigger never registers.
	return { ...template, active: false };
}

/** reviewWorkflow names the Human Approval Wait node's id after the workflow's. */
const REVIEW_NODE_ID = 'hitlE2eSlaReview1-approval';

const reviewFlow = reviewWorkflow(
	'hitlE2eSlaReview1',
	'hitl-e2e-sla-review',
	{
		reviewerMode: 'named',
		reviewers: { reviewer: [{ name: 'Ann Reviewer', email: 'ann@hitl.test' }, { name: 'Bob Reviewer', email: 'bob@hitl.test' }] },
		useStore: true,
		respondWithinMinutes: 3,
	},
	{ hitlReviewSecretApi: { id: SECRET_CREDENTIAL.id, name: SECRET_CREDENTIAL.name }, hitlStore: { id: STORE_CREDENTIAL.id, name: STORE_CREDENTIAL.name } },
);

const metricsFlow: WorkflowFile = {
	id: 'hitlE2eSlaMetric',
	name: 'HITL e2e: SLA metrics',
	nodes: [
		{ id: 'm-trigger', name: 'Run now', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
		{ id: 'm-metrics', name: 'Metrics', type: 'n8n-nodes-hitl.feedbackLog', typeVersion: 1, position: [200, 0], parameters: { operation: 'metrics', lastDays: 1, includeCharts: true } },
	],
	connections: { 'Run now': { main: [[{ node: 'Metrics', type: 'main', index: 0 }]] } },
};

const subjectOf = (mail: ReceivedMail) => /^Subject: (.*)$/m.exec(decodeQuotedPrintable(mail.raw))?.[1] ?? '';
const bodyOf = (mail: ReceivedMail) => decodeQuotedPrintable(mail.raw).replace(/&amp;/g, '&');
const linkOf = (mail: ReceivedMail) => /Your review link: (\S+)/.exec(bodyOf(mail))?.[1] ?? '';

describe('template: review SLA reminders', () => {
	const template = templateForTest();
	let smtp: SmtpListener;
	let n8n: N8nServer;

	beforeAll(async () => {
		smtp = await SmtpListener.start();
		n8n = await N8nServer.start({
			workflows: [template, reviewFlow, metricsFlow],
			credentials: [
				{ ...SMTP_CREDENTIAL, data: { user: '', password: '', host: '127.0.0.1', port: smtp.port, secure: false, disableStartTls: true, hostName: '' } },
				{ ...SECRET_CREDENTIAL, data: { secret: SECRET } },
				{ ...STORE_CREDENTIAL, data: { backend: 'embedded', filePath: '' } },
			],
		});
		// What the admin does once the credentials are set: publish it.
		await publishWorkflow(n8n, template.id);
	}, 900_000);

	afterAll(async () => {
		await n8n?.stop();
		await smtp?.stop();
	});

	const storeFile = () => path.join(n8n.userFolder, '.n8n', 'hitl.sqlite');

	test('needs one credential to send (SMTP); the trigger works with the default store and is told to use the review secret', () => {
		const file = JSON.parse(readFileSync(TEMPLATE, 'utf8')) as { active: boolean; nodes: { name: string; credentials?: object }[] };
		expect(file.active).toBe(false);
		expect(file.nodes.filter((node) => node.credentials).map((node) => [node.name, Object.keys(node.credentials!)])).toEqual([
			['Send Email (reminder)', ['smtp']],
			['Send Email to backups', ['smtp']],
		]);
	});

	test('reminder and overdue notice to each reviewer, escalation to the backup, each once; the reviewer answers from the mail; Metrics counts it late', async () => {
		const response = await n8n.callWebhook('hitl-e2e-sla-review', { items: [draftItem('Your refund of 89.90 EUR is on its way.')] });
		expect(response.status).toBe(200);
		const { executionId } = (await response.json()) as { executionId: string };
		const opened = await n8n.waitForExecution(reviewFlow.id, ['waiting', 'error'], { executionId: String(executionId) });
		expect(opened.data.resultData.error?.message).toBeUndefined();
		// The backup reviewer, as Human Approval Wait's Backup Reviewers parameter stores it.
		const db = new DatabaseSync(storeFile());
		try {
			db.prepare('UPDATE hitl_pending_reviews SET backup_reviewers = ? WHERE execution_id = ?').run(JSON.stringify([BACKUP]), String(executionId));
		} finally {
			db.close();
		}

		// 2 reminders, 2 overdue notices, 1 escalation: the escalation comes 1.5 minutes after the target.
		const mails = await smtp.waitForMessages(5, 480_000);
		const byKind = (prefix: string) => mails.filter((mail) => subjectOf(mail).startsWith(prefix));
		expect(byKind('Reminder: ').flatMap((mail) => mail.to).sort()).toEqual(['ann@hitl.test', 'bob@hitl.test']);
		expect(byKind('Overdue: ').flatMap((mail) => mail.to).sort()).toEqual(['ann@hitl.test', 'bob@hitl.test']);
		expect(byKind('Escalated to you: ').flatMap((mail) => mail.to)).toEqual([BACKUP.email]);
		// each with the person's own signed link to this execution's review
		for (const mail of mails) {
			const link = new URL(linkOf(mail));
			expect(link.pathname).toBe(`/webhook-waiting/${executionId}`);
			expect(link.searchParams.get('reviewer')).toBe(mail.to[0]);
			expect(link.searchParams.get('rsig')).toBe(signReviewer(SECRET, { executionId: String(executionId), nodeId: REVIEW_NODE_ID, reviewerId: mail.to[0] }));
		}
		expect(bodyOf(byKind('Escalated to you: ')[0])).toContain('You are a backup reviewer');

		// each step once: the store recorded three steps, and the polls after the escalation send nothing
		const slaExecutions = () => n8n.listExecutions(template.id).length;
		expect(slaExecutions()).toBe(3);
		const steps = () => {
			const read = new DatabaseSync(storeFile(), { readOnly: true });
			try {
				return read.prepare('SELECT step FROM hitl_review_sla_steps WHERE execution_id = ? ORDER BY emitted_ms').all(String(executionId)).map((row) => row.step);
			} finally {
				read.close();
			}
		};
		expect(steps()).toEqual(['reminder', 'overdue', 'escalated']);

		// Ann answers through the link in her overdue mail, on a phone.
		const annLink = linkOf(byKind('Overdue: ').find((mail) => mail.to[0] === 'ann@hitl.test')!);
		const browser = await launchBrowser();
		try {
			const page = await (await browser.newContext({ ...PHONE })).newPage();
			await page.goto(annLink);
			await Promise.all([page.waitForURL(() => true, { waitUntil: 'load' }), page.getByRole('button', { name: 'Approve', exact: true }).click()]);
			await page.getByRole('status').waitFor();
		} finally {
			await browser.close();
		}
		await n8n.waitForExecution(reviewFlow.id, ['success'], { executionId: String(executionId) });

		await n8n.executeWorkflow(metricsFlow.id);
		const metricsRun = await n8n.waitForExecution(metricsFlow.id, ['success', 'error']);
		expect(metricsRun.data.resultData.error?.message).toBeUndefined();
		const [report] = outputItems(metricsRun, 'Metrics');
		const sla = report.sla as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- plain JSON
		// The figures of this run, for the closing note.
		console.log(`Metrics SLA figures of the e2e run:\n${JSON.stringify({ sla, summary: (report.summary as { sla: unknown }).sla }, null, 2)}`);
		expect(sla).toMatchObject({
			reviews: 1,
			withTarget: 1,
			withinTarget: { judged: 1, met: 0, missed: 1, open: 0, share: 0 },
			timeToFirstAnswer: { count: 1 },
			timeToDecision: { count: 1 },
			overdueNow: 0,
			steps: { reminder: 1, overdue: 1, escalated: 1 },
		});
		expect(sla.timeToFirstAnswer.p50Ms).toBeGreaterThan(60_000);
		expect(sla.byReviewer).toEqual([expect.objectContaining({ reviewerId: 'ann@hitl.test', answered: 1, withinTarget: expect.objectContaining({ missed: 1 }) })]);

		// Polls went on meanwhile: nothing more was sent.
		expect(smtp.messages).toHaveLength(5);
		expect(slaExecutions()).toBe(3);

		await screenshotCanvas(n8n, template.id, 8, 'review-sla-reminders');
	});
});
