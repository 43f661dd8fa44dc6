/**
 * A typo in the Confidence Gate's score path routes every item to Review (SCORE_MISSING, safe) and
 * the node succeeds — so the run carries a warning hint that names the field and the count, shown
 * in the editor's output pane (n8n keeps execution hints on the node's task data).
 */
import type { IDataObject, INodeParameters, NodeExecutionHint } from 'n8n-workflow';

import { oneNodeWorkflow, runWorkflow, type WorkflowRun } from '../harness';

const GATE = 'Confidence Gate';

const gate = (parameters: INodeParameters) => oneNodeWorkflow(GATE, 'n8n-nodes-hitl.confidenceGate', { parameters });

function drafted(caseId: string, score: unknown): IDataObject {
	return {
		hitl: {
			caseId,
			draft: {
				text: 'Your parcel left today.',
				model: 'test-model',
				confidence: { score, method: 'verbalized', signals: {} },
				riskFlags: [],
				usage: { promptTokens: 1, completionTokens: 1 },
				latencyMs: 1,
			},
		},
	};
}

const hintsOf = (run: WorkflowRun): NodeExecutionHint[] => run.run.data.resultData.runData[GATE][0].hints ?? [];

describe('Confidence Gate: a hint when items route on a missing score', () => {
	const input = [drafted('a', 0.95), drafted('b', 0.97), drafted('c', 0.4)];

	test('a mistyped score path: every item to Review, the run succeeds, and a hint names the field and the count', async () => {
		const run = await runWorkflow(gate({ score: 'hitl.draft.confidenc.score', threshold: 0.8 }), { input });
		expect(run.status).toBe('success');
		expect(run.output(GATE, 1)).toHaveLength(3);
		expect(hintsOf(run)).toEqual([
			{
				type: 'warning',
				location: 'outputPane',
				message:
					'3 of 3 items had no confidence score at "hitl.draft.confidenc.score" (missing or not a number), so none of them could go out on its own (SCORE_MISSING). ' +
					'Check Confidence Score: LLM Draft writes its score at hitl.draft.confidence.score.',
			},
		]);
	});

	test('some items without a score: the hint counts them; an expression is named as such', async () => {
		const mixed = [drafted('a', 0.95), drafted('b', 'high'), drafted('c', null)];
		const byPath = await runWorkflow(gate({ threshold: 0.8 }), { input: mixed });
		expect(hintsOf(byPath).map((hint) => hint.message)).toEqual([expect.stringMatching(/^2 of 3 items had no confidence score at "hitl\.draft\.confidence\.score" /)]);

		const byExpression = await runWorkflow(gate({ score: '={{ $json.hitl.draft.confidence.scor }}', threshold: 0.8 }), { input });
		expect(hintsOf(byExpression).map((hint) => hint.message)).toEqual([
			expect.stringMatching(/^3 of 3 items had no confidence score from the Confidence Score expression /),
		]);
	});

	test('every item has its score: no hint', async () => {
		const run = await runWorkflow(gate({ threshold: 0.8 }), { input });
		expect(run.output(GATE, 0)).toHaveLength(2);
		expect(hintsOf(run)).toEqual([]);
	});
});
