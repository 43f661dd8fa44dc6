/**
 * The compliance check as one pure function over (rules, text, item): compile the rules once per
 * execution with {@link compileRuleset}, then {@link checkText} per item. Returns the violations
 * in the `hitl.compliance` shape (DESIGN.md) plus the PII findings redaction needs.
 */
import type { CountryCode } from 'libphonenumber-js';

import { valueMeets } from '../shared/conditions';
import { getFieldValue } from '../shared/fieldPath';
import type { Severity, Violation } from '../shared/itemContract';
import { BoundedPatternRunner, compileUserPattern } from './compileUserPattern';
import { maskLongDigitRuns } from './maskPii';
import { endOfSentences, PhraseMatcher, tokenizeWords, type WordToken } from './matchPhrases';
import { PII_LABELS, type PiiFinding, type PiiType } from './piiTypes';
import { resolveRulePack } from './rulePacks';
import type { Condition, DisclosureRule, PatternRule, PiiRule, ProhibitedRule, RuleDefinition, VersionedRulesDocument } from './rulesDocument';
import { scanForPii } from './scanForPii';

export interface ComplianceOptions {
	defaultCountry?: CountryCode;
	/** Further countries whose national phone format is read (see PiiScanOptions). */
	phoneCountries?: CountryCode[];
	/** PII findings below this confidence are not reported (see PiiScanOptions). */
	minConfidence?: number;
	spokenNumbers?: boolean;
	/** Time budget for all custom patterns on one text. */
	patternTimeoutMs?: number;
	currentYear?: number;
}

/** A violation as written to `hitl.compliance.violations`, with PII details when it is one. */
export type ComplianceViolation = Violation & { piiType?: PiiType; preview?: string; score?: number };

export interface ComplianceResult {
	passed: boolean;
	rulesetVersion: string;
	violations: ComplianceViolation[];
	/** PII findings any active PII rule asked for; what redaction replaces. */
	piiFindings: PiiFinding[];
	/** Matches of pattern rules marked `redact`. */
	redactableMatches: { ruleId: string; span: [number, number] }[];
}

interface CompiledDisclosure {
	rule: DisclosureRule;
	phrases?: PhraseMatcher;
	pattern?: number;
}

interface CompiledProhibited {
	rule: ProhibitedRule;
	matcher?: PhraseMatcher;
	allow?: PhraseMatcher;
	patterns: number[];
}

export interface CompiledRuleset {
	version: string;
	rules: RuleDefinition[];
	piiRules: PiiRule[];
	piiTypes: PiiType[];
	disclosures: CompiledDisclosure[];
	prohibited: CompiledProhibited[];
	patternRules: { rule: PatternRule; pattern: number }[];
	runner: BoundedPatternRunner;
	/** Which rule owns each entry of the runner's pattern list, for timeout messages. */
	patternOwners: string[];
	options: Required<Omit<ComplianceOptions, OptionalScanOption>> & Pick<ComplianceOptions, OptionalScanOption>;
}

const DEFAULT_PATTERN_TIMEOUT_MS = 250;
/** Options whose default lives in scanForPii, so "not set" stays `undefined` here. */
type OptionalScanOption = 'defaultCountry' | 'currentYear' | 'phoneCountries' | 'minConfidence';

/** Expands packs, checks ids are unique, compiles phrases and user patterns (throwing on unsafe ones). */
export function compileRuleset(document: VersionedRulesDocument, options: ComplianceOptions = {}): CompiledRuleset {
	const packs = (document.packs ?? []).map(resolveRulePack);
	const rules: RuleDefinition[] = [...packs.flatMap((pack) => pack.rules), ...document.rules];
	const seen = new Set<string>();
	rules.forEach((rule) => {
		if (seen.has(rule.id)) throw new Error(`Rule id "${rule.id}" is used twice; every rule needs its own id`);
		seen.add(rule.id);
	});

	const patterns: RegExp[] = [];
	const patternOwners: string[] = [];
	const addPattern = (source: string, flags: string | undefined, rule: RuleDefinition) => {
		patterns.push(compileUserPattern(source, flags, `Rule "${rule.id}"`));
		patternOwners.push(rule.id);
		return patterns.length - 1;
	};

	const piiRules = rules.filter((rule): rule is PiiRule => rule.kind === 'pii');
	const disclosures = rules
		.filter((rule): rule is DisclosureRule => rule.kind === 'disclosure')
		.map((rule) => ({
			rule,
			phrases: rule.phrases ? new PhraseMatcher(rule.phrases, 0) : undefined,
			pattern: rule.pattern === undefined ? undefined : addPattern(rule.pattern, rule.flags, rule),
		}));
	const prohibited = rules
		.filter((rule): rule is ProhibitedRule => rule.kind === 'prohibited')
		.map((rule) => ({
			rule,
			matcher: rule.phrases ? new PhraseMatcher(rule.phrases, rule.maxEdits ?? 0) : undefined,
			allow: rule.allow ? new PhraseMatcher(rule.allow, 0) : undefined,
			patterns: (rule.patterns ?? []).map((source) => addPattern(source, rule.flags ?? 'i', rule)),
		}));
	const patternRules = rules
		.filter((rule): rule is PatternRule => rule.kind === 'pattern')
		.map((rule) => ({ rule, pattern: addPattern(rule.pattern, rule.flags, rule) }));

	const resolvedOptions = {
		spokenNumbers: options.spokenNumbers ?? false,
		patternTimeoutMs: options.patternTimeoutMs ?? DEFAULT_PATTERN_TIMEOUT_MS,
		defaultCountry: options.defaultCountry,
		phoneCountries: options.phoneCountries,
		minConfidence: options.minConfidence,
		currentYear: options.currentYear,
	};
	return {
		version: [document.version, ...packs.map((pack) => `${pack.name}@${pack.version}`)].join('+'),
		rules,
		piiRules,
		piiTypes: [...new Set(piiRules.flatMap((rule) => rule.piiTypes))],
		disclosures,
		prohibited,
		patternRules,
		runner: new BoundedPatternRunner(patterns, resolvedOptions.patternTimeoutMs),
		patternOwners,
		options: resolvedOptions,
	};
}

