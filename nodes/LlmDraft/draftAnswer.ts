/**
 * The answer the model must give: a zod schema (the one definition), the JSON schema sent as
 * `response_format: json_schema` (derived from it with `z.toJSONSchema`), and the parser that
 * validates what comes back. Structured output is what lets the gate read intent and risk flags
 * without a second model call.
 */
import { z } from 'zod/v4';

export const SENTIMENTS = ['positive', 'neutral', 'negative', 'mixed'] as const;

const baseAnswer = {
	reply: z.string().min(1).describe('The reply to send to the customer, ready to send as written.'),
	intent: z.string().min(1).describe('What the customer wants, as one short lower-case label, e.g. "refund".'),
	sentiment: z.enum(SENTIMENTS).describe('The customer\'s mood in their message.'),
	riskFlags: z
		.array(z.string())
		.describe(
			'Labels for anything a person should look at before this goes out, e.g. "legal_threat", "refund_over_limit", ' +
				'"medical", "unclear_request". Empty when there is none.',
		),
};

export const draftAnswerSchema = z.object(baseAnswer);

/** The same answer with the model's own rating of it, asked for by the verbalized-confidence methods. */
export const ratedDraftAnswerSchema = z.object({
	...baseAnswer,
	confidence: z
		.number()
		.min(0)
		.max(1)
		.describe(
			'How likely it is that the reply is correct, complete and safe to send without a person checking it, ' +
				'from 0 (surely not) to 1 (surely).',
		),
});

export type DraftAnswer = z.infer<typeof draftAnswerSchema> & { confidence?: number };

/** The judge's grading of a draft (LLM-as-a-judge, single-answer grading on a 1–10 scale). */
export const judgementSchema = z.object({
	rating: z.number().int().min(1).max(10).describe('1 = wrong or unsafe to send, 10 = correct, complete and safe.'),
	verdict: z.enum(['pass', 'fail']).describe('"pass" when the reply can be sent as written.'),
	issues: z.array(z.string()).describe('What is wrong or missing; empty when nothing is.'),
});

export type Judgement = z.infer<typeof judgementSchema>;

export interface JsonSchemaFormat {
	type: 'json_schema';
	json_schema: { name: string; strict: boolean; schema: Record<string, unknown> };
}

const formats = new WeakMap<z.ZodType, JsonSchemaFormat>();

/**
 * `response_format` for a zod object schema, in the shape OpenAI's strict structured output accepts.
 * Built once per schema: converting a schema costs more than the rest of a request's preparation.
 */
export function responseFormatFor(name: string, schema: z.ZodType): JsonSchemaFormat {
	const cached = formats.get(schema);
	if (cached?.json_schema.name === name) return cached;
	const format = buildResponseFormat(name, schema);
	formats.set(schema, format);
	return format;
}

function buildResponseFormat(name: string, schema: z.ZodType): JsonSchemaFormat {
	// OpenAI's strict mode wants every property required and no extra ones, which is what zod emits
	// for a plain z.object in output mode; the `$schema` key is dropped because some servers reject it.
	const { $schema: _ignored, ...json } = z.toJSONSchema(schema) as Record<string, unknown>;
	return { type: 'json_schema', json_schema: { name, strict: true, schema: json } };
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; problem: string };

/**
 * Parses a model's answer against a schema. Tolerates what models commonly wrap JSON in (a
 * markdown code fence, text before or after the object) — a strict provider never sends it, but
 * self-hosted models without constrained decoding often do.
 */
export function parseAnswer<T>(content: string | null | undefined, schema: z.ZodType<T>): ParseResult<T> {
	if (!content || content.trim() === '') return { ok: false, problem: 'the answer was empty' };
	const candidate = extractJsonObject(content);
	let data: unknown;
	try {
		data = JSON.parse(candidate);
	} catch (error) {
		return { ok: false, problem: `the answer is not valid JSON (${(error as Error).message})` };
	}
	const parsed = schema.safeParse(data);
	if (!parsed.success) {
		const issue = parsed.error.issues[0];
		const where = issue.path.length > 0 ? `"${issue.path.join('.')}"` : 'the answer';
		return { ok: false, problem: `${where} does not match the schema: ${issue.message}` };
	}
	return { ok: true, value: parsed.data };
}

function extractJsonObject(content: string): string {
	const fenced = /```(?:json)?\s*([\s\S]*?)```/.exec(content);
	const text = (fenced ? fenced[1] : content).trim();
	const start = text.indexOf('{');
	const end = text.lastIndexOf('}');
	return start >= 0 && end > start ? text.slice(start, end + 1) : text;
}
