import type { IDataObject, INodeParameters, IExecuteFunctions, INodeExecutionData, INodeType } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { auditDrawFor } from '../../../nodes/ConfidenceGate/routeItem';
import { oneNodeWorkflow, runWorkflow, type WorkflowJson } from '../harness';

const GATE = 'Confidence Gate';

function gateWorkflow(parameters: INodeParameters, nodeExtras: Record<string, unknown> = {}): WorkflowJson {
	return oneNodeWorkflow(GATE, 'n8n-nodes-hitl.confidenceGate', { parameters, ...nodeExtras });
}

function drafted(score: unknown, extra: IDataObject = {}, hitlExtra: IDataObject = {}): IDataObject {
	return {
		...extra,
		hitl: {
			caseId: `case-${String(score)}`,
			draft: {
				text: 'Your refund is on its way.',
				model: 'test-model',
				confidence: { score, method: 'verbalized', signals: {} },
				riskFlags: [],
				usage: { promptTokens: 1, completionTokens: 1 },
				latencyMs: 1,
			},
			...hitlExtra,
		},
	};
}

const policy: INodeParameters = {
	threshold: 0.8,
	riskFlagRules: { rules: [{ flag: 'legal_threat', route: 'block' }] },
	conditions: { conditions: [{ field: 'amount', operator: 'greaterThan', value: '500', route: 'review' }] },
};

describe('Confidence Gate in a workflow', () => {
	test('Audit Sample Rate sends a stable share of confident items to Review, picked by case ID', async () => {
		const input = Array.from({ length: 40 }, (_, index) => ({ ticketId: `T-${index}`, confidence: 0.97 }));
		const parameters = { score: 'confidence', threshold: 0.8, options: { auditSamplePercent: 25, caseIdField: 'ticketId' } };
		const run = await runWorkflow(gateWorkflow(parameters), { input });
		expect(run.status).toBe('success');

		const expected = input.filter((item) => auditDrawFor(item.ticketId) < 0.25).map((item) => item.ticketId);
		expect(expected.length).toBeGreaterThan(0);
		const reviewed = run.output(GATE, 1);
		expect(reviewed.map((item) => item.json.ticketId)).toEqual(expected);
		for (const item of reviewed) {
			expect(item.json.hitl).toMatchObject({
				caseId: item.json.ticketId,
				gate: { route: 'review', sampledForAudit: true, reasons: [{ code: 'AUDIT_SAMPLE' }] },
			});
		}
		expect(run.output(GATE, 0)).toHaveLength(input.length - expected.length);
		expect(run.output(GATE, 0).every((item) => (item.json.hitl as IDataObject & { gate: { sampledForAudit: boolean } }).gate.sampledForAudit === false)).toBe(true);

		// the same cases on another run: the same picks
		const again = await runWorkflow(gateWorkflow(parameters), { input });
		expect(again.output(GATE, 1).map((item) => item.json.ticketId)).toEqual(expected);
	});

	test('Shadow Mode sends every item to Review and keeps the route it would have taken', async () => {
		const input = [
			drafted(0.95, { ticket: 'A' }),
			drafted(0.5, { ticket: 'B' }),
			{ ticket: 'E', hitl: { caseId: 'e', compliance: blockingCompliance() }, score: 0.99 },
		];
		const run = await runWorkflow(gateWorkflow({ ...policy, shadow: true }), { input });
		expect(run.status).toBe('success');
		expect(run.output(GATE, 0)).toEqual([]);
		expect(run.output(GATE, 2)).toEqual([]);
		const gates = run.output(GATE, 1).map((item) => [item.json.ticket, (item.json.hitl as { gate: IDataObject }).gate]);
		expect(gates).toEqual([
			['A', expect.objectContaining({ route: 'review', shadow: true, shadowRoute: 'auto', sampledForAudit: true })],
			['B', expect.objectContaining({ route: 'review', shadow: true, shadowRoute: 'review', sampledForAudit: false })],
			['E', expect.objectContaining({ route: 'review', shadow: true, shadowRoute: 'block', sampledForAudit: false })],
		]);
	});

	test('an Audit Sample Rate outside 0–100 fails with what to change', async () => {
		const run = await runWorkflow(gateWorkflow({ threshold: 0.8, options: { auditSamplePercent: 150 } }), { input: [drafted(0.9)] });
		expect(run.status).toBe('error');
		expect(run.error?.message).toBe('Audit Sample Rate (%) must be between 0 and 100 (got 150)');
	});

	test('routes items to Auto, Review and Block, keeps every item and its pairing', async () => {
		const input = [
			drafted(0.95, { ticket: 'A' }), // auto
			drafted(0.5, { ticket: 'B' }), // review: low confidence
			drafted(0.99, { ticket: 'C', amount: 900 }), // review: condition
			drafted(0.99, { ticket: 'D' }, { draft: undefined }), // review: no score at all
			{ ticket: 'E', hitl: { caseId: 'e', compliance: blockingCompliance() }, score: 0.99 }, // block
		];
		(input[3].hitl as IDataObject).draft = undefined;
		const run = await runWorkflow(gateWorkflow(policy), { input });
		expect(run.status).toBe('success');

		const tickets = (outputIndex: number) => run.output(GATE, outputIndex).map((item) => item.json.ticket);
		expect(tickets(0)).toEqual(['A']);
		expect(tickets(1)).toEqual(['B', 'C', 'D']);
		expect(tickets(2)).toEqual(['E']);

		const all = [0, 1, 2].flatMap((index) => run.output(GATE, index));
		expect(all).toHaveLength(input.length);
		for (const item of all) {
			const original = input.findIndex((entry) => entry.ticket === item.json.ticket);
			expect(item.pairedItem).toEqual({ item: original });
		}
		const reviewC = run.output(GATE, 1)[1].json.hitl as IDataObject;
		expect(reviewC.gate).toMatchObject({ route: 'review', threshold: 0.8 });
		expect((reviewC.gate as IDataObject).reasons).toEqual([
			{ code: 'CONDITION', detail: 'Condition matched: amount > 500 (value: 900).' },
		]);
		// the user's fields and earlier hitl parts pass through untouched
		expect(reviewC.caseId).toBe('case-0.99');
		expect((reviewC.draft as IDataObject).text).toBe('Your refund is on its way.');
	});

	test('reads a score from an expression and from a custom field path', async () => {
		const input = [{ conf: 0.9 }, { conf: 0.1 }];
		const byExpression = await runWorkflow(gateWorkflow({ score: '={{ $json.conf }}', threshold: 0.5 }), { input });
		expect(byExpression.output(GATE, 0).map((item) => item.json.conf)).toEqual([0.9]);
		expect(byExpression.output(GATE, 1).map((item) => item.json.conf)).toEqual([0.1]);

		const byPath = await runWorkflow(gateWorkflow({ score: 'conf', threshold: 0.5 }), { input });
		expect(byPath.output(GATE, 0)).toHaveLength(1);
		const generated = (byPath.output(GATE, 0)[0].json.hitl as IDataObject).caseId;
		expect(generated).toMatch(/^[0-9a-f-]{36}$/);
	});

	test('a bad threshold fails the node with the item and what to change', async () => {
		const run = await runWorkflow(gateWorkflow({ threshold: 1.5 }), { input: [drafted(0.9)] });
		expect(run.status).toBe('error');
		expect(run.error?.message).toBe('Threshold must be between 0 and 1 (got 1.5)');
	});

	test('a malformed compliance object fails naming the field, or goes to Review on continue-on-fail', async () => {
		const bad = drafted(0.99, { ticket: 'bad' }, { compliance: { passed: false, violations: 'oops' } });
		const good = drafted(0.99, { ticket: 'good' });
		const failing = await runWorkflow(gateWorkflow({}), { input: [good, bad] });
		expect(failing.status).toBe('error');
		expect(failing.error?.message).toMatch(/^Item 2: hitl\.compliance\.\w+ is (missing|invalid)/);

		const continuing = await runWorkflow(gateWorkflow({}, { onError: 'continueRegularOutput' }), {
			input: [good, bad],
		});
		expect(continuing.status).toBe('success');
		expect(continuing.output(GATE, 0).map((item) => item.json.ticket)).toEqual(['good']);
		const [errored] = continuing.output(GATE, 1);
		expect(errored.json.ticket).toBe('bad');
		expect(errored.json.error).toMatch(/^Item 2: hitl\.compliance/);
		expect(errored.pairedItem).toEqual({ item: 1 });
		expect(continuing.output(GATE, 2)).toEqual([]);
	});

	test('with the error output on, a failed item leaves on the error output', async () => {
		const bad = drafted(0.99, { ticket: 'bad' }, { compliance: { passed: 'no' } });
		const run = await runWorkflow(gateWorkflow({}, { onError: 'continueErrorOutput' }), {
			input: [drafted(0.99, { ticket: 'good' }), bad],
		});
		expect(run.status).toBe('success');
		expect(run.output(GATE, 0).map((item) => item.json.ticket)).toEqual(['good']);
		const [errored] = run.output(GATE, 3);
		expect(errored.json).toMatchObject({ ticket: 'bad', error: expect.stringMatching(/^Item 2: hitl\.compliance/) });
		expect(run.output(GATE, 1)).toEqual([]);
	});
});

