/**
 * The Confidence Gate adapting to what reviewers decided: the threshold learned from the decisions
 * a Feedback Log recorded for this workflow (never laxer than "review everything" without
 * evidence), and the drift detector that pauses auto-send for a slice whose drafts reviewers
 * override more than the calibration expects. Real store (embedded SQLite file), real workflow run
 * through n8n-core.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { openHitlStore } from '../../../nodes/shared/store';
import type { DecisionRecord } from '../../../nodes/shared/store/types';
import { baseDecision } from '../../unit/store/fixtures/decisions';
import { oneNodeWorkflow, runWorkflow, type WorkflowJson } from '../harness';

const GATE = 'Confidence Gate';
const WORKFLOW_ID = 'workflow-test'; // the id the harness gives every workflow

function gateWorkflow(parameters: INodeParameters): WorkflowJson {
	return oneNodeWorkflow(GATE, 'n8n-nodes-hitl.confidenceGate', {
		typeVersion: 2,
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

		// By hand (estimatePrecision.ts): every label here had π = 1. At 0.8: strata 0.80 (95/100) and
		// 0.90 (100/100), estimate 0.975; p̃ = 95.5/101 and 100.5/101, Var = ¼·Σ p̃(1−p̃)/100, n* = 204.34,
		// Wilson(0.975, 204.34) = 0.9499 ≥ 0.9. At 0.7: estimate 0.9, bound 0.870 < 0.9. So 0.8.
		const run = await runWorkflow(gateWorkflow({ targetPrecision: 0.9, minSamples: 100, breaker: false }), {
			input: [
				drafted('above', 0.81),
				drafted('below', 0.79),
				drafted('new-prompt', 0.99, 'gpt-4o-mini', 'v2'),
			],
			credentials: credentials(),
		});
		expect(run.status).toBe('success');
		const [above] = run.output(GATE, 0);
		expect(above.json.ticket).toBe('above');
		// The audit rate adapts: the bound wants about 100 labelled drafts (Minimum Reviewed Drafts) above
		// the threshold, and 200 were routed there in the window: 50 %, capped at 25 % — though Audit
		// Sample Rate is 0.
		expect(gateOf(above)).toMatchObject({ route: 'auto', threshold: 0.8, breakerOpen: false, reviewProbability: 0.25 });
		expect(gateOf(above).reasons[0].detail).toBe(
			'Confidence 0.81 meets the threshold 0.8 (learned from 200 labelled drafts of model gpt-4o-mini, prompt v1 ' +
				'(estimated precision above it 0.975, 95 % lower bound 0.950)) and no rule asked for a review.',
		);

		const review = run.output(GATE, 1);
		expect(review.map((item) => item.json.ticket)).toEqual(['below', 'new-prompt']);
		expect(gateOf(review[0])).toMatchObject({ threshold: 0.8, reasons: [{ code: 'LOW_CONFIDENCE' }], reviewProbability: 1 });
		// a prompt version nobody has reviewed yet starts with everything reviewed — not the laxer fixed
		// Threshold (0.97), which would have sent this 0.99 draft out alone — and the reason says why
		expect(gateOf(review[1])).toMatchObject({ threshold: 1, reasons: [{ code: 'NOT_LEARNED' }], reviewProbability: 1 });
		expect(gateOf(review[1]).reasons[0].detail).toBe(
			'Confidence 0.99, but nothing goes out alone until a threshold is learned: 0 of 100 labelled drafts of model gpt-4o-mini, prompt v2.',
		);
	});

	test('an unreachable target never loosens the gate: an uninformative score sends nothing out alone', async () => {
		const start = Date.now() - 86_400_000;
		// 70 % approved whatever the score: no threshold reaches 0.95
		await record(
			[0.6, 0.8, 0.99].flatMap((confidence) =>
				Array.from({ length: 100 }, (_, index) =>
					baseDecision({
						executionId: `flat-${confidence}-${index}`,
						workflowId: WORKFLOW_ID,
						confidence,
						decision: index % 10 < 7 ? 'approved' : 'edited',
						recordedAt: new Date(start + index * 60_000).toISOString(),
					}),
				),
			),
		);
		const run = await runWorkflow(gateWorkflow({ breaker: false }), { input: [drafted('sure', 0.995)], credentials: credentials() });
		expect(run.output(GATE, 0)).toEqual([]);
		const [sure] = run.output(GATE, 1);
		expect(gateOf(sure)).toMatchObject({ route: 'review', threshold: 1, reasons: [{ code: 'NOT_LEARNED' }] });
		expect(gateOf(sure).reasons[0].detail).toMatch(
			/^Confidence 0\.995, but nothing goes out alone: labelled drafts of model gpt-4o-mini, prompt v1 show no threshold whose 95 % lower bound on precision reaches 0\.95 \(best: 0\.6\d\d at 0\.6, from 300 labelled drafts\)\.$/,
		);

		// "Apply the Threshold Above" as the start: the fixed Threshold applies, never anything laxer
		const started = await runWorkflow(gateWorkflow({ breaker: false, learningStart: 'threshold' }), { input: [drafted('sure', 0.995)], credentials: credentials() });
		expect(gateOf(started.output(GATE, 0)[0] ?? started.output(GATE, 1)[0])).toMatchObject({ threshold: 0.97 });

		// A saved version-1 gate (before issue 12) has no learningStart: it keeps its fixed Threshold
		// until a threshold is learned, as it did, instead of starting to review everything.
		const savedV1 = gateWorkflow({ breaker: false });
		savedV1.nodes[1] = { ...savedV1.nodes[1], typeVersion: 1 };
		const v1 = await runWorkflow(savedV1, { input: [drafted('sure', 0.995)], credentials: credentials() });
		expect(gateOf(v1.output(GATE, 0)[0] ?? v1.output(GATE, 1)[0])).toMatchObject({ threshold: 0.97 });
	});

	test('a drift confined to one intent opens its detector: would-be-Auto drafts of that intent go to Review', async () => {
		const start = Date.now() - 3_600_000;
		let n = 0;
		const labelled = (slice: string, overridden: boolean) =>
			baseDecision({
				executionId: `drift-${n}`,
				workflowId: WORKFLOW_ID,
				confidence: 0.7,
				slice,
				decision: overridden ? 'edited' : 'approved',
				recordedAt: new Date(start + n++ * 1000).toISOString(),
			});
		// Baseline: 400 labelled drafts at 0.7, one in five overridden, in both intents.
		await record(Array.from({ length: 400 }, (_, index) => labelled(index % 2 ? 'refund' : 'shipping', index % 10 < 2)));
		const input = [drafted('refund-item', 0.99), drafted('shipping-item', 0.99)];
		input[0].hitl = { ...(input[0].hitl as IDataObject), draft: { ...((input[0].hitl as IDataObject).draft as IDataObject), intent: 'refund' } };
		input[1].hitl = { ...(input[1].hitl as IDataObject), draft: { ...((input[1].hitl as IDataObject).draft as IDataObject), intent: 'shipping' } };
		const settings = { learnThreshold: false };

		const before = await runWorkflow(gateWorkflow(settings), { input, credentials: credentials() });
		expect(before.output(GATE, 0).map((item) => item.json.ticket)).toEqual(['refund-item', 'shipping-item']);
		expect(gateOf(before.output(GATE, 0)[0])).toMatchObject({ breakerOpen: false, slice: 'refund' });

		// Then refunds go wrong: 60 more, every other one overridden (50 %, against about 20 % expected),
		// while shipping goes on as before.
		await record([
			...Array.from({ length: 60 }, (_, index) => labelled('refund', index % 2 === 0)),
			...Array.from({ length: 60 }, (_, index) => labelled('shipping', index % 10 < 2)),
		]);
		const after = await runWorkflow(gateWorkflow(settings), { input, credentials: credentials() });
		expect(after.output(GATE, 0).map((item) => item.json.ticket)).toEqual(['shipping-item']);
		const [refund] = after.output(GATE, 1);
		expect(gateOf(refund)).toMatchObject({ route: 'review', breakerOpen: true, reasons: [{ code: 'BREAKER_OPEN' }], reviewProbability: 1 });
		expect(gateOf(refund).reasons[0].detail).toMatch(
			/^Confidence 0\.99 meets the threshold 0\.97 and no rule asked for a review, but auto-send is paused: drift detected for intent "refund": \d+ overrides observed, \d+\.\d expected from the calibration, since \d{4}-\d\d-\d\d \d\d:\d\d UTC \(opened .* UTC; \d+ labelled drafts since\)\.$/,
		);
		const observed = Number(/(\d+) overrides observed/.exec(gateOf(refund).reasons[0].detail)![1]);
		const expected = Number(/(\d+\.\d) expected/.exec(gateOf(refund).reasons[0].detail)![1]);
		expect(observed).toBeGreaterThan(2 * expected);
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
