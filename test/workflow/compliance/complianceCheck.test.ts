/**
 * The Compliance Check node in real workflows run by n8n-core over the compiled node (dist/):
 * routing, annotating, redaction, the rules document, item errors and continue-on-fail.
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { oneNodeWorkflow, runWorkflow, type WorkflowJson } from '../harness';

const CHECK = 'Compliance Check';

function checkWorkflow(parameters: INodeParameters, nodeExtras: Record<string, unknown> = {}): WorkflowJson {
	return oneNodeWorkflow(CHECK, 'n8n-nodes-hitl.complianceCheck', { parameters, ...nodeExtras });
}

const drafted = (text: string, extra: IDataObject = {}): IDataObject => ({
	...extra,
	hitl: { caseId: `case-${String(extra.ticket ?? 'x')}`, draft: { text } },
});

const compliance = (item: { json: IDataObject }) => (item.json.hitl as IDataObject).compliance as IDataObject;

describe('Compliance Check in a workflow', () => {
	test('route mode: clean items on Pass, findings on Fail, every item kept with its pairing', async () => {
		const input = [
			drafted('Thanks, your refund is on its way.', { ticket: 'A' }),
			drafted('Your card 4111 1111 1111 1111 was charged.', { ticket: 'B' }),
			drafted('Your order #4111 1111 1111 1111 has shipped.', { ticket: 'C' }),
		];
		const run = await runWorkflow(checkWorkflow({ rulePacks: ['pci'] }), { input });
		expect(run.status).toBe('success');

		expect(run.output(CHECK, 0).map((item) => item.json.ticket)).toEqual(['A', 'C']);
		const failed = run.output(CHECK, 1);
		expect(failed.map((item) => item.json.ticket)).toEqual(['B']);
		expect(failed[0].pairedItem).toEqual({ item: 1 });

		const result = compliance(failed[0]);
		expect(result).toMatchObject({ passed: false, checkedField: 'hitl.draft.text' });
		expect(result.rulesetVersion).toMatch(/^rules-[0-9a-f]{10}\+pci@1\.0\.0$/);
		expect(result.violations).toEqual([
			expect.objectContaining({ ruleId: 'pci.card-number', kind: 'pii', severity: 'block', span: [10, 29], preview: '**** **** **** 1111' }),
		]);
		// the full card number appears only in the user's own text, never in our findings
		expect(JSON.stringify(result)).not.toContain('4111 1111 1111 1111');
		// the original item passes through: user fields and earlier hitl parts untouched
		expect(failed[0].json.ticket).toBe('B');
		expect((failed[0].json.hitl as IDataObject).draft).toEqual({ text: 'Your card 4111 1111 1111 1111 was charged.' });
		expect((failed[0].json.hitl as IDataObject).caseId).toBe('case-B');
	});

	test('annotate mode: one output, results in hitl.compliance', async () => {
		const run = await runWorkflow(checkWorkflow({ mode: 'annotate' }), {
			input: [drafted('Mail me at jane@example.com'), drafted('Nothing personal here')],
		});
		const out = run.output(CHECK, 0);
		expect(out).toHaveLength(2);
		expect(out.map((item) => compliance(item).passed)).toEqual([false, true]);
		expect(run.output(CHECK, 1)).toEqual([]);
	});

	test('check and redact: typed placeholders into hitl.compliance.redactedText and a chosen field', async () => {
		const run = await runWorkflow(
			checkWorkflow({
				operation: 'redact',
				mode: 'annotate',
				textField: 'body',
				options: { redactedTextField: 'safe.body' },
			}),
			{ input: [{ body: 'SSN 536-22-1234, phone (415) 555-2671, mail jane@example.com.' }] },
		);
		const [item] = run.output(CHECK, 0);
		expect(compliance(item).redactedText).toBe('SSN [SSN], phone [PHONE], mail [EMAIL].');
		expect(item.json.safe).toEqual({ body: 'SSN [SSN], phone [PHONE], mail [EMAIL].' });
		expect(item.json.body).toBe('SSN 536-22-1234, phone (415) 555-2671, mail jane@example.com.');
		expect(compliance(item).checkedField).toBe('body');
	});

	test('mask style keeps a recognisable tail', async () => {
		const run = await runWorkflow(
			checkWorkflow({ operation: 'redact', mode: 'annotate', textField: 'body', options: { redactionStyle: 'mask' } }),
			{ input: [{ body: 'card 4111-1111-1111-1111' }] },
		);
		expect(compliance(run.output(CHECK, 0)[0]).redactedText).toBe('card ****-****-****-1111');
	});

	test('disclosures, prohibited phrases and custom patterns from the form', async () => {
		const run = await runWorkflow(
			checkWorkflow({
				textField: 'body',
				piiTypes: [],
				requiredDisclosures: {
					disclosures: [
						{ phrases: 'This call may be recorded', withinSentences: 2, whenField: 'channel', whenEquals: 'voice', severity: 'block', message: 'No recording notice' },
					],
				},
				prohibitedPhrases: 'calm down',
				prohibitedOptions: { allow: 'calm down period', severity: 'review' },
				customPatterns: { patterns: [{ id: 'acct', pattern: 'ACC-\\d{8}', severity: 'review', message: 'Internal account id' }] },
			}),
			{
				input: [
					{ channel: 'voice', body: 'Hello. Please calm down. Your account ACC-12345678 is fine.' },
					{ channel: 'email', body: 'Hello. After the calm down period we will write again.' },
				],
			},
		);
		const [failed] = run.output(CHECK, 1);
		expect(compliance(failed).violations).toEqual([
			expect.objectContaining({ ruleId: 'disclosure-1', kind: 'disclosure', severity: 'block', message: 'No recording notice (checked the first 2 sentence(s))' }),
			expect.objectContaining({ ruleId: 'prohibited', kind: 'prohibited', span: [14, 23] }),
			expect.objectContaining({ ruleId: 'acct', kind: 'pattern', span: [38, 50] }),
		]);
		expect(run.output(CHECK, 0).map((item) => item.json.channel)).toEqual(['email']);
	});

	test('a rules JSON document adds its rules and names itself in the ruleset version', async () => {
		const rulesJson = JSON.stringify({
			version: 'team-rules-7',
			packs: ['financialPromises'],
			rules: [{ id: 'no-sorry', kind: 'prohibited', phrases: ['we apologise for any inconvenience'], severity: 'info', message: 'Cliché' }],
		});
		const run = await runWorkflow(checkWorkflow({ piiTypes: [], rulesJson }), {
			input: [drafted('We apologise for any inconvenience.'), drafted('Guaranteed returns for you!')],
		});
		const [passed] = run.output(CHECK, 0);
		expect(compliance(passed)).toMatchObject({ passed: true, rulesetVersion: 'team-rules-7+financialPromises@1.0.0' });
		expect((compliance(passed).violations as IDataObject[])[0]).toMatchObject({ ruleId: 'no-sorry', severity: 'info' });
		expect((compliance(run.output(CHECK, 1)[0]).violations as IDataObject[])[0]).toMatchObject({ ruleId: 'finance.guaranteed-returns' });
	});

	test('an invalid rules document fails the node naming the rule and field', async () => {
		const rulesJson = JSON.stringify({ version: '1', rules: [{ id: 'x', kind: 'pii', piiTypes: ['email'], severity: 'urgent', message: 'm' }] });
		const run = await runWorkflow(checkWorkflow({ rulesJson }), { input: [drafted('hi')] });
		expect(run.status).toBe('error');
		expect(run.error?.message).toContain('rules[0], id "x") → severity is invalid');
	});

	test('a pattern that could hang is refused with the reason', async () => {
		const run = await runWorkflow(
			checkWorkflow({ customPatterns: { patterns: [{ id: 'evil', pattern: '(a+)+$', severity: 'block', message: 'm' }] } }),
			{ input: [drafted('aaaa')] },
		);
		expect(run.status).toBe('error');
		expect(run.error?.message).toMatch(/Rule "evil".*could hang.*nested quantifiers/);
	});

	test('a missing or non-text field is an item error naming the field', async () => {
		const missing = await runWorkflow(checkWorkflow({}), { input: [{ ticket: 'no draft' }] });
		expect(missing.status).toBe('error');
		expect(missing.error?.message).toBe('Item 1: The field "hitl.draft.text" to check is missing on this item');
		expect((missing.error as { description?: string }).description).toContain('Put LLM Draft before Compliance Check');

		const numeric = await runWorkflow(checkWorkflow({ textField: 'body' }), { input: [{ body: 'fine' }, { body: 4111111111111111 }] });
		expect(numeric.error?.message).toBe('Item 2: The field "body" must be text, but it is a number');
		const object = await runWorkflow(checkWorkflow({ textField: 'body' }), { input: [{ body: { text: 'x' } }] });
		expect(object.error?.message).toBe('Item 1: The field "body" must be text, but it is an object');
	});

	test('continue on fail: a bad item leaves on Fail with its error and fields, the others are checked', async () => {
		const run = await runWorkflow(checkWorkflow({ textField: 'body' }, { onError: 'continueRegularOutput' }), {
			input: [{ ticket: 'A', body: 'all good' }, { ticket: 'B', body: 42 }],
		});
		expect(run.status).toBe('success');
		expect(run.output(CHECK, 0).map((item) => item.json.ticket)).toEqual(['A']);
		const [failed] = run.output(CHECK, 1);
		expect(failed.json).toMatchObject({ ticket: 'B', body: 42, error: 'Item 2: The field "body" must be text, but it is a number' });
		expect(failed.pairedItem).toEqual({ item: 1 });
	});

	test('continue using error output: the bad item goes to the error output with the user\'s fields', async () => {
		const run = await runWorkflow(checkWorkflow({ textField: 'body' }, { onError: 'continueErrorOutput' }), {
			input: [{ ticket: 'A', body: 'all good' }, { ticket: 'B', body: ['not', 'text'] }],
		});
		expect(run.status).toBe('success');
		expect(run.output(CHECK, 0).map((item) => item.json.ticket)).toEqual(['A']);
		expect(run.output(CHECK, 1)).toEqual([]);
		const [failed] = run.output(CHECK, 2);
		expect(failed.json).toMatchObject({ ticket: 'B', error: 'Item 2: The field "body" must be text, but it is a list' });
	});

	test('candidate phone countries and the minimum confidence change what PII is found', async () => {
		const body = 'Cheque line 011000015. Call 090-1234-5678 or wire to routing 021000021.';
		const redact = (options: INodeParameters) =>
			runWorkflow(checkWorkflow({ operation: 'redact', mode: 'annotate', textField: 'body', options }), { input: [{ body }] }).then(
				(run) => compliance(run.output(CHECK, 0)[0]),
			);
		// Defaults: a Japanese national number is no US number; the bare routing number is a weak shape.
		expect((await redact({})).redactedText).toBe('Cheque line 011000015. Call 090-1234-5678 or wire to routing [ROUTING].');
		const wider = await redact({ phoneCountries: 'il, JP', minConfidence: 0.3 });
		expect(wider.redactedText).toBe('Cheque line [ROUTING]. Call [PHONE] or wire to routing [ROUTING].');
		expect(wider.violations).toEqual([
			expect.objectContaining({ piiType: 'routing', span: [12, 21], score: 0.35 }),
			expect.objectContaining({ piiType: 'phone', span: [28, 41], score: 0.8 }),
			expect.objectContaining({ piiType: 'routing', span: [61, 70], score: 0.85 }),
		]);
	});

	test('an unknown candidate phone country or a minimum confidence outside 0–1 is an error that says what to write', async () => {
		const country = await runWorkflow(checkWorkflow({ textField: 'body', options: { phoneCountries: 'IL, Japan' } }), { input: [{ body: 'x' }] });
		expect(country.status).toBe('error');
		expect(country.error?.message).toContain('Candidate Phone Countries: "Japan" is not a country with a phone numbering plan');
		expect((country.error as { description?: string }).description).toContain('IL, JP, CN, IN');
		const confidence = await runWorkflow(checkWorkflow({ textField: 'body', options: { minConfidence: 2 } }), { input: [{ body: 'x' }] });
		expect(confidence.error?.message).toContain('Minimum Confidence must be between 0 and 1');
	});

	test('empty text is checked (and a required disclosure is missing from it)', async () => {
		const run = await runWorkflow(
			checkWorkflow({ textField: 'body', requiredDisclosures: { disclosures: [{ phrases: 'hello', severity: 'review', message: 'Greeting' }] } }),
			{ input: [{ body: '' }] },
		);
		const [failed] = run.output(CHECK, 1);
		expect(compliance(failed).violations).toEqual([expect.objectContaining({ ruleId: 'disclosure-1', kind: 'disclosure' })]);
	});
});
