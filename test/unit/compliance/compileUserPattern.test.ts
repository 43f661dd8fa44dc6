import {
	BoundedPatternRunner,
	compileUserPattern,
	findCatastrophicConstruct,
	UnsafePatternError,
} from '../../../nodes/ComplianceCheck/compileUserPattern';
import { checkText, compileRuleset } from '../../../nodes/ComplianceCheck/checkCompliance';

describe('static safety check of user patterns', () => {
	it.each(['(a+)+$', '(\\w+\\s?)*$', '(x*y?)+z', '(?:\\d+)*', '(a|a)*b', '(\\w|\\d)+x', '(a|ab)*c', '(.*a){10}', '(a)\\1'])(
		'rejects %s',
		(source) => {
			expect(findCatastrophicConstruct(source)).toBeDefined();
			expect(() => compileUserPattern(source, '', 'Rule "r"')).toThrow(UnsafePatternError);
		},
	);

	it.each(['ACC-\\d{8}', '\\b(?:foo|bar)+\\b', '(?:\\s|,)+', '[A-Z]{2}\\d{6}', '(ab)+', '^\\w+@\\w+\\.com$', '(?<year>\\d{4})-\\d{2}', 'colou?r'])(
		'accepts %s',
		(source) => {
			expect(findCatastrophicConstruct(source)).toBeUndefined();
			expect(compileUserPattern(source, 'i', 'Rule "r"')).toBeInstanceOf(RegExp);
		},
	);

	it('explains the problem and names the rule', () => {
		expect(() => compileUserPattern('(a+)+$', '', 'Rule "acct"')).toThrow(/Rule "acct".*could hang.*nested quantifiers/);
		expect(() => compileUserPattern('(unclosed', '', 'Rule "acct"')).toThrow(/Rule "acct".*not a valid regular expression/);
	});
});

describe('bounded run time', () => {
	it('stops a slow pattern the static check lets through and reports it as a review violation', () => {
		// Polynomial, not exponential: passes the static check, but is O(n^4) on this input.
		const ruleset = compileRuleset(
			{ version: 't', rules: [{ id: 'slow', kind: 'pattern', pattern: '.*.*.*.*=', severity: 'info', message: 'm' }] },
			{ patternTimeoutMs: 50 },
		);
		const started = Date.now();
		const result = checkText(ruleset, 'x'.repeat(3000));
		expect(Date.now() - started).toBeLessThan(2000);
		expect(result.violations).toEqual([expect.objectContaining({ ruleId: 'compliance.pattern-timeout', severity: 'review' })]);
		expect(result.passed).toBe(false);
	});

	it('interrupts even an exponential pattern (defence in depth)', () => {
		const runner = new BoundedPatternRunner([/(a+)+$/g], 50);
		const started = Date.now();
		expect(runner.run(`${'a'.repeat(40)}!`)).toBe('timeout');
		expect(Date.now() - started).toBeLessThan(2000);
		expect(runner.run('aaa')).toEqual([[[0, 3]]]);
	});

	it('runners share one vm context without seeing each other\'s patterns, also after a timeout', () => {
		const slow = new BoundedPatternRunner([/(a+)+$/g], 50);
		const digits = new BoundedPatternRunner([/\d+/g], 1000);
		const words = new BoundedPatternRunner([/[a-z]+/g, /!/g], 1000);
		expect(digits.run('a1b22')).toEqual([[[1, 2], [3, 5]]]);
		expect(slow.run(`${'a'.repeat(40)}!`)).toBe('timeout');
		expect(words.run('ab 12!')).toEqual([[[0, 2]], [[5, 6]]]);
		expect(digits.run('no digits')).toEqual([[]]);
		expect(new BoundedPatternRunner([], 1000).run('anything')).toEqual([]);
	});

	it('caps matches and steps over empty matches', () => {
		const runner = new BoundedPatternRunner([/x*/g], 1000);
		const result = runner.run('y'.repeat(5000));
		expect(result).not.toBe('timeout');
		expect((result as [number, number][][])[0]).toHaveLength(1000);
	});
});
