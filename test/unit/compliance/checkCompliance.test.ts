import { checkText, compileRuleset, conditionsHold } from '../../../nodes/ComplianceCheck/checkCompliance';
import { redactablesFromPii, redactText } from '../../../nodes/ComplianceCheck/redactText';
import type { RuleDefinition } from '../../../nodes/ComplianceCheck/rulesDocument';

const rules = (...list: RuleDefinition[]) => compileRuleset({ version: 'v1', rules: list });

describe('required disclosures', () => {
	const disclosure: RuleDefinition = {
		id: 'greet',
		kind: 'disclosure',
		phrases: ['thank you for contacting Example Co'],
		withinSentences: 1,
		severity: 'review',
		message: 'Greeting missing',
		when: [{ field: 'channel', equals: 'email' }],
	};

	it('passes when the phrase appears in the first sentence, whatever the case, punctuation or spacing', () => {
		expect(checkText(rules(disclosure), 'THANK YOU,  for contacting example-co! We refunded you.', { channel: 'email' }).passed).toBe(true);
	});

	it('fails when it appears only later than the first N sentences, and says so', () => {
		const result = checkText(rules(disclosure), 'We refunded you. Thank you for contacting Example Co.', { channel: 'email' });
		expect(result.violations).toEqual([
			{ ruleId: 'greet', kind: 'disclosure', severity: 'review', message: 'Greeting missing (checked the first 1 sentence(s))' },
		]);
	});

	it('applies only when its condition holds', () => {
		expect(checkText(rules(disclosure), 'We refunded you.', { channel: 'sms' }).passed).toBe(true);
		expect(checkText(rules(disclosure), 'We refunded you.', {}).passed).toBe(true);
	});

	it('accepts a pattern instead of phrases', () => {
		const byPattern: RuleDefinition = { id: 'ref', kind: 'disclosure', pattern: 'ref(?:erence)? [A-Z]{3}-\\d+', flags: 'i', severity: 'block', message: 'm' };
		expect(checkText(rules(byPattern), 'Your reference ABC-123.').passed).toBe(true);
		expect(checkText(rules(byPattern), 'No reference here.').passed).toBe(false);
	});
});

describe('conditions', () => {
	it('supports equals, notEquals, in and exists on dot paths', () => {
		const item = { customer: { tier: 'gold', firstContact: 'TRUE' }, amount: 5 };
		expect(conditionsHold([{ field: 'customer.tier', equals: 'gold' }], item)).toBe(true);
		expect(conditionsHold([{ field: 'customer.firstContact', equals: true }], item)).toBe(true);
		expect(conditionsHold([{ field: 'amount', in: [1, 5] }], item)).toBe(true);
		expect(conditionsHold([{ field: 'customer.tier', notEquals: 'gold' }], item)).toBe(false);
		expect(conditionsHold([{ field: 'missing', exists: false }], item)).toBe(true);
		expect(conditionsHold([{ field: 'amount', exists: true }, { field: 'customer.tier', equals: 'silver' }], item)).toBe(false);
	});
});

