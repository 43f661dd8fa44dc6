/**
 * Auto and Review meeting at one Feedback Log, as the support template wires them, with a batch:
 * n8n runs the Log once per branch in the same execution and item indexes restart at 0 on each
 * run. Every item must land in the store once — found by bench/gate, where the second branch's
 * items were taken for repeats of the first's, marked logged with the other items' row ids, and
 * never recorded.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { IDataObject } from 'n8n-workflow';

import { openHitlStore } from '../../../nodes/shared/store';
import { runWorkflow, type WorkflowJson } from '../harness';

jest.setTimeout(120_000);

function drafted(ticket: string, score: number): IDataObject {
	return {
		ticket,
		hitl: {
			caseId: ticket,
			draft: {
				text: `Draft for ${ticket}`,
				model: 'gpt-test',
				promptVersion: 'v1',
				confidence: { score, method: 'verbalized', signals: {} },
				riskFlags: [],
				usage: { promptTokens: 1, completionTokens: 1 },
				latencyMs: 1,
			},
		},
	};
}

const workflow: WorkflowJson = {
	nodes: [
		{ id: '1', name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
		{ id: '2', name: 'Gate', type: 'n8n-nodes-hitl.confidenceGate', typeVersion: 1, position: [200, 0], parameters: { threshold: 0.8 } },
		{
			id: '3',
			name: 'Log',
			type: 'n8n-nodes-hitl.feedbackLog',
			typeVersion: 1,
			position: [400, 0],
			parameters: {},
			credentials: { hitlStore: { id: 'store', name: 'HITL Store' } },
		},
	],
	connections: {
		Start: { main: [[{ node: 'Gate', type: 'main', index: 0 }]] },
		Gate: {
			main: [
				[{ node: 'Log', type: 'main', index: 0 }],
				[{ node: 'Log', type: 'main', index: 0 }],
				[{ node: 'Log', type: 'main', index: 0 }],
			],
		},
	},
};

describe('Feedback Log where branches meet', () => {
	let dir: string;
	beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'hitl-branches-'))));
	afterEach(() => rmSync(dir, { recursive: true, force: true }));

	it('records every item of every branch once, and again nothing when the same execution re-runs', async () => {
		const filePath = join(dir, 'hitl.sqlite');
		const input = [drafted('a1', 0.95), drafted('r1', 0.4), drafted('a2', 0.9), drafted('r2', 0.5)];
		const run = async () => {
			const result = await runWorkflow(workflow, { input, credentials: { hitlStore: { backend: 'embedded', filePath } }, executionId: '77' });
			expect(result.status).toBe('success');
			return result;
		};
		const first = await run();
		expect(first.executionOrder.filter((name) => name === 'Log')).toHaveLength(2);

		const store = await openHitlStore({ backend: 'embedded', filePath });
		try {
			const rows = await store.listDecisions({});
			expect(rows.map((row) => row.caseId).sort()).toEqual(['a1', 'a2', 'r1', 'r2']);
			expect(new Set(rows.map((row) => row.id)).size).toBe(4);
			await run();
			expect(await store.listDecisions({})).toHaveLength(4);
		} finally {
			await store.close();
		}
	});
});
