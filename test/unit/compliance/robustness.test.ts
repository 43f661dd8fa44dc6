/**
 * Inputs a node meets in production: a 10 MB message, hostile 10 MB runs built to make regexes
 * backtrack, empty text, and unicode (emoji, right-to-left script, combining marks) before and
 * around the findings. Spans are UTF-16 code-unit offsets into the checked string, so
 * `text.slice(...span)` must give back exactly the value. "Bounded time" here means the test
 * finishes within jest's timeout; speed itself is measured in bench/compliance, not asserted.
 */
import { checkText, compileRuleset, MAX_VIOLATIONS_PER_RULE } from '../../../nodes/ComplianceCheck/checkCompliance';
import { RULE_PACK_NAMES } from '../../../nodes/ComplianceCheck/rulePacks';
import { PII_TYPES } from '../../../nodes/ComplianceCheck/piiTypes';
import { scanForPii } from '../../../nodes/ComplianceCheck/scanForPii';
import { loadCorpus } from '../../fixtures/compliance/scorePiiFindings';

const TEN_MB = 10 * 1024 * 1024;
const everything = compileRuleset({
	version: 'robustness',
	packs: RULE_PACK_NAMES,
	rules: [
		{ id: 'all-pii', kind: 'pii', piiTypes: [...PII_TYPES], severity: 'review', message: 'PII' },
		{ id: 'acct', kind: 'pattern', pattern: 'ACC-\\d{8}', severity: 'review', message: 'account' },
	],
});

jest.setTimeout(120_000);

describe('a 10 MB message', () => {
	const corpus = loadCorpus();
	// The corpus joined over and over: every labelled span, shifted by where its message landed.
	const parts: string[] = [];
	const expected: { type: string; start: number; end: number }[] = [];
	let length = 0;
	for (let index = 0; length < TEN_MB; index++) {
		const message = corpus[index % corpus.length];
		for (const { type, span } of message.pii) expected.push({ type, start: length + span[0], end: length + span[1] });
		parts.push(message.text, '\n\n');
		length += message.text.length + 2;
	}
	const text = parts.join('');

	it('finds every labelled value at its exact offset', () => {
		const found = scanForPii(text, { currentYear: 2026 });
		expect(found.length).toBe(expected.length);
		const mismatches = found.filter(
			(finding, index) =>
				finding.type !== expected[index].type || finding.span[0] !== expected[index].start || finding.span[1] !== expected[index].end,
		);
		expect(mismatches).toEqual([]);
	});

	it('runs every rule pack and a custom pattern over it', () => {
		const result = checkText(everything, text, { channel: 'voice', firstContact: true });
		// Every finding is there for redaction; the violations list is capped per rule, with a count.
		expect(result.piiFindings.length).toBe(expected.length);
		const piiViolations = result.violations.filter((violation) => violation.ruleId === 'pci.card-number');
		expect(piiViolations).toHaveLength(MAX_VIOLATIONS_PER_RULE + 1);
		const cards = expected.filter((value) => value.type === 'card').length;
		expect(piiViolations[MAX_VIOLATIONS_PER_RULE].message).toBe(
			`${cards - MAX_VIOLATIONS_PER_RULE} more finding(s) of rule "pci.card-number" not listed (only the first 100 are)`,
		);
		expect(result.violations.some((violation) => violation.ruleId === 'compliance.pattern-timeout')).toBe(false);
	});
});

