/**
 * Saved workflows are a contract (issue 13, item 6): a Confidence Gate saved as version 1 — the
 * exported JSON of a workflow, as n8n stores it — loads through the VersionedNodeType and routes
 * exactly as before: Auto, Review, Block in that output order, with the same reasons.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { IDataObject, IVersionedNodeType } from 'n8n-workflow';

import { loadPackageNodes } from '../../support/packageNodes';
import { runWorkflow, type WorkflowJson } from '../harness';

const GATE = 'Route by confidence';
const saved = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'saved-gate-v1.json'), 'utf8')) as WorkflowJson;

const draft = (ticket: string, score: number, extra: { intent?: string; riskFlags?: string[]; amount?: number } = {}): IDataObject => ({
	ticket,
	...(extra.amount !== undefined && { amount: extra.amount }),
	hitl: {
		caseId: ticket,
		draft: {
			text: 'Your refund is on its way.',
			model: 'gpt-4o-mini',
			confidence: { score, method: 'verbalized', signals: {} },
			intent: extra.intent,
			riskFlags: extra.riskFlags ?? [],
			usage: { promptTokens: 1, completionTokens: 1 },
			latencyMs: 1,
		},
	},
});

type Gate = { route: string; threshold: number; reasons: { code: string }[] };
const gateOf = (item: { json: IDataObject }) => (item.json.hitl as { gate: Gate }).gate;

describe('a Confidence Gate saved as version 1', () => {
	test('is a VersionedNodeType whose version 1 is still served, with outputs Auto, Review, Block', () => {
		const gate = loadPackageNodes().get('n8n-nodes-hitl.confidenceGate') as IVersionedNodeType;
		expect(Object.keys(gate.nodeVersions).map(Number)).toEqual([1, 2]);
		expect(gate.description.defaultVersion).toBe(2);
		const v1 = gate.getNodeType(1).description;
		expect(v1).toMatchObject({ name: 'confidenceGate', outputNames: ['Auto', 'Review', 'Block'] });
		expect(v1.version).toEqual(expect.arrayContaining([1]));
	});

	test('runs from its saved JSON and routes as before', async () => {
		const run = await runWorkflow(saved, {
			input: [
				draft('confident', 0.9),
				draft('doubtful', 0.7),
				draft('refund', 0.9, { intent: 'refund' }),
				draft('threat', 0.99, { riskFlags: ['legal_threat'] }),
				draft('large', 0.99, { amount: 900 }),
				draft('at-threshold', 0.85),
			],
		});
		expect(run.status).toBe('success');
		const tickets = (output: number) => run.output(GATE, output).map((item) => item.json.ticket);
		expect(tickets(0)).toEqual(['confident', 'at-threshold']);
		expect(tickets(1)).toEqual(['doubtful', 'refund', 'large']);
		expect(tickets(2)).toEqual(['threat']);
		const [, refund, large] = run.output(GATE, 1);
		expect(gateOf(refund)).toMatchObject({ route: 'review', threshold: 0.95, reasons: [{ code: 'LOW_CONFIDENCE' }] });
		expect(gateOf(large)).toMatchObject({ route: 'review', threshold: 0.85, reasons: [{ code: 'CONDITION' }] });
		expect(gateOf(run.output(GATE, 2)[0])).toMatchObject({ route: 'block', reasons: [{ code: 'RISK_FLAG' }] });
		expect(gateOf(run.output(GATE, 0)[0])).toMatchObject({ route: 'auto', threshold: 0.85, reasons: [{ code: 'AUTO_OK' }] });
	});
});
