/**
 * The Review SLA Trigger (issue 15) over the compiled node, n8n-core's PollContext and a real
 * SQLite store: one item per review that crossed a step, with summary, claim and ready personal
 * links (reviewers for a reminder, backup reviewers for an escalation); each step once across polls
 * and a "restarted" process; the editor's Fetch Test Event previews without using anything up;
 * escalations in the audit trail; bad parameters fail with a clear error.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { closeSharedHitlStores, openHitlStore, type HitlStore, type PendingReviewRecord } from '../../../nodes/shared/store';
import { linkHash, viaInboxUrl } from '../../../nodes/shared/reviewInboxLinks';
import { personalLink, sealReviewUrl, signReviewer } from '../../../nodes/shared/reviewSignatures';
import { pollTrigger, type WorkflowJson } from '../harness';

const SECRET = 'a-secret-of-sufficient-length';
const TRIGGER = 'Review SLA Trigger';
const INBOX_URL = 'http://localhost:5678/webhook/review-inbox';
const minutes = (n: number) => new Date(Date.now() + n * 60_000).toISOString();
const resumeUrl = (executionId: string) => `http://localhost:5678/webhook-waiting/${executionId}?signature=tok-${executionId}`;

function workflow(parameters: Record<string, unknown> = {}): WorkflowJson {
	return {
		nodes: [
			{
				id: 'sla-1',
				name: TRIGGER,
				type: 'n8n-nodes-hitl.reviewSlaTrigger',
				typeVersion: 1,
				position: [0, 0],
				parameters: { pollTimes: { item: [{ mode: 'everyMinute' }] }, ...parameters },
				credentials: { hitlStore: { id: '1', name: 'store' }, hitlReviewSecretApi: { id: '2', name: 'secret' } },
			},
		],
		connections: {},
	};
}

function review(executionId: string, overrides: Partial<PendingReviewRecord> = {}): PendingReviewRecord {
	return {
		executionId,
		nodeName: 'Human Approval',
		nodeId: `haw-${executionId}`,
		workflowId: 'wf-1',
		workflowName: 'Refunds',
		title: 'Refund reply',
		items: [{ caseId: `case-${executionId}`, summary: 'I want my money back', reasons: ['RISK_FLAG'], intent: 'refund', riskFlags: ['legal'] }],
		requestedAt: minutes(-10),
		reviewerMode: 'named',
		reviewers: [
			{ id: 'ann@example.com', name: 'Ann' },
			{ id: 'bob@example.com', name: 'Bob' },
		],
		backupReviewers: [{ id: 'lead@example.com', name: 'Shift lead', email: 'lead@example.com' }],
		priority: 3,
		sealedLink: sealReviewUrl(SECRET, resumeUrl(executionId)),
		resumeBase: `http://localhost:5678/webhook-waiting/${executionId}`,
		linkHash: linkHash(executionId, `tok-${executionId}`),
		...overrides,
	};
}

const personal = (executionId: string, reviewerId: string) =>
	personalLink(resumeUrl(executionId), reviewerId, signReviewer(SECRET, { executionId, nodeId: `haw-${executionId}`, reviewerId }));

describe('Review SLA Trigger', () => {
	let folder: string;
	let credentials: Record<string, Record<string, string>>;
	let store: HitlStore;
	beforeEach(async () => {
		folder = mkdtempSync(path.join(tmpdir(), 'hitl-sla-wf-'));
		credentials = { hitlReviewSecretApi: { secret: SECRET }, hitlStore: { backend: 'embedded', filePath: path.join(folder, 'hitl.sqlite') } };
		store = await openHitlStore({ backend: 'embedded', filePath: credentials.hitlStore.filePath });
		// Reminder due (75 % of 12 minutes = 9 passed), overdue and escalated, no target, decided, not yet due.
		await store.pendingReviews.registerPendingReview(review('remind', { respondBy: minutes(2) }));
		await store.pendingReviews.registerPendingReview(review('late', { requestedAt: minutes(-40), respondBy: minutes(-10) }));
		await store.pendingReviews.registerPendingReview(review('no-target'));
		await store.pendingReviews.registerPendingReview(review('decided', { respondBy: minutes(-1) }));
		await store.pendingReviews.closePendingReview({ executionId: 'decided', nodeName: 'Human Approval' }, { status: 'decided', at: minutes(0) });
		await store.pendingReviews.registerPendingReview(review('fresh', { requestedAt: minutes(0), respondBy: minutes(30) }));
		await store.pendingReviews.claimReview({ executionId: 'late', nodeName: 'Human Approval' }, { reviewerId: 'bob@example.com', reviewerName: 'Bob', now: minutes(0), ttlMs: 900_000 });
	});
	afterEach(async () => {
		await store.close();
		await closeSharedHitlStores();
		rmSync(folder, { recursive: true, force: true });
	});

	it('emits one item per review that crossed a step, with ready links; each step once, also after a restart', async () => {
		const first = await pollTrigger(workflow(), TRIGGER, { credentials });
		const items = (first?.[0] ?? []).map((item) => item.json as Record<string, any>); // eslint-disable-line @typescript-eslint/no-explicit-any -- test reads plain JSON
		// "late" crossed its target and its escalation (at the target) in this one poll: its reviewers
		// get the overdue notice, its backup reviewer the escalation — two items, one per audience.
		expect(items.map((item) => [item.executionId, item.step, item.steps])).toEqual([
			['late', 'overdue', ['overdue']],
			['late', 'escalated', ['escalated']],
			['remind', 'reminder', ['reminder']],
		]);
		const [lateOverdue, late, remind] = items;
		expect(lateOverdue).toMatchObject({
			minutesLeft: -10,
			recipients: [
				{ id: 'ann@example.com', name: 'Ann', email: 'ann@example.com', url: personal('late', 'ann@example.com') },
				{ id: 'bob@example.com', name: 'Bob', email: 'bob@example.com', url: personal('late', 'bob@example.com') },
			],
		});
		expect(remind).toMatchObject({
			title: 'Refund reply',
			workflowName: 'Refunds',
			priority: 'high',
			summary: 'I want my money back',
			claimedBy: null,
			minutesLeft: 1,
			recipients: [
				{ id: 'ann@example.com', name: 'Ann', email: 'ann@example.com', url: personal('remind', 'ann@example.com') },
				{ id: 'bob@example.com', name: 'Bob', email: 'bob@example.com', url: personal('remind', 'bob@example.com') },
			],
		});
		expect(late).toMatchObject({
			claimedBy: { id: 'bob@example.com', name: 'Bob' },
			minutesLeft: -10,
			recipients: [{ id: 'lead@example.com', name: 'Shift lead', email: 'lead@example.com', url: personal('late', 'lead@example.com') }],
		});

		// The next poll has nothing new; neither has a "restarted" process (a fresh shared store).
		expect(await pollTrigger(workflow(), TRIGGER, { credentials })).toBeNull();
		await closeSharedHitlStores();
		expect(await pollTrigger(workflow(), TRIGGER, { credentials })).toBeNull();

		expect(await store.reviewSla.listSlaSteps({ executionId: 'late', nodeName: 'Human Approval' })).toEqual([
			{ step: 'overdue', emittedAt: expect.any(String) },
			{ step: 'escalated', emittedAt: expect.any(String) },
		]);
		const audit = await store.listAudit({ executionId: 'late' });
		expect(audit.map((entry) => [entry.event, entry.actor])).toEqual([
			['slaOverdue', TRIGGER],
			['slaEscalated', TRIGGER],
		]);
		expect(audit[1].detail).toMatchObject({ backupReviewers: ['lead@example.com'] });
	});

	it('Fetch Test Event previews what is due without recording it', async () => {
		const preview = await pollTrigger(workflow(), TRIGGER, { credentials, mode: 'manual' });
		expect(preview?.[0].map((item) => item.json.executionId)).toEqual(['late', 'late', 'remind']);
		expect(await store.reviewSla.listSlaSteps({ executionId: 'late', nodeName: 'Human Approval' })).toEqual([]);
		const real = await pollTrigger(workflow(), TRIGGER, { credentials });
		expect(real?.[0].map((item) => item.json.executionId)).toEqual(['late', 'late', 'remind']);
	});

	it('links go through the Review Inbox when its URL is set; a later escalation waits for its delay', async () => {
		const polled = await pollTrigger(workflow({ inboxUrl: INBOX_URL, escalateAfterMinutes: 30 }), TRIGGER, { credentials });
		const late = polled?.[0].find((item) => item.json.executionId === 'late')?.json as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- plain JSON
		expect(late.steps).toEqual(['overdue']);
		const rsig = signReviewer(SECRET, { executionId: 'late', nodeId: 'haw-late', reviewerId: 'ann@example.com' });
		expect(late.recipients[0].url).toBe(
			viaInboxUrl(INBOX_URL, { executionId: 'late', nodeName: 'Human Approval', signature: 'tok-late', reviewerId: 'ann@example.com', rsig }),
		);
	});

	it('without the review secret the items say why they carry no links', async () => {
		const { hitlReviewSecretApi: _secret, ...storeOnly } = credentials;
		const json = workflow();
		delete json.nodes[0].credentials!.hitlReviewSecretApi;
		const polled = await pollTrigger(json, TRIGGER, { credentials: storeOnly });
		// the first item is the overdue notice to the late review's two reviewers
		expect(polled?.[0][0].json).toMatchObject({
			step: 'overdue',
			linksMissing: expect.stringContaining('HITL Review Secret'),
			recipients: [expect.objectContaining({ url: '' }), expect.objectContaining({ url: '' })],
		});
	});

	it('refuses a reminder share outside 0–99 and a policy with every step off, naming the field', async () => {
		await expect(pollTrigger(workflow({ reminderPercent: 150 }), TRIGGER, { credentials })).rejects.toThrow('"Remind At (% of Target)" must be from 0 to 99');
		await expect(pollTrigger(workflow({ reminderPercent: 0, overdue: false, escalate: false }), TRIGGER, { credentials })).rejects.toThrow(
			'Every step is turned off',
		);
	});
});
