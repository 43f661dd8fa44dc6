/**
 * The `hitl` item contract (DESIGN.md, "The item contract").
 *
 * Every node passes the user's own fields through untouched and adds its findings under one
 * key, `hitl`. This module is the single definition of that object: zod schemas, the inferred
 * types, and the helpers that read and merge it. It has no n8n import on purpose — the node
 * shells turn a {@link HitlContractError} into a `NodeOperationError` with the item index.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod/v4';

/** Bumped when a field changes meaning or type; additions that older readers ignore keep it. */
export const HITL_CONTRACT_VERSION = 1;

/** The key under which every node of this package writes on an item's JSON. */
export const HITL_KEY = 'hitl';

/** Which node owns (writes) each part; used to tell the user what to run first. */
export const PART_PRODUCERS = {
	caseId: 'LLM Draft (or any node of this package, which generates one)',
	draft: 'LLM Draft',
	compliance: 'Compliance Check',
	gate: 'Confidence Gate',
	review: 'Human Approval Wait',
	logged: 'Feedback Log',
} as const;

export type HitlPart = keyof typeof PART_PRODUCERS;

const score01 = z.number().min(0).max(1);

// The package's vocabulary, declared here once. Every other place — node option lists, the
// store's types and SQL, the metrics — imports these lists; test/unit/contract/vocabulary.test.ts
// checks the store's SQL against them.

/** How LLM Draft scored a draft (`hitl.draft.confidence.method`). */
export const CONFIDENCE_METHODS = ['logprobs', 'verbalized', 'consistency', 'judge', 'combined'] as const;

/** Where the Confidence Gate sent an item (`hitl.gate.route`), in the order of its outputs. */
export const GATE_ROUTES = ['auto', 'review', 'block'] as const;

/** What the reviewers decided (`hitl.review.decision`). */
export const REVIEW_DECISIONS = ['approved', 'edited', 'rejected', 'escalated', 'timedOut'] as const;

/**
 * What finally happened to an item, as the Feedback Log records it: the reviewers' decision when a
 * person answered, else `auto` (the gate let it go out alone), `blocked` (the gate stopped it) or
 * `none` (neither ran).
 */
export const DECISION_OUTCOMES = ['auto', 'blocked', ...REVIEW_DECISIONS, 'none'] as const;

/**
 * The labelling rule: a decision is a label on the draft's quality when a person judged the draft
 * itself — approved unchanged (acceptable) or edited or rejected (not acceptable, an override).
 * An escalation, a timeout, an automatic send or a block says nothing about the draft. Calibration,
 * learned thresholds, the drift detector and the override rate all count these and only these.
 */
export const ACCEPTED_DECISION = 'approved' as const;
export const OVERRIDE_DECISIONS = ['edited', 'rejected'] as const;
export const LABELLED_DECISIONS = [ACCEPTED_DECISION, ...OVERRIDE_DECISIONS] as const;

export type DecisionOutcome = (typeof DECISION_OUTCOMES)[number];
export type LabelledOutcome = (typeof LABELLED_DECISIONS)[number];

/** Whether a recorded decision labels the draft (see {@link LABELLED_DECISIONS}). */
export function isLabelledDecision(decision: string): decision is LabelledOutcome {
	return (LABELLED_DECISIONS as readonly string[]).includes(decision);
}

export const confidenceMethodSchema = z.enum(CONFIDENCE_METHODS);

export const draftSchema = z.looseObject({
	text: z.string(),
	model: z.string(),
	promptVersion: z.string().optional(),
	confidence: z.looseObject({
		score: score01,
		method: confidenceMethodSchema,
		signals: z.record(z.string(), z.number()),
	}),
	intent: z.string().optional(),
	sentiment: z.string().optional(),
	riskFlags: z.array(z.string()),
	usage: z.looseObject({
		promptTokens: z.number().int().min(0),
		completionTokens: z.number().int().min(0),
		costUsd: z.number().min(0).optional(),
	}),
	latencyMs: z.number().min(0),
});

export const severitySchema = z.enum(['block', 'review', 'info']);
export const violationKindSchema = z.enum(['pii', 'disclosure', 'prohibited', 'pattern', 'llm']);