function blockingCompliance(): IDataObject {
	return {
		passed: false,
		rulesetVersion: '1',
		checkedField: 'hitl.draft.text',
		violations: [{ ruleId: 'pci.pan', kind: 'pii', severity: 'block', message: 'Full card number' }],
	};
}

/** A test-only node that pauses its execution, as the Human Approval Wait node does. */
class PauseNode implements INodeType {
	description = {
		displayName: 'Pause',
		name: 'pause',
		group: ['transform'],
		version: 1,
		description: 'Puts the execution to wait',
		defaults: { name: 'Pause' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		properties: [],
	} as INodeType['description'];

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		await this.putExecutionToWait(new Date(Date.now() + 60_000));
		return [this.getInputData()];
	}
}

test('an execution whose node calls putExecutionToWait ends in status waiting', async () => {
	const workflow = gateWorkflow({ threshold: 0.5 });
	workflow.nodes.push({ id: '3', name: 'Pause', type: 'test.pause', typeVersion: 1, position: [400, 0], parameters: {} });
	workflow.connections[GATE] = { main: [[{ node: 'Pause', type: 'main', index: 0 }]] };
	const run = await runWorkflow(workflow, { input: [drafted(0.9)], extraNodeTypes: { 'test.pause': new PauseNode() } });
	expect(run.status).toBe('waiting');
	expect(run.run.waitTill).toBeInstanceOf(Date);
	expect(run.executionOrder).toEqual(['Start', GATE, 'Pause']);
});
