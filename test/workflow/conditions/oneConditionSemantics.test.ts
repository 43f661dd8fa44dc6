/**
 * One condition semantics (issue 13, item 3): the same condition on the same item answers the same
 * in the Confidence Gate (its Conditions) and in Compliance Check (a rule's `when`), run as real
 * workflows over the compiled nodes. They used to differ: the gate compared text exactly and took
 * blank text for "not set", Compliance Check ignored case and spaces and took "" for set — so
 * `channel equals Voice` routed a "voice" ticket differently in the two nodes.
 *
 * The gate: a confident draft goes to Auto unless the condition holds (then Review).
 * Compliance Check: a rule that always finds something (a disclosure nobody writes) applies only
 * when its `when` holds, so the item fails exactly when the condition holds.
 */
import type { IDataObject } from 'n8n-workflow';

import { oneNodeWorkflow, runWorkflow } from '../harness';

type Operator = 'equals' | 'notEquals' | 'exists' | 'notExists';

interface Row {
	/** The item's `channel`; `undefined`: the item has no such field. */
	channel: unknown;
	operator: Operator;
	value?: string;
	holds: boolean;
}

const MISSING = undefined;

// prettier-ignore
const TABLE: Row[] = [
	{ channel: 'Voice', operator: 'equals', value: 'Voice', holds: true },
	{ channel: 'voice', operator: 'equals', value: 'Voice', holds: true },
	{ channel: ' VOICE ', operator: 'equals', value: 'voice', holds: true },
	{ channel: 'email', operator: 'equals', value: 'Voice', holds: false },
	{ channel: MISSING, operator: 'equals', value: 'Voice', holds: false },
	{ channel: true, operator: 'equals', value: 'TRUE', holds: true },
	{ channel: 3, operator: 'equals', value: '3', holds: true },
	{ channel: 'voice', operator: 'notEquals', value: 'Voice', holds: false },
	{ channel: 'email', operator: 'notEquals', value: 'Voice', holds: true },
	{ channel: MISSING, operator: 'notEquals', value: 'Voice', holds: true },
	{ channel: 'voice', operator: 'exists', holds: true },
	{ channel: 0, operator: 'exists', holds: true },
	{ channel: false, operator: 'exists', holds: true },
	{ channel: '', operator: 'exists', holds: false },
	{ channel: '   ', operator: 'exists', holds: false },
	{ channel: null, operator: 'exists', holds: false },
	{ channel: MISSING, operator: 'exists', holds: false },
	{ channel: '', operator: 'notExists', holds: true },
	{ channel: MISSING, operator: 'notExists', holds: true },
	{ channel: 'voice', operator: 'notExists', holds: false },
];

const describeRow = (row: Row) =>
	`channel ${row.channel === MISSING ? '(missing)' : JSON.stringify(row.channel)} ${row.operator}${row.value === undefined ? '' : ` "${row.value}"`} → ${row.holds}`;

function itemFor(row: Row): IDataObject {
	const json: IDataObject = {
		text: 'Thanks for your message.',
		hitl: {
			caseId: 'case-1',
			draft: {
				text: 'Thanks for your message.',
				model: 'test-model',
				confidence: { score: 0.99, method: 'verbalized', signals: {} },
				riskFlags: [],
				usage: { promptTokens: 1, completionTokens: 1 },
				latencyMs: 1,
			},
		},
	};
	if (row.channel !== MISSING) json.channel = row.channel as IDataObject[string];
	return json;
}

async function gateSays(row: Row): Promise<boolean> {
	const condition = { field: 'channel', operator: row.operator, value: row.value ?? '', route: 'review' };
	const workflow = oneNodeWorkflow('Gate', 'n8n-nodes-hitl.confidenceGate', {
		parameters: { threshold: 0.5, conditions: { conditions: [condition] } },
	});
	const run = await runWorkflow(workflow, { input: [itemFor(row)] });
	expect(run.status).toBe('success');
	const [auto, review] = [run.output('Gate', 0).length, run.output('Gate', 1).length];
	expect(auto + review).toBe(1);
	return review === 1;
}

/** The gate's operator as a rules document's `when` condition. */
function whenCondition(row: Row): IDataObject {
	if (row.operator === 'exists') return { field: 'channel', exists: true };
	if (row.operator === 'notExists') return { field: 'channel', exists: false };
	return { field: 'channel', [row.operator]: row.value };
}

async function complianceSays(row: Row, condition: IDataObject = whenCondition(row)): Promise<boolean> {
	const rules = {
		rules: [
			{ id: 'test.disclosure', kind: 'disclosure', severity: 'block', message: 'Disclosure missing', phrases: ['a phrase nobody writes'], when: [condition] },
		],
	};
	const workflow = oneNodeWorkflow('Check', 'n8n-nodes-hitl.complianceCheck', {
		parameters: { textField: 'text', piiTypes: [], rulesJson: JSON.stringify(rules) },
	});
	const run = await runWorkflow(workflow, { input: [itemFor(row)] });
	expect(run.status).toBe('success');
	const [pass, fail] = [run.output('Check', 0).length, run.output('Check', 1).length];
	expect(pass + fail).toBe(1);
	return fail === 1;
}

describe('one condition table through both nodes', () => {
	test.each(TABLE.map((row) => [describeRow(row), row] as const))('%s', async (_name, row) => {
		const gate = await gateSays(row);
		const compliance = await complianceSays(row);
		expect({ gate, compliance }).toEqual({ gate: row.holds, compliance: row.holds });
	});

	test('a rule\'s "in" is "equals any of them", with the same text comparison', async () => {
		const row: Row = { channel: ' Phone', operator: 'equals', value: 'phone', holds: true };
		expect(await complianceSays(row, { field: 'channel', in: ['voice', 'PHONE'] })).toBe(true);
		expect(await complianceSays({ ...row, channel: 'email' }, { field: 'channel', in: ['voice', 'PHONE'] })).toBe(false);
	});
});
