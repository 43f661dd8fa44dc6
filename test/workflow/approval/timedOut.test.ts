/**
 * What happens when nobody answers: n8n's wait tracker goes on with the execution without running
 * Human Approval Wait (the waiting node is disabled and passes its input to output 0), so the item
 * leaves on Timed Out with no review, and the Feedback Log after it records it as timed out.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { IDataObject } from 'n8n-workflow';

import { openHitlStore } from '../../../nodes/shared/store';
import { runWorkflow, type WorkflowJson } from '../harness';

const WAIT = 'Human Approval';
const LOG = 'Feedback Log';

const workflow: WorkflowJson = {
	nodes: [
		{ id: '1', name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
		{ id: '2', name: WAIT, type: 'n8n-nodes-hitl.humanApprovalWait', typeVersion: 1, position: [200, 0], parameters: { notify: 'none' } },
		{
			id: '3',
			name: LOG,
			type: 'n8n-nodes-hitl.feedbackLog',
			typeVersion: 1,
			position: [400, 0],
			parameters: { operation: 'record' },
			credentials: { hitlStore: { id: 'store', name: 'HITL Store' } },
		},
	],
	// Timed Out (output 0) and Approved (output 1) both go to the log, as in the support template.
	connections: {
		Start: { main: [[{ node: WAIT, type: 'main', index: 0 }]] },
		[WAIT]: { main: [[{ node: LOG, type: 'main', index: 0 }], [{ node: LOG, type: 'main', index: 0 }], [], []] },
	},
};

const routedToReview: IDataObject = {
	hitl: {
		caseId: 'T-404',
		draft: {
			text: 'Your parcel is on its way.',
			model: 'gpt-4o-mini',
			confidence: { score: 0.6, method: 'verbalized', signals: {} },
			riskFlags: [],
			usage: { promptTokens: 1, completionTokens: 1 },
			latencyMs: 1,
		},
		gate: { route: 'review', reasons: [{ code: 'LOW_CONFIDENCE', detail: '…' }], threshold: 0.85, sampledForAudit: false, shadow: false, breakerOpen: false },
	},
};

test('an unanswered review leaves on Timed Out without a review and is recorded as timed out', async () => {
	const dir = mkdtempSync(join(tmpdir(), 'hitl-timeout-'));
	const credentials = { hitlStore: { backend: 'embedded', filePath: join(dir, 'hitl.sqlite') } };
	try {
		const waiting = await runWorkflow(workflow, { input: [routedToReview], executionId: '700', credentials });
		expect(waiting.status).toBe('waiting');

		const timedOut = await runWorkflow(workflow, { resume: waiting.run, executionId: '700', credentials });
		expect(timedOut.status).toBe('success');
		const [item] = timedOut.output(WAIT, 0);
		expect((item.json.hitl as IDataObject).review).toBeUndefined();
		expect(timedOut.output(WAIT, 1)).toEqual([]);
		expect(timedOut.output(LOG)[0].json.hitl).toMatchObject({ caseId: 'T-404', logged: { id: expect.any(String) } });

		const store = await openHitlStore({ backend: 'embedded', filePath: join(dir, 'hitl.sqlite') });
		try {
			const [row] = await store.listDecisions({});
			expect(row).toMatchObject({ caseId: 'T-404', route: 'review', decision: 'timedOut', timeToDecisionMs: null });
		} finally {
			await store.close();
		}
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
});
