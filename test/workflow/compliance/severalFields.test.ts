/**
 * Compliance Check over several fields (Also Check Fields), redaction in place, and findings kept
 * from an earlier check (Keep Earlier Findings) — in real workflows over the compiled node.
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { oneNodeWorkflow, runWorkflow, type WorkflowJson } from '../harness';

const CHECK = 'Compliance Check';
const TYPE = 'n8n-nodes-hitl.complianceCheck';
const CARD_MESSAGE = 'Refund to my card 4111 1111 1111 1111, CVV 737 please.';

const checkWorkflow = (parameters: INodeParameters): WorkflowJson => oneNodeWorkflow(CHECK, TYPE, { parameters });

/** Manual Trigger → "Check message" → "Check draft": a message checked before the model, the draft after. */
function twoChecks(first: INodeParameters, second: INodeParameters): WorkflowJson {
	return {
		nodes: [
			{ id: '1', name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
			{ id: '2', name: 'Check message', type: TYPE, typeVersion: 1, position: [200, 0], parameters: first },
			{ id: '3', name: 'Check draft', type: TYPE, typeVersion: 1, position: [400, 0], parameters: second },
		],
		connections: {
			Start: { main: [[{ node: 'Check message', type: 'main', index: 0 }]] },
			'Check message': { main: [[{ node: 'Check draft', type: 'main', index: 0 }]] },
		},
	};
}

const item = (message: string, draft: string): IDataObject => ({ body: { message }, hitl: { caseId: 'T-1', draft: { text: draft } } });
const complianceOf = (json: IDataObject) => (json.hitl as IDataObject).compliance as IDataObject & { violations: IDataObject[] };

describe('Compliance Check: several fields in one pass', () => {
	test('without the new options the result has exactly the single-field shape it always had', async () => {
		const run = await runWorkflow(checkWorkflow({ mode: 'annotate', rulePacks: ['pci'] }), { input: [item(CARD_MESSAGE, 'Card 4111111111111111 noted.')] });
		const result = complianceOf(run.output(CHECK, 0)[0].json);
		expect(result.checkedField).toBe('hitl.draft.text');
		expect(result.fields).toBeUndefined();
		expect(result.violations.map((violation) => Object.keys(violation).includes('field'))).toEqual([false]);
	});

	test('checks the draft and the customer message together: findings per field, Fail when either fails', async () => {
		const run = await runWorkflow(checkWorkflow({ rulePacks: ['pci'], piiTypes: [], options: { additionalTextFields: 'body.message' } }), {
			input: [item(CARD_MESSAGE, 'We will look into it.'), item('Where is my parcel?', 'It ships today.')],
		});
		expect(run.status).toBe('success');
		expect(run.output(CHECK, 0).map((out) => (out.json.body as IDataObject).message)).toEqual(['Where is my parcel?']);
		const [failed] = run.output(CHECK, 1);
		const result = complianceOf(failed.json);
		expect(result).toMatchObject({
			passed: false,
			checkedField: 'hitl.draft.text',
			fields: [
				{ field: 'hitl.draft.text', passed: true, rulesetVersion: result.rulesetVersion },
				{ field: 'body.message', passed: false, rulesetVersion: result.rulesetVersion },
			],
		});
		expect(result.violations).toEqual([
			expect.objectContaining({ ruleId: 'pci.card-number', field: 'body.message', span: [18, 37], preview: '**** **** **** 1111' }),
			expect.objectContaining({ ruleId: 'pci.security-code', field: 'body.message', span: [43, 46] }),
		]);
		expect(CARD_MESSAGE.slice(18, 37)).toBe('4111 1111 1111 1111');
		expect(JSON.stringify(result)).not.toContain('4111 1111 1111 1111');
	});

	test('Redact in Place replaces every checked field, so later nodes never see the card', async () => {
		const run = await runWorkflow(
			checkWorkflow({
				operation: 'redact',
				mode: 'annotate',
				piiTypes: ['card', 'cvv'],
				options: { additionalTextFields: 'body.message', redactInPlace: true, redactionStyle: 'mask' },
			}),
			{ input: [item(CARD_MESSAGE, 'Your card 4111111111111111 is noted.')] },
		);
		const [out] = run.output(CHECK, 0);
		expect((out.json.body as IDataObject).message).toBe('Refund to my card **** **** **** 1111, CVV *** please.');
		expect(((out.json.hitl as IDataObject).draft as IDataObject).text).toBe('Your card ************1111 is noted.');
		const result = complianceOf(out.json);
		expect(result.redactedText).toBe('Your card ************1111 is noted.');
		expect(result.fields).toEqual([
			expect.objectContaining({ field: 'hitl.draft.text', redactedText: 'Your card ************1111 is noted.' }),
			expect.objectContaining({ field: 'body.message', redactedText: 'Refund to my card **** **** **** 1111, CVV *** please.' }),
		]);
		expect(JSON.stringify(out.json)).not.toMatch(/4111 1111 1111 1111|4111111111111111|737/);
	});

	test('Keep Earlier Findings: the message checked before the model and the draft after it reach the gate as one result', async () => {
		const messageCheck = {
			operation: 'redact',
			mode: 'annotate',
			textField: 'body.message',
			piiTypes: ['card', 'cvv'],
			options: { redactedTextField: 'body.message', redactionStyle: 'mask' },
		};
		const draftCheck = { mode: 'annotate', piiTypes: [], prohibitedPhrases: 'calm down', options: { keepEarlierFindings: true } };
		const run = await runWorkflow(twoChecks(messageCheck, draftCheck), { input: [item(CARD_MESSAGE, 'Please calm down.')] });
		const [out] = run.output('Check draft', 0);
		expect((out.json.body as IDataObject).message).toBe('Refund to my card **** **** **** 1111, CVV *** please.');
		const result = complianceOf(out.json);
		expect(result.passed).toBe(false);
		expect(result.checkedField).toBe('hitl.draft.text');
		expect((result.fields as IDataObject[]).map((field) => [field.field, field.passed])).toEqual([
			['hitl.draft.text', false],
			['body.message', false],
		]);
		expect(result.violations.map((violation) => [violation.ruleId, violation.field])).toEqual([
			['prohibited', 'hitl.draft.text'],
			['pii', 'body.message'],
			['pii', 'body.message'],
		]);

		// Without the option the second check replaces the first one's result, as it always did.
		const replaced = await runWorkflow(twoChecks(messageCheck, { ...draftCheck, options: {} }), { input: [item(CARD_MESSAGE, 'Hello.')] });
		const alone = complianceOf(replaced.output('Check draft', 0)[0].json);
		expect(alone).toMatchObject({ passed: true, checkedField: 'hitl.draft.text', violations: [] });
		expect(alone.fields).toBeUndefined();
	});

	test('a missing extra field is an item error naming the item and the field', async () => {
		const run = await runWorkflow(checkWorkflow({ options: { additionalTextFields: 'body.message, body.subject' } }), {
			input: [{ ...item('hi', 'hello'), body: { message: 'hi' } }],
		});
		expect(run.status).toBe('error');
		expect(run.error?.message).toBe('Item 1: The field "body.subject" to check is missing on this item');
		expect((run.error as { description?: string }).description).toBe('Set Also Check Fields to the dot path of a text field on the item.');
	});
});
