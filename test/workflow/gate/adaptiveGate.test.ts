/**
 * The Confidence Gate adapting to what reviewers decided: the threshold learned from the decisions
 * a Feedback Log recorded for this workflow, and the breaker that pauses auto-send when reviewers
 * override too often. Real store (embedded SQLite file), real workflow run through n8n-core.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { binsFromSamples, recommendThreshold } from '../../../nodes/FeedbackLog/recommendThreshold';
import { openHitlStore } from '../../../nodes/shared/store';
import type { DecisionRecord } from '../../../nodes/shared/store/types';
import { baseDecision } from '../../unit/store/fixtures/decisions';
import { oneNodeWorkflow, runWorkflow, type WorkflowJson } from '../harness';

const GATE = 'Confidence Gate';
const WORKFLOW_ID = 'workflow-test'; // the id the harness gives every workflow

function gateWorkflow(parameters: INodeParameters): WorkflowJson {
	return oneNodeWorkflow(GATE, 'n8n-nodes-hitl.confidenceGate', {
		parameters: { threshold: 0.97, adapt: true, ...parameters },
		credentials: { hitlStore: { id: '1', name: 'HITL store' } },
	});
}

function drafted(ticket: string, score: number, model = 'gpt-4o-mini', promptVersion = 'v1'): IDataObject {
	return {
		ticket,
		hitl: {
			caseId: ticket,
			draft: {
				text: 'Your parcel left our warehouse today.',
				model,
				promptVersion,
				confidence: { score, method: 'verbalized', signals: {} },
				riskFlags: [],
				usage: { promptTokens: 1, completionTokens: 1 },
				latencyMs: 1,
			},
		},
	};
}

type Gate = { route: string; threshold: number; breakerOpen: boolean; reasons: { code: string; detail: string }[] };
const gateOf = (item: { json: IDataObject }) => (item.json.hitl as { gate: Gate }).gate;

describe('Confidence Gate adapting to reviewers', () => {
	let dir: string;
	let filePath: string;
	const credentials = () => ({ hitlStore: { backend: 'embedded', filePath } });
	const record = async (records: DecisionRecord[]) => {
		const store = await openHitlStore({ backend: 'embedded', filePath });
		try {
			await store.recordDecisions(records);
		} finally {
			await store.close();
		}
	};

	beforeEach(() => {
		dir = mkdtempSync(join(tmpdir(), 'hitl-adaptive-gate-'));
		filePath = join(dir, 'hitl.sqlite');
	});
	afterEach(() => rmSync(dir, { recursive: true, force: true }));

	test('learns the threshold per model and prompt version from reviewed drafts, and says so', async () => {
		// 100 reviewed drafts at each of 0.6, 0.7, 0.8 and 0.9, approved unchanged 60, 75, 95 and 100
		// times, recorded by this workflow in the last two days; and drafts of another workflow, all
		// edited or rejected, which must not count.
		const start = Date.now() - 2 * 86_400_000;
		const reviewed = (workflowId: string, confidence: number, approvals: number) =>
			Array.from({ length: 100 }, (_, index) =>
				baseDecision({
					executionId: `${workflowId}-${confidence}-${index}`,
					workflowId,
					confidence,
					decision: workflowId === WORKFLOW_ID && index < approvals ? 'approved' : index % 2 ? 'edited' : 'rejected',
					recordedAt: new Date(start + index * 60_000).toISOString(),
				}),
			);
		const mine = [...reviewed(WORKFLOW_ID, 0.6, 60), ...reviewed(WORKFLOW_ID, 0.7, 75), ...reviewed(WORKFLOW_ID, 0.8, 95), ...reviewed(WORKFLOW_ID, 0.9, 100)];
		await record([...mine, ...reviewed('another', 0.9, 0), ...reviewed('another', 0.8, 0)]);

		// By hand (Wilson lower bound, z 1.645): at 0.8, 195 of 200 approved → 0.949 ≥ 0.9; at 0.7,
		// 270 of 300 → 0.869 < 0.9. So 0.8 — as the Feedback Log's recommender says on the same data.
		const expected = recommendThreshold(
			binsFromSamples(mine.map((entry) => ({ confidence: entry.confidence!, correct: entry.decision === 'approved' }))),
			{ targetPrecision: 0.9, minSamples: 100 },
		);
		expect(expected).toMatchObject({ status: 'recommended', threshold: 0.8, samples: 200 });

		const run = await runWorkflow(gateWorkflow({ targetPrecision: 0.9, minSamples: 100, breaker: false }), {
			input: [
				drafted('above', 0.81),
				drafted('below', 0.79),
				drafted('new-prompt', 0.96, 'gpt-4o-mini', 'v2'),
			],
			credentials: credentials(),
		});
		expect(run.status).toBe('success');
		const [above] = run.output(GATE, 0);
		expect(above.json.ticket).toBe('above');
		expect(gateOf(above)).toMatchObject({ route: 'auto', threshold: 0.8, breakerOpen: false });
		expect(gateOf(above).reasons[0].detail).toBe(
			'Confidence 0.81 meets the threshold 0.8 (learned from 200 reviewed drafts of model gpt-4o-mini, prompt v1: ' +
				'97.5% approved unchanged at or above it) and no rule asked for a review.',
		);

		const review = run.output(GATE, 1);
		expect(review.map((item) => item.json.ticket)).toEqual(['below', 'new-prompt']);
		expect(gateOf(review[0])).toMatchObject({ threshold: 0.8, reasons: [{ code: 'LOW_CONFIDENCE' }] });
		// a prompt version nobody has reviewed yet keeps the fixed threshold, and the reason says why
		expect(gateOf(review[1])).toMatchObject({ threshold: 0.97, reasons: [{ code: 'LOW_CONFIDENCE' }] });
		expect(gateOf(review[1]).reasons[0].detail).toBe(
			'Confidence 0.96 is below the threshold 0.97 (no threshold learned yet: 0 of 100 reviewed drafts of model gpt-4o-mini, prompt v2).',
		);
	});

	test('pauses auto-send while reviewers override more than the limit, and resumes below it', async () => {
		const recent = (index: number, decision: 'approved' | 'edited') =>
			baseDecision({
				executionId: `recent-${index}`,
				workflowId: WORKFLOW_ID,
				decision,
				recordedAt: new Date(Date.now() - 3_600_000 + index * 1000).toISOString(),
			});
		// 25 reviewed in the last hour, 10 edited: 40%
		await record(Array.from({ length: 25 }, (_, index) => recent(index, index < 10 ? 'edited' : 'approved')));
		// overrides a week ago are outside the 24 h window and do not count
		await record(
			Array.from({ length: 50 }, (_, index) =>
				baseDecision({ executionId: `old-${index}`, workflowId: WORKFLOW_ID, decision: 'rejected', recordedAt: new Date(Date.now() - 7 * 86_400_000).toISOString() }),
			),
		);
		const input = [drafted('confident', 0.99), drafted('doubtful', 0.5)];

		const paused = await runWorkflow(gateWorkflow({ learnThreshold: false, breakerRatePercent: 30 }), { input, credentials: credentials() });
		expect(paused.status).toBe('success');
		expect(paused.output(GATE, 0)).toEqual([]);
		const [confident, doubtful] = paused.output(GATE, 1);
		expect(gateOf(confident)).toMatchObject({ route: 'review', breakerOpen: true, reasons: [{ code: 'BREAKER_OPEN' }] });
		expect(gateOf(confident).reasons[0].detail).toBe(
			'Confidence 0.99 meets the threshold 0.97 and no rule asked for a review, but auto-send is paused: ' +
				'reviewers edited or rejected 10 of 25 drafts (40%) in the last 24 h, above the limit of 30%.',
		);
		expect(gateOf(doubtful)).toMatchObject({ route: 'review', breakerOpen: true, reasons: [{ code: 'LOW_CONFIDENCE' }] });

		const running = await runWorkflow(gateWorkflow({ learnThreshold: false, breakerRatePercent: 50 }), { input, credentials: credentials() });
		expect(running.output(GATE, 0).map((item) => item.json.ticket)).toEqual(['confident']);
		expect(gateOf(running.output(GATE, 0)[0])).toMatchObject({ route: 'auto', breakerOpen: false, reasons: [{ code: 'AUTO_OK' }] });
	});

	test('a store that cannot be opened fails the run, or with continue-on-fail sends every item to Review', async () => {
		const broken = { hitlStore: { backend: 'postgres', host: '127.0.0.1', port: 1, database: 'hitl', user: 'u', ssl: 'disable' } };
		const input = [drafted('a', 0.99), drafted('b', 0.99)];
		const failing = await runWorkflow(gateWorkflow({}), { input, credentials: broken });
		expect(failing.status).toBe('error');
		expect(failing.error?.message).toBe('The HITL store cannot be opened');
		expect((failing.error as Error & { description?: string }).description).toMatch(
			/^Cannot open the HITL store at postgres:\/\/u@127\.0\.0\.1:1\/hitl: .*ECONNREFUSED.*Check the HITL Store credential/,
		);

		const continuing = await runWorkflow({ ...gateWorkflow({}), nodes: gateWorkflow({}).nodes.map((node) => (node.name === GATE ? { ...node, onError: 'continueRegularOutput' } : node)) }, {
			input,
			credentials: broken,
		});
		expect(continuing.status).toBe('success');
		expect(continuing.output(GATE, 0)).toEqual([]);
		expect(continuing.output(GATE, 1).map((item) => [item.json.ticket, typeof item.json.error])).toEqual([
			['a', 'string'],
			['b', 'string'],
		]);
	});
});
