import { parseRulesDocument, RulesDocumentError } from '../../../nodes/ComplianceCheck/rulesDocument';

const errorOf = (input: unknown): RulesDocumentError => {
	try {
		parseRulesDocument(input);
	} catch (error) {
		return error as RulesDocumentError;
	}
	throw new Error('expected the document to be rejected');
};

describe('rules document', () => {
	it('accepts a complete document, from JSON text too', () => {
		const document = {
			version: '2026-11-01',
			packs: ['pci'],
			rules: [
				{ id: 'no-acct', kind: 'pattern', pattern: 'ACC-\\d{8}', severity: 'review', message: 'Internal account id', redact: true },
				{ id: 'greeting', kind: 'disclosure', phrases: ['thank you for contacting'], severity: 'info', message: 'x', withinSentences: 2 },
				{ id: 'words', kind: 'prohibited', phrases: ['idiot'], maxEdits: 1, allow: ['idiot-proof'], severity: 'block', message: 'y' },
				{ id: 'pii', kind: 'pii', piiTypes: ['email'], severity: 'review', message: 'z', when: [{ field: 'channel', in: ['sms'] }] },
			],
		};
		expect(parseRulesDocument(JSON.stringify(document)).rules).toHaveLength(4);
	});

	it('names the rule index, its id and the field at fault', () => {
		const error = errorOf({
			version: '1',
			rules: [
				{ id: 'ok', kind: 'pii', piiTypes: ['email'], severity: 'review', message: 'm' },
				{ id: 'bad-one', kind: 'prohibited', phrases: ['x'], severity: 'urgent', message: 'm' },
			],
		});
		expect(error).toBeInstanceOf(RulesDocumentError);
		expect(error.path).toBe('rules[1].severity');
		expect(error.message).toContain('rule 2 (rules[1], id "bad-one") → severity is invalid');
	});

	it('reports a missing field, an unknown kind, an unknown field and a bad condition', () => {
		expect(errorOf({ version: '1', rules: [{ id: 'a', kind: 'pii', severity: 'info', message: 'm' }] }).message).toContain(
			'rules[0], id "a") → piiTypes is missing',
		);
		expect(errorOf({ version: '1', rules: [{ id: 'a', kind: 'regex', severity: 'info', message: 'm' }] }).path).toBe('rules[0].kind');
		expect(
			errorOf({ version: '1', rules: [{ id: 'a', kind: 'pattern', pattern: 'x', severity: 'info', message: 'm', colour: 'red' }] }).message,
		).toContain('has unknown field(s): colour');
		const condition = errorOf({
			version: '1',
			rules: [{ id: 'a', kind: 'pattern', pattern: 'x', severity: 'info', message: 'm', when: [{ field: 'channel' }] }],
		});
		expect(condition.path).toBe('rules[0].when[0]');
		expect(condition.message).toContain('needs exactly one of');
		expect(errorOf({ version: '1', rules: [{ id: 'a', kind: 'disclosure', severity: 'info', message: 'm' }] }).path).toBe('rules[0].phrases');
	});

	it('reports document-level problems and bad JSON', () => {
		expect(errorOf({ version: '', rules: [] }).message).toBe(
			'Rules JSON: version is invalid: must not be empty: leave it out for a fingerprint of the rules',
		);
		expect(errorOf({ rules: [], colour: 'red' }).message).toBe('Rules JSON: (document) has unknown field(s): colour');
		expect(errorOf('{ "version": ').message).toContain('is not valid JSON');
	});
});
