/**
 * The Rules JSON parameter as the README describes it: `version` is optional (the Ruleset Version
 * option, else a fingerprint of the rules), and the empty editor holds valid JSON.
 */
import { buildRulesDocument, type ComplianceSettings } from '../../../nodes/ComplianceCheck/buildRulesDocument';
import { complianceDescription } from '../../../nodes/ComplianceCheck/description';
import { parseRulesDocument } from '../../../nodes/ComplianceCheck/rulesDocument';

const form = (overrides: Partial<ComplianceSettings> = {}): ComplianceSettings => ({
	piiTypes: [],
	piiSeverity: 'review',
	rulePacks: [],
	disclosures: [],
	prohibitedPhrases: '',
	prohibited: { allow: '', maxEdits: 1, severity: 'block', message: 'Prohibited phrase' },
	patterns: [],
	rulesJson: '',
	rulesetVersion: '',
	...overrides,
});

const RULES = { packs: ['pci'], rules: [{ id: 'rude', kind: 'prohibited', phrases: ['calm down'], severity: 'block', message: 'Tone' }] };

describe('Rules JSON', () => {
	it('takes a document without "version": the version is a fingerprint of the rules', () => {
		expect(parseRulesDocument(JSON.stringify(RULES)).version).toBeUndefined();
		const document = buildRulesDocument(form({ rulesJson: JSON.stringify(RULES) }));
		expect(document.version).toMatch(/^rules-[0-9a-f]{10}$/);
		expect(document.rules.map((rule) => rule.id)).toEqual(['rude']);
		// The same rules give the same fingerprint; other rules another one.
		expect(buildRulesDocument(form({ rulesJson: RULES })).version).toBe(document.version);
		expect(buildRulesDocument(form({ rulesJson: { ...RULES, packs: [] } })).version).not.toBe(document.version);
	});

	it('uses the Ruleset Version option first, then the document\'s version', () => {
		expect(buildRulesDocument(form({ rulesJson: { ...RULES, version: '2026-11-01' } })).version).toBe('2026-11-01');
		expect(buildRulesDocument(form({ rulesJson: { ...RULES, version: '2026-11-01' }, rulesetVersion: 'v9' })).version).toBe('v9');
	});

	it('starts the editor with valid JSON, so the empty editor shows no error marker, and treats it as no rules', () => {
		const parameter = complianceDescription.find((property) => property.name === 'rulesJson')!;
		expect(parameter.type).toBe('json');
		// n8n's JSON editor lints with JSON.parse; an empty string is "Unexpected end of JSON input".
		expect(() => JSON.parse(String(parameter.default))).not.toThrow();
		const document = buildRulesDocument(form({ rulesJson: parameter.default, piiTypes: ['card'] }));
		expect(document.rules.map((rule) => rule.id)).toEqual(['pii']);
		expect(document.packs).toEqual([]);
	});
});
