/** Each built-in pack: a message that must hit it and a near-miss that must not. */
import { checkText, compileRuleset } from '../../../nodes/ComplianceCheck/checkCompliance';
import { RULE_PACKS, resolveRulePack } from '../../../nodes/ComplianceCheck/rulePacks';
import { rulesDocumentSchema } from '../../../nodes/ComplianceCheck/rulesDocument';

const ruleIds = (pack: string, text: string, item: Record<string, unknown> = {}) =>
	checkText(compileRuleset({ version: 't', packs: [pack], rules: [] }), text, item).violations.map((v) => v.ruleId);

describe('rule packs are data in the rules-document shape', () => {
	it.each(Object.values(RULE_PACKS).map((pack) => [pack.name, pack] as const))('%s validates as a rules document', (_name, pack) => {
		expect(rulesDocumentSchema.safeParse({ version: pack.version, rules: pack.rules }).success).toBe(true);
		for (const rule of pack.rules) {
			expect(rule.id.length).toBeGreaterThan(0);
			expect(rule.message.length).toBeGreaterThan(0);
			expect(rule.fix?.length).toBeGreaterThan(0);
		}
	});

	it('resolves by name or pinned version, and refuses an unknown version', () => {
		expect(resolveRulePack('pci').version).toBe('1.0.0');
		expect(resolveRulePack('pci@1.0.0').name).toBe('pci');
		expect(() => resolveRulePack('pci@9.9.9')).toThrow('version 9.9.9 is not available');
		expect(() => resolveRulePack('hipaa')).toThrow('Unknown rule pack "hipaa"');
	});

	it('puts pack versions into the ruleset version', () => {
		expect(compileRuleset({ version: 'team-7', packs: ['pci', 'gdpr'], rules: [] }).version).toBe('team-7+pci@1.0.0+gdpr@1.0.0');
	});
});

describe('pci', () => {
	it('hits a full card number, its CVV and expiry', () => {
		expect(ruleIds('pci', 'Card 4111 1111 1111 1111, exp 09/28, CVV 123')).toEqual(['pci.card-number', 'pci.expiry', 'pci.security-code']);
	});
	it('does not hit "card ending 1111" or a Luhn-failing number', () => {
		expect(ruleIds('pci', 'Your card ending 1111 was charged; ref 4111 1111 1111 1112.')).toEqual([]);
	});
	it('masks the card in the violation message', () => {
		const [violation] = checkText(compileRuleset({ version: 't', packs: ['pci'], rules: [] }), 'card 4111111111111111').violations;
		expect(violation.message).toContain('************1111');
		expect(violation.message).not.toContain('4111111111111111');
		expect(violation.severity).toBe('block');
	});
});

describe('fdcpa', () => {
	const miniMiranda = 'This is an attempt to collect a debt and any information obtained will be used for that purpose.';
	it('requires the mini-Miranda on first contact, tolerant to case and punctuation', () => {
		expect(ruleIds('fdcpa', 'Hello. Your balance is past due.', { firstContact: true })).toEqual(['fdcpa.mini-miranda']);
		expect(ruleIds('fdcpa', `Hello. ${miniMiranda.toUpperCase().replace(/ /g, '  ')} Pay now.`, { firstContact: 'true' })).toEqual([]);
	});
	it('near-miss: a partial disclosure does not satisfy it', () => {
		expect(ruleIds('fdcpa', 'This is an attempt to collect a debt.', { firstContact: true })).toEqual(['fdcpa.mini-miranda']);
	});
	it('requires the debt-collector notice on later contacts', () => {
		expect(ruleIds('fdcpa', 'Reminder: your balance is past due.', { firstContact: false })).toEqual(['fdcpa.collector-notice']);
		expect(ruleIds('fdcpa', 'This communication is from a debt collector. Your balance is past due.')).toEqual([]);
	});
	it('hits threats, with a typo, but not lawful statements', () => {
		const notice = 'This communication is from a debt collector. ';
		expect(ruleIds('fdcpa', `${notice}Pay or we will garnsh your wages.`)).toEqual(['fdcpa.threats']);
		expect(ruleIds('fdcpa', `${notice}We will not call your workplace and we will never garnish anything without a court order.`)).toEqual([]);
	});
});

describe('callRecording', () => {
	it('requires the notice in the first two sentences of a voice item', () => {
		expect(ruleIds('callRecording', 'Agent: Hello. How can I help? This call may be recorded.', { channel: 'voice' })).toEqual(['recording.notice']);
		expect(ruleIds('callRecording', 'Agent: Hello. This call may be recorded for training. How can I help?', { channel: 'voice' })).toEqual([]);
	});
	it('near-miss: other channels, and "recorded delivery", are not hit', () => {
		expect(ruleIds('callRecording', 'Hello, how can I help?', { channel: 'email' })).toEqual([]);
		expect(ruleIds('callRecording', 'Hello. Your recorded delivery call is booked.', { channel: 'voice' })).toEqual(['recording.notice']);
		expect(ruleIds('callRecording', 'Hello. Please note this call is being recorded.', { channel: 'phone' })).toEqual([]);
	});
});

describe('financialPromises', () => {
	it('hits guaranteed returns, risk-free (any spelling) and doubling money', () => {
		expect(ruleIds('financialPromises', 'Guaranteed returns, totally riskfree, double your money!')).toEqual([
			'finance.guaranteed-returns',
			'finance.risk-free',
			'finance.double-money',
		]);
	});
	it('near-miss: the allow-listed "risk-free trial" and balanced wording pass', () => {
		expect(ruleIds('financialPromises', 'Start a risk-free trial. Returns are not guaranteed and you may lose money.')).toEqual([]);
	});
});

describe('gdpr', () => {
	it('flags contact details and identifiers for review', () => {
		const result = checkText(compileRuleset({ version: 't', packs: ['gdpr'], rules: [] }), 'Mail jane@example.com from 10.0.0.7');
		expect(result.violations.map((v) => [v.ruleId, v.severity])).toEqual([
			['gdpr.contact-details', 'review'],
			['gdpr.identifiers', 'review'],
		]);
		expect(result.passed).toBe(false);
	});
	it('near-miss: a support address shape without a real domain, and a version number, pass', () => {
		expect(ruleIds('gdpr', 'Write to support@localhost or see version 10.2.0.1')).toEqual([]);
	});
});