/**
 * Whether a rule's conditions hold for this item (no conditions: always). What `equals`, `in` and
 * `exists` mean is the package's one condition semantics (nodes/shared/conditions.ts), the same
 * as the Confidence Gate's Conditions: text compared without regard to case or surrounding
 * spaces, blank text not set.
 */
export function conditionsHold(conditions: Condition[] | undefined, item: Record<string, unknown>): boolean {
	if (!conditions) return true;
	return conditions.every((condition) => {
		const value = getFieldValue(item, condition.field);
		if (condition.exists !== undefined) return valueMeets(value, condition.exists ? 'exists' : 'notExists');
		if (condition.equals !== undefined) return valueMeets(value, 'equals', condition.equals);
		if (condition.notEquals !== undefined) return valueMeets(value, 'notEquals', condition.notEquals);
		return (condition.in ?? []).some((option) => valueMeets(value, 'equals', option));
	});
}

const SEVERITY_RANK: Readonly<Record<Severity, number>> = { info: 0, review: 1, block: 2 };

/** Runs every rule that applies to `item` on `text`. */
export function checkText(ruleset: CompiledRuleset, text: string, item: Record<string, unknown> = {}): ComplianceResult {
	// Conditions read item fields; evaluate each rule's once per text.
	const applicable = new Map<RuleDefinition, boolean>();
	const applies = (rule: RuleDefinition) => {
		if (rule.when === undefined) return true;
		let holds = applicable.get(rule);
		if (holds === undefined) applicable.set(rule, (holds = conditionsHold(rule.when, item)));
		return holds;
	};
	const violations: ComplianceViolation[] = [];

	// PII: one scan for all types any applicable rule wants; each finding reported once, under the
	// most severe rule that asks for its type.
	const piiRules = ruleset.piiRules.filter(applies);
	const piiTypes = [...new Set(piiRules.flatMap((rule) => rule.piiTypes))];
	const piiFindings =
		piiTypes.length === 0
			? []
			: scanForPii(text, {
					types: piiTypes,
					defaultCountry: ruleset.options.defaultCountry,
					phoneCountries: ruleset.options.phoneCountries,
					minConfidence: ruleset.options.minConfidence,
					spokenNumbers: ruleset.options.spokenNumbers,
					currentYear: ruleset.options.currentYear,
				});
	for (const finding of piiFindings) {
		let owner: PiiRule | undefined;
		for (const rule of piiRules) {
			if (rule.piiTypes.includes(finding.type) && (!owner || SEVERITY_RANK[rule.severity] > SEVERITY_RANK[owner.severity])) owner = rule;
		}
		if (!owner) continue;
		violations.push({
			ruleId: owner.id,
			kind: 'pii',
			severity: owner.severity,
			message: `${owner.message}: ${PII_LABELS[finding.type]} ${finding.preview}`,
			span: finding.span,
			...(owner.fix !== undefined && { fix: owner.fix }),
			piiType: finding.type,
			preview: finding.preview,
			score: finding.score,
		});
	}

	// User patterns (disclosure patterns, prohibited patterns, pattern rules) in one bounded run.
	const needsPatterns = ruleset.runner.size > 0 && ruleset.rules.some((rule) => applies(rule) && usesPatterns(rule));
	const patternResult = needsPatterns ? ruleset.runner.run(text) : [];
	if (patternResult === 'timeout') {
		violations.push({
			ruleId: 'compliance.pattern-timeout',
			kind: 'pattern',
			severity: 'review',
			message:
				`Custom patterns (${[...new Set(ruleset.patternOwners)].join(', ')}) did not finish within ` +
				`${ruleset.options.patternTimeoutMs} ms on this text, so it was not checked against them`,
			fix: 'Simplify the patterns (fewer ".*", no nested repetition) or raise the pattern time limit.',
		});
	}
	const spansOf = (pattern: number | undefined): [number, number][] =>
		pattern === undefined || patternResult === 'timeout' ? [] : (patternResult[pattern] ?? []);

	let tokens: WordToken[] | undefined;
	const words = () => (tokens ??= tokenizeWords(text));

	for (const { rule, phrases, pattern } of ruleset.disclosures) {
		if (!applies(rule)) continue;
		if (pattern !== undefined && patternResult === 'timeout') continue; // reported above
		const scopeEnd = rule.withinSentences === undefined ? text.length : endOfSentences(text, rule.withinSentences);
		const byPhrase = phrases?.occursBefore(words(), scopeEnd) ?? false;
		const byPattern = spansOf(pattern).some(([start]) => start < scopeEnd);
		if (byPhrase || byPattern) continue;
		violations.push({
			ruleId: rule.id,
			kind: 'disclosure',
			severity: rule.severity,
			message: rule.withinSentences === undefined ? rule.message : `${rule.message} (checked the first ${rule.withinSentences} sentence(s))`,
			...(rule.fix !== undefined && { fix: rule.fix }),
		});
	}

	for (const { rule, matcher, allow, patterns } of ruleset.prohibited) {
		if (!applies(rule)) continue;
		const allowed = allow ? distinctSpans(allow.findAll(words()).map((hit) => hit.span)) : [];
		const spans = [...(matcher ? matcher.findAll(words()).map((hit) => hit.span) : []), ...patterns.flatMap(spansOf)];
		// Both lists are sorted and non-overlapping, so one forward sweep finds the allowed ones.
		let next = 0;
		for (const span of distinctSpans(spans)) {
			while (next < allowed.length && allowed[next][1] <= span[0]) next++;
			if (next < allowed.length && allowed[next][0] < span[1]) continue;
			violations.push({
				ruleId: rule.id,
				kind: 'prohibited',
				severity: rule.severity,
				message: `${rule.message}: "${maskLongDigitRuns(text.slice(span[0], span[1]))}"`,
				span,
				...(rule.fix !== undefined && { fix: rule.fix }),
			});
		}
	}

	const redactableMatches: ComplianceResult['redactableMatches'] = [];
	for (const { rule, pattern } of ruleset.patternRules) {
		if (!applies(rule)) continue;
		for (const span of spansOf(pattern)) {
			violations.push({
				ruleId: rule.id,
				kind: 'pattern',
				severity: rule.severity,
				message: rule.message,
				span,
				...(rule.fix !== undefined && { fix: rule.fix }),
			});
			if (rule.redact) redactableMatches.push({ ruleId: rule.id, span });
		}
	}

	return {
		passed: violations.every((violation) => violation.severity === 'info'),
		rulesetVersion: ruleset.version,
		violations: capPerRule(violations),
		piiFindings,
		redactableMatches,
	};
}

