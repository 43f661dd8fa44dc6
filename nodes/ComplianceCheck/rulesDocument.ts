/**
 * Rules as data: the JSON document a user keeps in version control and reuses across flows, and
 * the shape of every rule in the built-in packs. Validated with zod at the edge; an invalid
 * document fails with the rule's index, its id and the field at fault, so the user can find it.
 */
import { z } from 'zod/v4';

import { severitySchema } from '../shared/itemContract';
import { PII_TYPES } from './piiTypes';

const scalar = z.union([z.string(), z.number(), z.boolean()]);

/** A condition on the item's JSON (dot path), e.g. `{ "field": "channel", "in": ["voice"] }`. */
export const conditionSchema = z
	.strictObject({
		field: z.string().min(1),
		equals: scalar.optional(),
		notEquals: scalar.optional(),
		in: z.array(scalar).min(1).optional(),
		exists: z.boolean().optional(),
	})
	.refine(
		(condition) =>
			[condition.equals, condition.notEquals, condition.in, condition.exists].filter((value) => value !== undefined).length === 1,
		{ message: 'needs exactly one of "equals", "notEquals", "in" or "exists"' },
	);

const ruleBase = {
	id: z
		.string()
		.regex(/^[A-Za-z0-9_.:-]{1,80}$/, 'must be 1–80 letters, digits or . _ : -'),
	severity: severitySchema,
	message: z.string().min(1),
	fix: z.string().optional(),
	/** Every condition must hold for the rule to apply to an item. */
	when: z.array(conditionSchema).optional(),
};

/** Regex source typed by the user; compiled and safety-checked by compileUserPattern. */
const patternSource = z.string().min(1).max(500);
const patternFlags = z.string().regex(/^[imsu]*$/, 'may only use the flags i, m, s and u').optional();

export const piiRuleSchema = z.strictObject({
	...ruleBase,
	kind: z.literal('pii'),
	piiTypes: z.array(z.enum(PII_TYPES)).min(1),
});

export const disclosureRuleSchema = z
	.strictObject({
		...ruleBase,
		kind: z.literal('disclosure'),
		/** Any one of these phrases satisfies the rule; case, punctuation and spacing are ignored. */
		phrases: z.array(z.string().min(1)).min(1).optional(),
		pattern: patternSource.optional(),
		flags: patternFlags,
		/** Only the first N sentences count (a recording notice must come first, not last). */
		withinSentences: z.number().int().min(1).optional(),
	})
	.refine((rule) => rule.phrases !== undefined || rule.pattern !== undefined, {
		message: 'needs "phrases" or "pattern" (what must appear)',
		path: ['phrases'],
	});

export const prohibitedRuleSchema = z
	.strictObject({
		...ruleBase,
		kind: z.literal('prohibited'),
		phrases: z.array(z.string().min(1)).min(1).optional(),
		patterns: z.array(patternSource).min(1).optional(),
		flags: patternFlags,
		/** Small edits tolerated on phrases (typos, "garanteed"); 0 = exact words only. */
		maxEdits: z.number().int().min(0).max(2).optional(),
		/** Known-safe phrases: a hit inside one of these is not reported ("risk-free trial"). */
		allow: z.array(z.string().min(1)).optional(),
	})
	.refine((rule) => rule.phrases !== undefined || rule.patterns !== undefined, {
		message: 'needs "phrases" or "patterns" (what must not appear)',
		path: ['phrases'],
	});

export const patternRuleSchema = z.strictObject({
	...ruleBase,
	kind: z.literal('pattern'),
	pattern: patternSource,
	flags: patternFlags,
	/** Replace matches when the node redacts (e.g. internal account ids). */
	redact: z.boolean().optional(),
});

export const ruleSchema = z.union([piiRuleSchema, disclosureRuleSchema, prohibitedRuleSchema, patternRuleSchema]);

export const rulesDocumentSchema = z.strictObject({
	/**
	 * Goes into `hitl.compliance.rulesetVersion`, so every decision says which rules judged it.
	 * Optional: without it (and without the node's Ruleset Version option) the version is a
	 * fingerprint of the rules, `rules-<10 hex digits>`, which changes whenever they do.
	 */
	version: z.string().min(1, { message: 'must not be empty: leave it out for a fingerprint of the rules' }).optional(),
	/** Built-in packs to switch on, by name (`pci`) or pinned to a version (`pci@1.0.0`). */
	packs: z.array(z.string().min(1)).optional(),
	rules: z.array(ruleSchema).default([]),
});