export const violationSchema = z.looseObject({
	ruleId: z.string(),
	kind: violationKindSchema,
	severity: severitySchema,
	message: z.string(),
	span: z.tuple([z.number().int().min(0), z.number().int().min(0)]).optional(),
	fix: z.string().optional(),
	/** The dot path of the text it was found in (its `span` indexes that text); set when the result covers several fields. */
	field: z.string().optional(),
});

/** One checked field's result, when a Compliance Check result covers several fields. */
export const checkedFieldResultSchema = z.looseObject({
	field: z.string(),
	passed: z.boolean(),
	rulesetVersion: z.string(),
	redactedText: z.string().optional(),
});

export const complianceSchema = z.looseObject({
	passed: z.boolean(),
	rulesetVersion: z.string(),
	checkedField: z.string(),
	violations: z.array(violationSchema),
	redactedText: z.string().optional(),
	/**
	 * Set when more than one field was checked (Also Check Fields, or Keep Earlier Findings): every
	 * field's own result. `checkedField` stays the node's Text Field, `redactedText` its redacted copy.
	 */
	fields: z.array(checkedFieldResultSchema).optional(),
});

export const gateRouteSchema = z.enum(GATE_ROUTES);

export const gateReasonSchema = z.object({ code: z.string(), detail: z.string() });

export const gateSchema = z.looseObject({
	route: gateRouteSchema,
	reasons: z.array(gateReasonSchema),
	threshold: z.number(),
	sampledForAudit: z.boolean(),
	shadow: z.boolean(),
	/** In shadow mode (every item goes to review): the route the policy would have taken. */
	shadowRoute: gateRouteSchema.optional(),
	breakerOpen: z.boolean(),
	/**
	 * The probability that the gate sent this draft to a person on its score alone (1 below the
	 * threshold, the audit rate above); absent when a rule or a missing score decided. The Feedback
	 * Log records it so learning can weight each label by its inverse.
	 */
	reviewProbability: z.number().min(0).max(1).optional(),
	/** The slice the drift detector watched this draft in (its intent, by default). */
	slice: z.string().optional(),
});

export const reviewDecisionSchema = z.enum(REVIEW_DECISIONS);

/** One reviewer's answer; `at` is the ISO time of the answer. */
export const reviewerSchema = z.looseObject({
	id: z.string(),
	name: z.string().optional(),
	decision: z.string(),
	reason: z.string().optional(),
	comment: z.string().optional(),
	at: z.string(),
	/** How long the review page was open before this answer (ms), when the page told us. */
	timeOnPageMs: z.number().optional(),
});

export const reviewSchema = z.looseObject({
	decision: reviewDecisionSchema,
	finalText: z.string().optional(),
	reviewers: z.array(reviewerSchema),
	requestedAt: z.string(),
	decidedAt: z.string().optional(),
});

export const loggedSchema = z.looseObject({ id: z.string(), store: z.string(), at: z.string() });

export const hitlSchema = z.looseObject({
	version: z.number().int().optional(),
	caseId: z.string().min(1),
	draft: draftSchema.optional(),
	compliance: complianceSchema.optional(),
	gate: gateSchema.optional(),
	review: reviewSchema.optional(),
	logged: loggedSchema.optional(),
});

export type Draft = z.infer<typeof draftSchema>;
export type ConfidenceMethod = z.infer<typeof confidenceMethodSchema>;
export type Severity = z.infer<typeof severitySchema>;
export type Violation = z.infer<typeof violationSchema>;
export type Compliance = z.infer<typeof complianceSchema>;
export type CheckedFieldResult = z.infer<typeof checkedFieldResultSchema>;
export type GateRoute = z.infer<typeof gateRouteSchema>;
export type GateReason = z.infer<typeof gateReasonSchema>;
export type Gate = z.infer<typeof gateSchema>;
export type ReviewDecision = z.infer<typeof reviewDecisionSchema>;
export type Reviewer = z.infer<typeof reviewerSchema>;
export type Review = z.infer<typeof reviewSchema>;
export type Logged = z.infer<typeof loggedSchema>;
export type Hitl = z.infer<typeof hitlSchema>;

const partSchemas = {
	draft: draftSchema,
	compliance: complianceSchema,
	gate: gateSchema,
	review: reviewSchema,
	logged: loggedSchema,
} as const;

type PartName = keyof typeof partSchemas;
type PartOf<P extends PartName> = z.infer<(typeof partSchemas)[P]>;

/**
 * Thrown when an item's `hitl` object is missing a part or a field, or has one of the wrong type.
 * `path` is the dotted path from the item's JSON root, e.g. `hitl.draft.confidence.score`.
 */
