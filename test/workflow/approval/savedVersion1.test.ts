/**
 * Saved workflows are a contract: a workflow JSON saved with Human Approval Wait `typeVersion: 1`
 * (test/fixtures/approval) still loads and runs now that the node is a VersionedNodeType — the
 * version-1 class is picked, its outputs keep their order, and a review is asked for, answered
 * and routed, or times out onto output 0.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { closeSharedHitlStores, openHitlStore } from '../../../nodes/shared/store';
import { loadPackageNodes, nodeTypeOfVersion, PROJECT_ROOT } from '../../support/packageNodes';
import { runWorkflow, type WorkflowJson } from '../harness';
import { callReviewWebhook } from './resumeWebhook';

const saved = JSON.parse(readFileSync(join(PROJECT_ROOT, 'test/fixtures/approval/human-approval-wait-v1.workflow.json'), 'utf8')) as WorkflowJson;
const WAIT = 'Human Approval Wait';
const LOG = 'Feedback Log';

const input: IDataObject = {
	message: 'Where is my refund for order 1182?',
	order: { id: '1182' },
	hitl: {
		caseId: 'V1-1',
		draft: {
			text: 'Your refund of 40 EUR was sent today.',
			model: 'gpt-4o-mini',
			confidence: { score: 0.62, method: 'verbalized', signals: {} },
			riskFlags: [],
			usage: { promptTokens: 1, completionTokens: 1 },
			latencyMs: 1,
		},
	},
};

describe('a workflow saved with Human Approval Wait version 1', () => {
	let dir: string;
	let credentials: { hitlStore: { backend: string; filePath: string } };

	beforeAll(() => {
		dir = mkdtempSync(join(tmpdir(), 'hitl-v1-'));
		credentials = { hitlStore: { backend: 'embedded', filePath: join(dir, 'hitl.sqlite') } };
	});
	afterAll(async () => {
		await closeSharedHitlStores();
		rmSync(dir, { recursive: true, force: true });
	});

	it('loads the version-1 class, with the outputs saved connections point to', () => {
		const node = saved.nodes.find((entry) => entry.name === WAIT)!;
		expect(node.typeVersion).toBe(1);
		const type = nodeTypeOfVersion(loadPackageNodes().get(node.type)!, node.typeVersion);
		expect(type.constructor.name).toBe('HumanApprovalWaitV1');
		expect(type.description.version).toBe(1);
		expect(type.description.outputNames).toEqual(['Timed Out', 'Approved', 'Rejected', 'Escalated']);
		expect(type.description.icon).toEqual({ light: 'file:humanApprovalWait.svg', dark: 'file:humanApprovalWait.dark.svg' });
	});

	it('waits, shows the page, and routes the answer to Approved with its review', async () => {
		const executionId = '900';
		const waiting = await runWorkflow(saved, { input: [input], executionId, credentials });
		expect(waiting.status).toBe('waiting');
		expect(waiting.executionOrder).toEqual(["When clicking 'Execute workflow'", WAIT]);

		const page = await callReviewWebhook(saved, waiting.run, WAIT, { method: 'GET', executionId }, credentials);
		expect(page.response.statusCode).toBe(200);
		expect(page.response.body).toContain('Review the reply to the customer');
		expect(page.response.body).toContain('Where is my refund for order 1182?');
		const token = page.response.body.match(/name="token" value="([^"]+)"/)![1];

		const refused = await callReviewWebhook(saved, waiting.run, WAIT, { method: 'POST', executionId, body: { token, action: 'reject' } }, credentials);
		expect(refused.response.statusCode).toBe(422); // "Require a Reason to Reject" was saved on
		expect(refused.response.body).toContain('pick a reason for the rejection');

		const answered = await callReviewWebhook(
			saved,
			waiting.run,
			WAIT,
			{ method: 'POST', executionId, body: { token, action: 'approve', reviewerName: 'Vera', text_0: 'Your refund of 40 EUR was sent today.' } },
			credentials,
		);
		expect(answered.response.statusCode).toBe(200);
		const outputs = answered.result.workflowData as INodeExecutionData[][];
		expect(outputs.map((output) => output.length)).toEqual([0, 1, 0, 0]);
		expect(outputs[1][0].json.hitl).toMatchObject({
			caseId: 'V1-1',
			review: { decision: 'approved', finalText: 'Your refund of 40 EUR was sent today.', reviewers: [{ id: 'link', name: 'Vera' }] },
		});

		const store = await openHitlStore({ backend: 'embedded', filePath: credentials.hitlStore.filePath });
		try {
			const events = (await store.listAudit({ executionId })).map((entry) => entry.event);
			expect(events).toEqual(['requested', 'linkOpened', 'answered', 'decided']);
		} finally {
			await store.close();
		}
	});

	it('a saved "Answer By" in the past fails with what to change', async () => {
		const past: WorkflowJson = {
			...saved,
			nodes: saved.nodes.map((node) =>
				node.name === WAIT ? { ...node, parameters: { ...node.parameters, deadlineMode: 'atTime', deadlineAt: '2020-01-01T00:00:00Z' } } : node,
			),
		};
		const run = await runWorkflow(past, { input: [input], executionId: '902', credentials });
		expect(run.status).toBe('error');
		expect(run.error?.message).toBe('"Answer By" (2020-01-01T00:00:00.000Z) is already in the past');
		expect((run.error as { description?: string }).description).toBe('Set "Time Limit" to None, or give a positive amount or a date in the future.');
	});

	it('times out onto output 0, and the Feedback Log after it records that', async () => {
		const executionId = '901';
		const waiting = await runWorkflow(saved, { input: [input], executionId, credentials });
		expect(waiting.status).toBe('waiting');
		const timedOut = await runWorkflow(saved, { resume: waiting.run, executionId, credentials });
		expect(timedOut.status).toBe('success');
		expect(timedOut.output(WAIT, 0)).toHaveLength(1);
		expect(timedOut.output(LOG)[0].json.hitl).toMatchObject({ caseId: 'V1-1', logged: { id: expect.any(String) } });
	});
});