/**
 * At most {@link MAX_VIOLATIONS_PER_RULE} violations per rule, then one that counts the rest: a
 * reviewer cannot act on ten thousand identical findings, and an n8n item should stay small.
 * Redaction is not affected; it works from the full list of findings.
 */
export const MAX_VIOLATIONS_PER_RULE = 100;

function capPerRule(violations: ComplianceViolation[]): ComplianceViolation[] {
	const counts = new Map<string, number>();
	const kept: ComplianceViolation[] = [];
	const firstOmitted = new Map<string, ComplianceViolation>();
	for (const violation of violations) {
		const count = (counts.get(violation.ruleId) ?? 0) + 1;
		counts.set(violation.ruleId, count);
		if (count <= MAX_VIOLATIONS_PER_RULE) kept.push(violation);
		else if (!firstOmitted.has(violation.ruleId)) firstOmitted.set(violation.ruleId, violation);
	}
	for (const [ruleId, omitted] of firstOmitted) {
		const more = counts.get(ruleId)! - MAX_VIOLATIONS_PER_RULE;
		kept.push({
			ruleId,
			kind: omitted.kind,
			severity: omitted.severity,
			message: `${more} more finding(s) of rule "${ruleId}" not listed (only the first ${MAX_VIOLATIONS_PER_RULE} are)`,
			...(omitted.fix !== undefined && { fix: omitted.fix }),
		});
	}
	return kept;
}

function usesPatterns(rule: RuleDefinition): boolean {
	return (
		(rule.kind === 'disclosure' && rule.pattern !== undefined) ||
		(rule.kind === 'prohibited' && rule.patterns !== undefined) ||
		rule.kind === 'pattern'
	);
}

/** Sorted spans with overlapping ones merged into the first (two phrases of one rule hitting one place). */
function distinctSpans(spans: [number, number][]): [number, number][] {
	const sorted = [...spans].sort((a, b) => a[0] - b[0] || b[1] - a[1]);
	const out: [number, number][] = [];
	for (const span of sorted) {
		const last = out[out.length - 1];
		if (last && span[0] < last[1]) last[1] = Math.max(last[1], span[1]);
		else out.push([span[0], span[1]]);
	}
	return out;
}