describe('hostile 10 MB inputs finish', () => {
	it.each([
		['digits', () => '1'.repeat(TEN_MB)],
		['letters', () => 'a'.repeat(TEN_MB)],
		['at signs between letters', () => 'a@'.repeat(TEN_MB / 2)],
		['dotted digits', () => '1.'.repeat(TEN_MB / 2)],
		['spaced digits', () => '4 '.repeat(TEN_MB / 2)],
		['dashed digits', () => '12-'.repeat(TEN_MB / 3)],
		['colons and hex', () => 'a:'.repeat(TEN_MB / 2)],
		['local-part characters', () => 'a.'.repeat(TEN_MB / 2)],
		['context words with no value', () => 'date of birth CVV expires ssn routing '.repeat(TEN_MB / 38)],
		['repeated prohibited wording', () => 'guaranteed returns risk free garanteed '.repeat(TEN_MB / 39)],
	])('%s', (_name, make) => {
		const text = make();
		const result = checkText(everything, text, { channel: 'voice', firstContact: true });
		expect(Array.isArray(result.violations)).toBe(true);
		for (const violation of result.violations) {
			if (violation.span) expect(violation.span[1]).toBeLessThanOrEqual(text.length);
		}
	});

	it('a custom pattern that is slow on the text is stopped, not waited for', () => {
		const slow = compileRuleset(
			{ version: 'v', rules: [{ id: 'slow', kind: 'pattern', pattern: '\\d+\\d+\\d+x', severity: 'info', message: 'm' }] },
			{ patternTimeoutMs: 100 },
		);
		const result = checkText(slow, '1'.repeat(200_000));
		expect(result.violations.map((violation) => violation.ruleId)).toEqual(['compliance.pattern-timeout']);
	});
});

describe('empty text', () => {
	it('has no PII and only the disclosures it lacks', () => {
		expect(scanForPii('')).toEqual([]);
		const result = checkText(everything, '', { channel: 'voice', firstContact: true });
		expect(result.violations.map((violation) => violation.ruleId).sort()).toEqual(['fdcpa.mini-miranda', 'recording.notice']);
	});
});

describe('unicode: spans are UTF-16 code units of the checked string', () => {
	const prefixes = [
		['emoji (surrogate pairs)', '😀🙏🏽 '],
		['a ZWJ family emoji', '👨‍👩‍👧‍👦 '],
		['right-to-left Arabic', 'مرحبا، رقمي '],
		['Hebrew with a direction mark', 'שלום \u200f'],
		['combining marks', 'Zoe\u0308 cafe\u0301 n\u0303 '],
		['CJK', '我的信用卡是 '],
	] as const;

	it.each(prefixes)('after %s', (_name, prefix) => {
		const values = [
			['card', '4111 1111 1111 1111'],
			['email', 'zoe@example.com'],
			['phone', '(415) 555-2671'],
			['iban', 'DE89 3704 0044 0532 0130 00'],
		] as const;
		let text = prefix;
		const expected: [string, number, number][] = [];
		for (const [type, value] of values) {
			expected.push([type, text.length, text.length + value.length]);
			text += `${value} ${prefix}`;
		}
		const found = scanForPii(text).map((finding) => [finding.type, ...finding.span]);
		expect(found).toEqual(expected);
		for (const [, start, end] of expected) expect(values.map((v) => v[1] as string)).toContain(text.slice(start, end));
	});

	it('prohibited phrases among combining marks and RTL keep exact spans', () => {
		const ruleset = compileRuleset({ version: 'v', packs: ['financialPromises'], rules: [] });
		const text = 'שלום Zoe\u0308 👋 — guaranteed returns 🚀 مرحبا';
		const [violation] = checkText(ruleset, text).violations;
		expect(text.slice(...violation.span!)).toBe('guaranteed returns');
	});

	it('decomposed and composed accents match alike, with spans on the text as written', () => {
		const ruleset = compileRuleset({
			version: 'v',
			rules: [{ id: 'p', kind: 'prohibited', phrases: ['café'], severity: 'info', message: 'm' }],
		});
		expect(checkText(ruleset, 'un café noir').violations[0].span).toEqual([3, 7]);
		// "e" + U+0301 is two code units: the span covers both.
		expect(checkText(ruleset, 'un cafe\u0301 noir').violations[0].span).toEqual([3, 8]);
	});
});
