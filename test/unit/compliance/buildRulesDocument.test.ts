import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { buildRulesDocument, type ComplianceSettings } from '../../../nodes/ComplianceCheck/buildRulesDocument';
import { corpusPath } from '../../fixtures/compliance/scorePiiFindings';

const form = (overrides: Partial<ComplianceSettings> = {}): ComplianceSettings => ({
	piiTypes: ['email', 'card'],
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

describe('the node form as a rules document', () => {
	it('turns each form section into a rule with an id, and fingerprints the version', () => {
		const document = buildRulesDocument(
			form({
				disclosures: [{ phrases: 'Hello\n\nThis call may be recorded', withinSentences: 2, whenField: 'channel', whenEquals: 'voice', severity: 'block', message: '' }],
				prohibitedPhrases: 'calm down\n  not our problem  \n',
				prohibited: { allow: 'calm down period', maxEdits: 0, severity: 'review', message: 'Tone' },
				patterns: [{ id: '', pattern: 'ACC-\\d{8}', ignoreCase: true, severity: 'info', message: 'Account', redact: true }],
			}),
		);
		expect(document.rules.map((rule) => [rule.id, rule.kind])).toEqual([
			['pii', 'pii'],
			['disclosure-1', 'disclosure'],
			['prohibited', 'prohibited'],
			['pattern-1', 'pattern'],
		]);
		expect(document.rules[1]).toMatchObject({ phrases: ['Hello', 'This call may be recorded'], withinSentences: 2, when: [{ field: 'channel', equals: 'voice' }] });
		expect(document.rules[2]).toMatchObject({ phrases: ['calm down', 'not our problem'], allow: ['calm down period'], maxEdits: 0 });
		expect(document.version).toMatch(/^rules-[0-9a-f]{10}$/);
		expect(buildRulesDocument(form({ piiTypes: ['email'] })).version).not.toBe(buildRulesDocument(form()).version);
		expect(buildRulesDocument(form({ rulesetVersion: ' 2026-11 ' })).version).toBe('2026-11');
	});

	it('merges a JSON document: its packs, rules and version', () => {
		const document = buildRulesDocument(
			form({ rulePacks: ['pci'], rulesJson: { version: 'team-3', packs: ['pci', 'gdpr'], rules: [{ id: 'x', kind: 'pattern', pattern: 'x', severity: 'info', message: 'm' }] } }),
		);
		expect(document).toMatchObject({ version: 'team-3', packs: ['pci', 'gdpr'] });
		expect(document.rules.map((rule) => rule.id)).toEqual(['pii', 'x']);
	});

	it('says which form entry is incomplete', () => {
		expect(() =>
			buildRulesDocument(form({ disclosures: [{ phrases: ' \n ', withinSentences: 0, whenField: '', whenEquals: '', severity: 'block', message: '' }] })),
		).toThrow('Required Disclosures → entry 1 has no phrase');
		expect(() =>
			buildRulesDocument(form({ patterns: [{ id: 'bad id!', pattern: 'x', ignoreCase: false, severity: 'info', message: '', redact: false }] })),
		).toThrow(/Node settings: rule 2 \(rules\[1\], id "bad id!"\) → id is invalid/);
	});
});

describe('the corpus file', () => {
	it('is exactly what the committed generator writes', () => {
		const out = join(mkdtempSync(join(tmpdir(), 'corpus-')), 'corpus.json');
		execFileSync(process.execPath, [join(__dirname, '../../fixtures/compliance/generateCorpus.mjs'), `--out=${out}`]);
		expect(readFileSync(out, 'utf8')).toBe(readFileSync(corpusPath(), 'utf8'));
	});
});
