/**
 * Backup reviewers (issue 15, item 3) over the compiled nodes and a real SQLite store: Human
 * Approval Wait registers them with the pending review; their link is refused before the Review
 * SLA Trigger records the escalation (403, the "not valid yet" page, nothing recorded) and works
 * after it; the trigger's `escalated` item carries their personal links; the escalation is in the
 * audit trail once. Bad lists name the person.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import type { INodeExecutionData } from 'n8n-workflow';

import { closeSharedHitlStores, openHitlStore } from '../../../nodes/shared/store';
import { personalLink, signReviewer } from '../../../nodes/shared/reviewSignatures';
import { callReviewWebhook } from '../approval/resumeWebhook';
import { pollTrigger, runWorkflow } from '../harness';
import { ANN, APPROVAL_NODE, approvalWorkflow, REVIEW_SECRET, reviewItem, slaTriggerWorkflow } from './slaWorkflows';

const NODE = APPROVAL_NODE;
const NODE_ID = 'sla-backup-0001';
const SECRET = REVIEW_SECRET;
const SAM = { id: 'sam@example.com', name: 'Sam Shift-Lead' };

const approval = (parameters: Record<string, unknown> = {}) =>
	approvalWorkflow(NODE_ID, { customerMessageField: 'message', reviewers: { reviewer: [ANN] }, backupReviewers: { reviewer: [{ name: SAM.name, email: SAM.id }] }, ...parameters }, { credentials: true });
const slaTrigger = (escalate: boolean) => slaTriggerWorkflow({ reminderPercent: 0, overdue: true, escalate });
const input = [reviewItem('c-1')];

describe('Human Approval Wait: Backup Reviewers', () => {
	let folder: string;
	let credentials: Record<string, Record<string, string>>;
	beforeEach(() => {
		folder = mkdtempSync(path.join(tmpdir(), 'hitl-sla-backup-'));
		credentials = { hitlReviewSecretApi: { secret: SECRET }, hitlStore: { backend: 'embedded', filePath: path.join(folder, 'hitl.sqlite') } };
	});
	afterEach(async () => {
		await closeSharedHitlStores();
		rmSync(folder, { recursive: true, force: true });
	});

	const linkOf = (executionId: string, reviewerId: string) =>
		Object.fromEntries(
			new URL(
				personalLink(`http://localhost:5678/webhook-waiting/${executionId}?signature=tok`, reviewerId, signReviewer(SECRET, { executionId, nodeId: NODE_ID, reviewerId })),
			).searchParams,
		);

	it('refused before the escalation with the time it can become valid, emitted with personal links at it, answering after it', async () => {
		const executionId = '801';
		// 0.0001 minutes = 6 ms: past by the time the trigger polls.
		const run = await runWorkflow(approval({ respondWithinMinutes: 0.0001 }), { input, executionId, credentials });
		expect(run.status).toBe('waiting');
		const store = await openHitlStore({ backend: 'embedded', filePath: credentials.hitlStore.filePath });
		try {
			const key = { executionId, nodeName: NODE };
			const review = await store.pendingReviews.getPendingReview(key, new Date().toISOString());
			expect(review?.backupReviewers).toEqual([{ id: SAM.id, name: SAM.name, email: SAM.id }]);

			const before = await callReviewWebhook(approval(), run.run, NODE, { method: 'GET', query: linkOf(executionId, SAM.id), executionId }, credentials);
			expect(before.response.statusCode).toBe(403);
			expect(before.response.body).toContain('This link is not valid yet');
			expect(before.response.body).toContain(`Valid from the escalation, not before <time datetime="${review!.respondBy}">`);
			// The reviewer is not held back.
			const ann = await callReviewWebhook(approval(), run.run, NODE, { method: 'GET', query: linkOf(executionId, 'ann@example.com'), executionId }, credentials);
			expect(ann.response.statusCode).toBe(200);
			expect(ann.response.body).toMatch(/overdue by \d+ s<\/strong>/);

			// A trigger without escalation does not open the backups' links.
			await pollTrigger(slaTrigger(false), 'Review SLA Trigger', { credentials });
			const still = await callReviewWebhook(approval(), run.run, NODE, { method: 'GET', query: linkOf(executionId, SAM.id), executionId }, credentials);
			expect(still.response.statusCode).toBe(403);

			const polled = await pollTrigger(slaTrigger(true), 'Review SLA Trigger', { credentials });
			const notice = polled?.[0][0].json as { step: string; recipients: { id: string; name: string; email: string; url: string }[] };
			expect(notice.step).toBe('escalated');
			expect(notice.recipients).toEqual([{ id: SAM.id, name: SAM.name, email: SAM.id, url: expect.any(String) }]);
			expect(Object.fromEntries(new URL(notice.recipients[0].url).searchParams)).toMatchObject({
				reviewer: SAM.id,
				rsig: signReviewer(SECRET, { executionId, nodeId: NODE_ID, reviewerId: SAM.id }),
			});
			// A second poll emits nothing: the escalation is recorded once, in the steps and the trail.
			expect(await pollTrigger(slaTrigger(true), 'Review SLA Trigger', { credentials })).toBeNull();
			const audit = await store.listAudit({ executionId });
			expect(audit.filter((entry) => entry.event === 'slaEscalated')).toHaveLength(1);

			const page = await callReviewWebhook(approval(), run.run, NODE, { method: 'GET', query: linkOf(executionId, SAM.id), executionId }, credentials);
			expect(page.response.statusCode).toBe(200);
			expect(page.response.body).toContain('a backup reviewer: the review was escalated at');
			// With a Review Inbox the review page offers its reviewer a claim, the backup none (the inbox takes claims from the reviewers only).
			const viaInbox = approval({ inboxUrl: 'http://localhost:5678/webhook/review-inbox' });
			const backupPage = await callReviewWebhook(viaInbox, run.run, NODE, { method: 'GET', query: linkOf(executionId, SAM.id), executionId }, credentials);
			expect(backupPage.response.body).toContain('a backup reviewer');
			expect(backupPage.response.body).not.toContain('Claim this review');
			const reviewerPage = await callReviewWebhook(viaInbox, run.run, NODE, { method: 'GET', query: linkOf(executionId, 'ann@example.com'), executionId }, credentials);
			expect(reviewerPage.response.body).toContain('Claim this review');
			const token = page.response.body.match(/name="token" value="([^"]+)"/)![1];
			const answer = await callReviewWebhook(
				approval(),
				run.run,
				NODE,
				{ method: 'POST', query: linkOf(executionId, SAM.id), executionId, body: { token, action: 'approve' } },
				credentials,
			);
			expect(answer.response.statusCode).toBe(200);
			const outputs = answer.result.workflowData as INodeExecutionData[][];
			const decided = (outputs[1][0].json.hitl as { review: { decision: string; reviewers: { id: string }[] } }).review;
			expect(decided.decision).toBe('approved');
			expect(decided.reviewers.map((reviewer) => reviewer.id)).toEqual([SAM.id]);
			const events = (await store.listAudit({ executionId })).map((entry) => `${entry.event}:${entry.actor}`);
			expect(events).toEqual(expect.arrayContaining([`refused:${SAM.id}`, 'slaEscalated:Review SLA Trigger', `answered:${SAM.id}`, `decided:${SAM.id}`]));
		} finally {
			await store.close();
		}
	});

	it('a person listed as reviewer and backup, or a backup without name and e-mail, fails the node naming them', async () => {
		const twice = await runWorkflow(approval({ backupReviewers: { reviewer: [{ name: 'Ann', email: 'ann@example.com' }] } }), { input, executionId: '802', credentials });
		expect(twice.error?.message).toContain('"Ann" is listed twice among the reviewers and backup reviewers');
		const empty = await runWorkflow(approval({ backupReviewers: { reviewer: [{ name: '', email: '' }] } }), { input, executionId: '803', credentials });
		expect(empty.error?.message).toContain('Backup reviewer 1 has neither a name nor an e-mail');
	});

	it('backups are ignored without "Record in Store" (the escalation lives in the store): the node runs as before', async () => {
		const run = await runWorkflow(approval({ useStore: false }), { input, executionId: '804', credentials });
		expect(run.error).toBeUndefined();
		expect(run.status).toBe('waiting');
	});
});
