/**
 * Human Approval Wait and the Review Inbox (issue 14), in a real workflow over the compiled node
 * and a real SQLite store: the review is registered with its priority, summary and a link only
 * the package can open; the page shows priority and claim and posts through the inbox; another
 * reviewer's claim refuses an answer unless it is taken over (recorded); the decision closes it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { INodeExecutionData } from 'n8n-workflow';

import { closeSharedHitlStores, openHitlStore } from '../../../nodes/shared/store';
import { openSealedReviewUrl, personalLink, signReviewer } from '../../../nodes/shared/reviewSignatures';
import { runWorkflow, type WorkflowJson } from '../harness';
import { callReviewWebhook } from './resumeWebhook';

const NODE = 'Human Approval';
const NODE_ID = 'inbox-node-0001';
const SECRET = 'a-secret-of-sufficient-length';
const INBOX_URL = 'http://localhost:5678/webhook/review-inbox';

function workflow(parameters: Record<string, unknown> = {}): WorkflowJson {
	return {
		nodes: [
			{ id: 'trigger', name: 'Manual Trigger', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
			{
				id: NODE_ID,
				name: NODE,
				type: 'n8n-nodes-hitl.humanApprovalWait',
				typeVersion: 1,
				position: [200, 0],
				parameters: {
					title: 'Refund reply',
					notify: 'none',
					reviewerMode: 'named',
					useStore: true,
					inboxUrl: INBOX_URL,
					customerMessageField: 'message',
					reviewers: { reviewer: [{ name: 'Ann', email: 'ann@example.com' }, { name: 'Bob', email: 'bob@example.com' }] },
					...parameters,
				},
			},
		],
		connections: { 'Manual Trigger': { main: [[{ node: NODE, type: 'main', index: 0 }]] } },
	};
}

const flaggedItem = {
	message: 'I want my money back, card 4111 1111 1111 1111.',
	hitl: {
		caseId: 'c-1',
		draft: { text: 'We will look into it.', model: 't', confidence: { score: 0.8, method: 'verbalized', signals: {} }, riskFlags: ['legal'], intent: 'refund', usage: { promptTokens: 1, completionTokens: 1 }, latencyMs: 1 },
		gate: { route: 'review', reasons: [{ code: 'RISK_FLAG', detail: 'legal' }], threshold: 0.9, sampledForAudit: false, shadow: false, breakerOpen: false },
	},
};

describe('Human Approval Wait registers its reviews for the Review Inbox', () => {
	let folder: string;
	let credentials: Record<string, Record<string, string>>;
	beforeEach(() => {
		folder = mkdtempSync(path.join(tmpdir(), 'hitl-inbox-wf-'));
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

	it('registers, shows priority and claim, refuses an answer under another claim unless taken over, closes on the decision', async () => {
		const executionId = '601';
		const json = workflow();
		const result = await runWorkflow(json, { input: [flaggedItem], executionId, credentials });
		expect(result.error).toBeUndefined();
		expect(result.status).toBe('waiting');

		const store = await openHitlStore({ backend: 'embedded', filePath: credentials.hitlStore.filePath });
		try {
			const key = { executionId, nodeName: NODE };
			const pending = await store.pendingReviews.getPendingReview(key, new Date().toISOString());
			expect(pending).toMatchObject({
				status: 'pending',
				title: 'Refund reply',
				priority: 3,
				reviewerMode: 'named',
				reviewers: [
					{ id: 'ann@example.com', name: 'Ann' },
					{ id: 'bob@example.com', name: 'Bob' },
				],
				items: [{ caseId: 'c-1', reasons: ['RISK_FLAG'], intent: 'refund', riskFlags: ['legal'], confidence: 0.8 }],
			});
			// No card number in the store; the link is sealed (only the secret opens it).
			expect(pending!.items[0].summary).toContain('I want my money back');
			expect(pending!.items[0].summary).not.toContain('4111 1111 1111 1111');
			expect(JSON.stringify(pending)).not.toContain('webhook-waiting/601?');
			expect(openSealedReviewUrl(SECRET, pending!.sealedLink!)).toMatch(/\/webhook-waiting\/601/);

			// Ann claims it (as the inbox does); Bob's page says so and his answer is refused.
			await store.pendingReviews.claimReview(key, { reviewerId: 'ann@example.com', reviewerName: 'Ann', now: new Date().toISOString(), ttlMs: 900_000 });
			const bobQuery = linkOf(executionId, 'bob@example.com');
			const page = await callReviewWebhook(json, result.run, NODE, { method: 'GET', query: bobQuery, executionId }, credentials);
			expect(page.response.statusCode).toBe(200);
			const body = page.response.body;
			expect(body).toContain('priority <strong>high</strong>');
			expect(body).toContain('Being reviewed by <strong>Ann</strong>, claimed just now.');
			expect(body).toContain(`<form method="post" action="${INBOX_URL}" accept-charset="utf-8" novalidate><input type="hidden" name="execution" value="601">`);
			expect(body).toContain('Your review inbox');
			const token = body.match(/name="token" value="([^"]+)"/)![1];

			const refused = await callReviewWebhook(json, result.run, NODE, { method: 'POST', query: bobQuery, executionId, body: { token, action: 'approve', text_0: 'We will look into it.' } }, credentials);
			expect(refused.response.statusCode).toBe(409);
			expect(refused.response.body).toContain('Ann is reviewing this (claimed 0 minutes ago)');
			expect(refused.result.workflowData).toBeUndefined();

			const taken = await callReviewWebhook(
				json,
				result.run,
				NODE,
				{ method: 'POST', query: bobQuery, executionId, body: { token, action: 'approve', text_0: 'We will look into it.', takeOver: 'yes' } },
				credentials,
			);
			expect((taken.result.workflowData as INodeExecutionData[][])[1]).toHaveLength(1);

			const closed = await store.pendingReviews.getPendingReview(key, new Date().toISOString());
			expect(closed).toMatchObject({ status: 'decided', decisions: ['approved'], decidedBy: ['Bob'] });
			expect(closed!.claim).toBeUndefined();
			const events = (await store.listAudit({ executionId })).map((entry) => `${entry.event}:${entry.actor ?? ''}`);
			expect(events).toEqual(expect.arrayContaining(['refused:bob@example.com', 'takenOver:bob@example.com', 'decided:bob@example.com']));
		} finally {
			await store.close();
		}
	});

	it('a Priority expression overrides the derived one; a wrong value names the item and the field', async () => {
		const ok = await runWorkflow(workflow({ priority: 'low' }), { input: [flaggedItem], executionId: '602', credentials });
		expect(ok.status).toBe('waiting');
		const store = await openHitlStore({ backend: 'embedded', filePath: credentials.hitlStore.filePath });
		try {
			expect((await store.pendingReviews.getPendingReview({ executionId: '602', nodeName: NODE }, new Date().toISOString()))?.priority).toBe(1);
		} finally {
			await store.close();
		}
		const bad = await runWorkflow(workflow({ priority: 'soon' }), { input: [flaggedItem], executionId: '603', credentials });
		expect(bad.error?.message).toContain('Item 1: "Priority" is not urgent, high, normal, low or 1–4');
	});

	it('a shared-link review keeps its link sealed when the node has the review secret (the inbox can open it), and none without', async () => {
		const linkMode = (withSecret: boolean): WorkflowJson => {
			const json = workflow({ reviewerMode: 'link', reviewers: {} });
			if (withSecret) json.nodes[1].credentials = { hitlStore: { id: 'store-1', name: 'HITL Store' }, hitlReviewSecretApi: { id: 'secret-1', name: 'HITL Review Secret' } };
			return json;
		};
		const run = await runWorkflow(linkMode(true), { input: [flaggedItem], executionId: '604', credentials });
		expect(run.error?.message).toBeUndefined();
		expect(run.status).toBe('waiting');
		expect((await runWorkflow(linkMode(false), { input: [flaggedItem], executionId: '605', credentials })).status).toBe('waiting');
		const store = await openHitlStore({ backend: 'embedded', filePath: credentials.hitlStore.filePath });
		try {
			const sealed = await store.pendingReviews.getPendingReview({ executionId: '604', nodeName: NODE }, new Date().toISOString());
			expect(sealed?.reviewerMode).toBe('link');
			expect(openSealedReviewUrl(SECRET, sealed!.sealedLink!)).toMatch(/\/webhook-waiting\/604\b/);
			const unsealed = await store.pendingReviews.getPendingReview({ executionId: '605', nodeName: NODE }, new Date().toISOString());
			expect(unsealed?.sealedLink).toBeUndefined();
		} finally {
			await store.close();
		}
	});
});