export class HitlContractError extends Error {
	constructor(
		message: string,
		readonly path: string,
		readonly hint: string,
	) {
		super(message);
		this.name = 'HitlContractError';
	}
}

function describeIssue(prefix: string, issue: z.core.$ZodIssue): { path: string; what: string } {
	const path = [prefix, ...issue.path.map(String)].join('.');
	const what = issue.code === 'invalid_type' && /received undefined/.test(issue.message) ? 'is missing' : `is invalid: ${issue.message}`;
	return { path, what };
}

function producerOf(path: string): string {
	const part = path.split('.')[1] as HitlPart | undefined;
	return (part && PART_PRODUCERS[part]) ?? 'a node of this package';
}

function contractError(path: string, what: string, consumer: string): HitlContractError {
	const producer = producerOf(path);
	return new HitlContractError(
		`${path} ${what}`,
		path,
		`${path} is set by the ${producer} node. Put ${producer} before ${consumer} in the flow, ` +
			`or make sure the item still carries the "${HITL_KEY}" field it added.`,
	);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Reads the `hitl` object of an item's JSON, validating whatever parts are present.
 * Returns `undefined` when the item has none yet.
 */
export function readHitl(json: Record<string, unknown>, consumer: string): Hitl | undefined {
	const raw = json[HITL_KEY];
	if (raw === undefined || raw === null) return undefined;
	const parsed = hitlSchema.safeParse(raw);
	if (!parsed.success) {
		const { path, what } = describeIssue(HITL_KEY, parsed.error.issues[0]);
		throw contractError(path, what, consumer);
	}
	return parsed.data;
}

/**
 * Reads one part if the item has it, validating only that part — so a consumer that needs, say,
 * `hitl.compliance` is not failed by an unrelated malformed part it never reads.
 */
export function readHitlPart<P extends PartName>(
	json: Record<string, unknown>,
	part: P,
	consumer: string,
): PartOf<P> | undefined {
	const hitl = json[HITL_KEY];
	if (!isPlainObject(hitl) || hitl[part] === undefined || hitl[part] === null) return undefined;
	const parsed = partSchemas[part].safeParse(hitl[part]);
	if (!parsed.success) {
		const { path, what } = describeIssue(`${HITL_KEY}.${part}`, parsed.error.issues[0]);
		throw contractError(path, what, consumer);
	}
	return parsed.data as PartOf<P>;
}

/** Reads one part that the consumer cannot work without, with an error naming its producer. */
export function requireHitlPart<P extends PartName>(
	json: Record<string, unknown>,
	part: P,
	consumer: string,
): PartOf<P> {
	const value = readHitlPart(json, part, consumer);
	if (value === undefined) throw contractError(`${HITL_KEY}.${part}`, 'is missing', consumer);
	return value as PartOf<P>;
}

export interface CaseIdOptions {
	/** The value of the user's chosen case-id field, if they picked one. */
	fromField?: unknown;
}

/**
 * The case id of an item: the one it already carries, else the user's chosen field, else a new
 * UUID. Once set it never changes, so every node and every store row of one case agree.
 */
export function resolveCaseId(json: Record<string, unknown>, options: CaseIdOptions = {}): string {
	const existing = isPlainObject(json[HITL_KEY]) ? json[HITL_KEY].caseId : undefined;
	if (typeof existing === 'string' && existing.length > 0) return existing;
	const chosen = options.fromField;
	if ((typeof chosen === 'string' && chosen.trim() !== '') || (typeof chosen === 'number' && Number.isFinite(chosen))) {
		return String(chosen).trim();
	}
	return randomUUID();
}

/**
 * Returns a copy of the item's JSON with `patch` merged into its `hitl` object. Parts in the
 * patch replace the parts of the same name; all other parts and all user fields are kept.
 */
export function mergeHitl(
	json: Record<string, unknown>,
	patch: Partial<Omit<Hitl, 'version' | 'caseId'>>,
	options: CaseIdOptions = {},
): Record<string, unknown> {
	const previous = isPlainObject(json[HITL_KEY]) ? json[HITL_KEY] : {};
	const hitl = {
		...previous,
		...patch,
		version: HITL_CONTRACT_VERSION,
		caseId: resolveCaseId(json, options),
	};
	return { ...json, [HITL_KEY]: hitl };
}