export type Condition = z.infer<typeof conditionSchema>;
export type PiiRule = z.infer<typeof piiRuleSchema>;
export type DisclosureRule = z.infer<typeof disclosureRuleSchema>;
export type ProhibitedRule = z.infer<typeof prohibitedRuleSchema>;
export type PatternRule = z.infer<typeof patternRuleSchema>;
export type RuleDefinition = z.infer<typeof ruleSchema>;
export type RulesDocument = z.infer<typeof rulesDocumentSchema>;
/** A rules document whose version has been decided (see buildRulesDocument). */
export type VersionedRulesDocument = RulesDocument & { version: string };

/** An invalid rules document; `path` is where, e.g. `rules[3].severity`. */
export class RulesDocumentError extends Error {
	constructor(
		message: string,
		readonly path: string,
	) {
		super(message);
		this.name = 'RulesDocumentError';
	}
}

const RULE_KINDS = ['pii', 'disclosure', 'prohibited', 'pattern'] as const;

/**
 * Parses a rules document (an object, or JSON text). A union error from zod says only "no option
 * matched", so for a rule we re-validate it against the schema its `kind` names, which yields the
 * real field at fault.
 */
export function parseRulesDocument(input: unknown, source = 'Rules JSON'): RulesDocument {
	let value = input;
	if (typeof input === 'string') {
		try {
			value = JSON.parse(input);
		} catch (error) {
			// eslint-disable-next-line @n8n/community-nodes/require-node-api-error -- pure core has no node; the node shell wraps it in a NodeOperationError
			throw new RulesDocumentError(`${source} is not valid JSON: ${(error as Error).message}`, '');
		}
	}
	const parsed = rulesDocumentSchema.safeParse(value);
	if (parsed.success) return parsed.data;

	const issue = parsed.error.issues[0];
	const [top, index] = issue.path;
	if (top === 'rules' && typeof index === 'number') {
		const rule = (value as { rules: unknown[] }).rules[index];
		const label = describeRule(rule, index);
		const kind = (rule as { kind?: unknown } | null)?.kind;
		if (!RULE_KINDS.includes(kind as (typeof RULE_KINDS)[number])) {
			throw new RulesDocumentError(
				`${source}: ${label} → kind must be one of ${RULE_KINDS.map((k) => `"${k}"`).join(', ')} (got ${JSON.stringify(kind)})`,
				`rules[${index}].kind`,
			);
		}
		const schema = { pii: piiRuleSchema, disclosure: disclosureRuleSchema, prohibited: prohibitedRuleSchema, pattern: patternRuleSchema }[
			kind as (typeof RULE_KINDS)[number]
		];
		const ruleResult = schema.safeParse(rule);
		const ruleIssue = ruleResult.success ? issue : ruleResult.error.issues[0];
		const field = formatPath(ruleResult.success ? issue.path.slice(2) : ruleIssue.path);
		throw new RulesDocumentError(
			`${source}: ${label} → ${field || '(rule)'} ${describeIssue(ruleIssue)}`,
			`rules[${index}]${field ? `.${field}` : ''}`,
		);
	}
	const field = formatPath(issue.path);
	throw new RulesDocumentError(`${source}: ${field || '(document)'} ${describeIssue(issue)}`, field);
}

function describeRule(rule: unknown, index: number): string {
	const id = (rule as { id?: unknown } | null)?.id;
	return `rule ${index + 1} (rules[${index}]${typeof id === 'string' ? `, id "${id}"` : ''})`;
}

function formatPath(path: readonly PropertyKey[]): string {
	return path.map((part, at) => (typeof part === 'number' ? `[${part}]` : `${at === 0 ? '' : '.'}${String(part)}`)).join('');
}

function describeIssue(issue: z.core.$ZodIssue): string {
	if (issue.code === 'invalid_type' && /received undefined/.test(issue.message)) return 'is missing';
	if (issue.code === 'unrecognized_keys') return `has unknown field(s): ${issue.keys.join(', ')}`;
	return `is invalid: ${issue.message}`;
}
