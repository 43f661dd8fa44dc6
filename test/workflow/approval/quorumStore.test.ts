/**
 * Named reviewers with "2 approvals needed": partial answers live in the HITL store (a real
 * SQLite file through node:sqlite), survive the store being closed and reopened (as after an n8n
 * restart), and every page view and answer is in the audit log.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { INodeExecutionData } from 'n8n-workflow';

import { closeSharedHitlStores, openHitlStore } from '../../../nodes/shared/store';
import { personalLink, signReviewer } from '../../../nodes/HumanApprovalWait/reviewerLinks';
import { runWorkflow, type WorkflowJson } from '../harness';
import { callReviewWebhook } from './resumeWebhook';

const NODE = 'Human Approval';
const NODE_ID = 'quorum-node-0001';
const SECRET = 'a-secret-of-sufficient-length';

const json: WorkflowJson = {
	nodes: [
		{ id: 'trigger', name: 'Manual Trigger', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
		{
			id: NODE_ID,
			name: NODE,
			type: 'n8n-nodes-hitl.humanApprovalWait',
			typeVersion: 1,
			position: [200, 0],
			parameters: {
				notify: 'none',
				reviewerMode: 'named',
				approvalsNeeded: 2,
				useStore: true,
				reviewers: {
					reviewer: [
						{ name: 'Ann', email: 'ann@example.com' },
						{ name: 'Bob', email: 'bob@example.com' },
						{ name: 'Cat', email: 'cat@example.com' },
					],
				},
			},
		},
	],
	connections: { 'Manual Trigger': { main: [[{ node: NODE, type: 'main', index: 0 }]] } },
};

describe('quorum with the HITL store', () => {
	let folder: string;
	let credentials: Record<string, Record<string, string>>;

	beforeEach(() => {
		folder = mkdtempSync(path.join(tmpdir(), 'hitl-quorum-'));
		credentials = {
			hitlReviewSecretApi: { secret: SECRET },
			hitlStore: { backend: 'embedded', filePath: path.join(folder, 'hitl.sqlite') },
		};
	});
	afterEach(async () => {
		await closeSharedHitlStores();
		rmSync(folder, { recursive: true, force: true });
	});

	function linkOf(executionId: string, reviewerId: string): Record<string, string> {
		const url = new URL(
			personalLink(
				`http://localhost:5678/form-waiting/${executionId}?signature=tok`,
				reviewerId,
				signReviewer(SECRET, { executionId, nodeId: NODE_ID, reviewerId }),
			),
		);
		return Object.fromEntries(url.searchParams);
	}

	it('waits for the second approval, across a store restart, then resumes with both reviewers', async () => {
		const executionId = '501';
		const result = await runWorkflow(json, { input: [{ message: 'm', hitl: { caseId: 'c-1', draft: draftPart('Hello.') } }], executionId, credentials });
		expect(result.error).toBeUndefined();
		expect(result.status).toBe('waiting');

		const answer = async (reviewerId: string, fields: Record<string, string>) => {
			const query = linkOf(executionId, reviewerId);
			const page = await callReviewWebhook(json, result.run, NODE, { method: 'GET', query, executionId }, credentials);
			expect(page.response.statusCode).toBe(200);
			const token = page.response.body.match(/name="token" value="([^"]+)"/)![1];
			return await callReviewWebhook(json, result.run, NODE, { method: 'POST', query, executionId, body: { token, ...fields } }, credentials);
		};

		const ann = await answer('ann@example.com', { action: 'approve', text_0: 'Hello.' });
		expect(ann.response.body).toContain('More approvals are needed');
		expect(ann.result.workflowData).toBeUndefined();

		// n8n restarts: this process's handles are gone, the file remains.
		await closeSharedHitlStores();

		const annAgain = await callReviewWebhook(json, result.run, NODE, { method: 'GET', query: linkOf(executionId, 'ann@example.com'), executionId }, credentials);
		expect(annAgain.response.statusCode).toBe(409);
		expect(annAgain.response.body).toContain('already answered');

		const bobPage = await callReviewWebhook(json, result.run, NODE, { method: 'GET', query: linkOf(executionId, 'bob@example.com'), executionId }, credentials);
		expect(bobPage.response.body).toContain('Ann');
		expect(bobPage.response.body).toContain('2 approvals needed');

		const bob = await answer('bob@example.com', { action: 'approve', text_0: 'Hello, edited.' });
		const outputs = bob.result.workflowData as INodeExecutionData[][];
		expect(outputs[1]).toHaveLength(1);
		const review = (outputs[1][0].json.hitl as { review: { decision: string; finalText: string; reviewers: { id: string; name: string }[] } }).review;
		expect(review.decision).toBe('edited');
		expect(review.finalText).toBe('Hello, edited.');
		expect(review.reviewers.map((reviewer) => [reviewer.id, reviewer.name])).toEqual([
			['ann@example.com', 'Ann'],
			['bob@example.com', 'Bob'],
		]);

		const cat = await callReviewWebhook(json, result.run, NODE, { method: 'GET', query: linkOf(executionId, 'cat@example.com'), executionId }, credentials);
		expect(cat.response.statusCode).toBe(409);
		// Cat learns it was decided, by whom and how, read from the store.
		expect(cat.response.body).toContain('Already decided');
		expect(cat.response.body).toContain('Approved with changes</span><span class="decided-by"> by Ann, Bob');

		// Bob's link edited to claim Cat's identity.
		const forged = await callReviewWebhook(
			json,
			result.run,
			NODE,
			{ method: 'GET', query: { ...linkOf(executionId, 'bob@example.com'), reviewer: 'cat@example.com' }, executionId },
			credentials,
		);
		expect(forged.response.statusCode).toBe(403);

		const store = await openHitlStore({ backend: 'embedded', filePath: credentials.hitlStore.filePath });
		try {
			const events = (await store.listAudit({ executionId })).map((entry) => `${entry.event}:${entry.actor ?? ''}`);
			expect(events).toEqual([
				'requested:system',
				'linkOpened:ann@example.com',
				'answered:ann@example.com',
				'refused:ann@example.com',
				'linkOpened:bob@example.com',
				'linkOpened:bob@example.com',
				'answered:bob@example.com',
				'decided:bob@example.com',
				'refused:cat@example.com',
				'refused:cat@example.com',
			]);
		} finally {
			await store.close();
		}
	});

	it('lets one rejection decide at once', async () => {
		const executionId = '502';
		const result = await runWorkflow(json, { input: [{ hitl: { caseId: 'c-2', draft: draftPart('Hi.') } }], executionId, credentials });
		const query = linkOf(executionId, 'cat@example.com');
		const page = await callReviewWebhook(json, result.run, NODE, { method: 'GET', query, executionId }, credentials);
		const token = page.response.body.match(/name="token" value="([^"]+)"/)![1];
		const cat = await callReviewWebhook(json, result.run, NODE, { method: 'POST', query, executionId, body: { token, action: 'reject' } }, credentials);
		expect((cat.result.workflowData as INodeExecutionData[][])[2]).toHaveLength(1);
	});
});

function draftPart(text: string) {
	return {
		text,
		model: 'test',
		confidence: { score: 0.5, method: 'verbalized', signals: {} },
		riskFlags: [],
		usage: { promptTokens: 1, completionTokens: 1 },
		latencyMs: 1,
	};
}