describe('prohibited phrases', () => {
	const prohibited: RuleDefinition = {
		id: 'rude',
		kind: 'prohibited',
		phrases: ['calm down', 'not our problem'],
		maxEdits: 1,
		allow: ['not our problem to decide'],
		severity: 'block',
		message: 'Dismissive wording',
	};

	it('matches literal phrases across case and punctuation, with exact spans', () => {
		const text = 'Please CALM—down. That is Not Our Problem!';
		const result = checkText(rules(prohibited), text);
		expect(result.violations.map((v) => text.slice(...v.span!))).toEqual(['CALM—down', 'Not Our Problem']);
	});

	it('matches small edits on longer words only', () => {
		expect(checkText(rules(prohibited), 'that is not our problemm').passed).toBe(false);
		expect(checkText(rules(prohibited), 'that is not out problem').passed).toBe(true); // "our" is too short to fuzz
	});

	it('drops hits inside an allow-listed phrase', () => {
		expect(checkText(rules(prohibited), 'Which plan you pick is not our problem to decide.').passed).toBe(true);
	});

	it('supports patterns, case-insensitive by default', () => {
		const byPattern: RuleDefinition = { id: 'comp', kind: 'prohibited', patterns: ['\\bfree (?:money|cash)\\b'], severity: 'review', message: 'm' };
		expect(checkText(rules(byPattern), 'Get FREE cash now').violations[0].span).toEqual([4, 13]);
	});

	it('never quotes a card number back, even when a user pattern matched it', () => {
		const cards: RuleDefinition = { id: 'digits', kind: 'prohibited', patterns: ['card \\d[\\d ]+\\d'], severity: 'block', message: 'Card' };
		const [violation] = checkText(rules(cards), 'my card 4111 1111 1111 1111 ok').violations;
		expect(violation.message).toBe('Card: "card **** **** **** 1111"');
	});

	it('counts info-only findings as passed', () => {
		const info: RuleDefinition = { ...prohibited, id: 'note', severity: 'info' };
		const result = checkText(rules(info), 'calm down');
		expect(result.passed).toBe(true);
		expect(result.violations).toHaveLength(1);
	});
});

describe('PII rules', () => {
	it('reports each finding once, under the most severe rule asking for it', () => {
		const ruleset = compileRuleset({
			version: 'v1',
			packs: ['gdpr', 'pci'],
			rules: [],
		});
		const result = checkText(ruleset, 'card 4111 1111 1111 1111');
		expect(result.violations.map((v) => [v.ruleId, v.severity, v.piiType, v.span])).toEqual([['pci.card-number', 'block', 'card', [5, 24]]]);
	});

	it('rejects duplicate rule ids across packs and the document', () => {
		expect(() =>
			compileRuleset({ version: 'v', packs: ['pci'], rules: [{ id: 'pci.expiry', kind: 'pii', piiTypes: ['email'], severity: 'info', message: 'm' }] }),
		).toThrow('Rule id "pci.expiry" is used twice');
	});
});

describe('redaction', () => {
	const text = 'Card 4111 1111 1111 1111, mail jane@example.com, acct ACC-12345678.';
	const ruleset = compileRuleset({
		version: 'v1',
		packs: ['pci', 'gdpr'],
		rules: [{ id: 'acct', kind: 'pattern', pattern: 'ACC-\\d{8}', severity: 'review', message: 'Internal account id', redact: true }],
	});
	const result = checkText(ruleset, text);
	const redactables = [
		...redactablesFromPii(result.piiFindings),
		...result.redactableMatches.map((match) => ({ span: match.span, type: 'account' })),
	];

	it('replaces findings with typed placeholders', () => {
		expect(redactText(text, redactables, 'placeholder')).toBe('Card [CARD], mail [EMAIL], acct [ACCOUNT].');
	});

	it('or with masks that keep only a recognisable tail', () => {
		expect(redactText(text, redactables, 'mask')).toBe('Card **** **** **** 1111, mail j***@example.com, acct [ACCOUNT].');
	});

	it('redacts numbers spoken as words in a transcript when asked to read them', () => {
		const transcript = 'Customer: my card is four one one one, one one one one, one one one one, one one one one. Agent: thanks.';
		const spoken = compileRuleset({ version: 'v', packs: ['pci'], rules: [] }, { spokenNumbers: true });
		const found = checkText(spoken, transcript);
		expect(found.violations.map((v) => [v.ruleId, v.preview])).toEqual([['pci.card-number', '**** **** **** 1111']]);
		expect(redactText(transcript, redactablesFromPii(found.piiFindings), 'placeholder')).toBe('Customer: my card is [CARD]. Agent: thanks.');
		expect(checkText(compileRuleset({ version: 'v', packs: ['pci'], rules: [] }), transcript).passed).toBe(true);
	});

	it('merges overlapping spans and leaves text without findings unchanged', () => {
		expect(redactText('abcdef', [{ span: [1, 4], type: 'x' }, { span: [2, 5], type: 'y' }], 'placeholder')).toBe('a[X]f');
		expect(redactText('nothing here', [], 'mask')).toBe('nothing here');
	});
});
