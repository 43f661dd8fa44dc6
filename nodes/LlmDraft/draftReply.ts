/**
 * Drafts the reply for one case and scores it: the calls a confidence method needs (draft,
 * samples, judge), one repair attempt for an unusable answer, usage and cost over all calls,
 * and the wall-clock latency. No n8n in here: the node maps the result onto the item.
 */
import type { z } from 'zod/v4';

import type { Draft } from '../shared/itemContract';
import { buildDraftMessages, buildJudgeMessages, buildRepairMessages, type ChatMessage } from './buildPrompt';
import { classifyLlmError, type ChatClient, type ChatRequest, type ChatResponse } from './chatClient';
import {
	draftAnswerSchema,
	judgementSchema,
	parseAnswer,
	ratedDraftAnswerSchema,
	responseFormatFor,
	type DraftAnswer,
} from './draftAnswer';
import { applyQuirks, quirkFrom, type ProviderQuirks, type Quirk } from './providerQuirks';
import { callWithRetry, LlmCallError, type RetryOptions } from './retryPolicy';
import {
	combineConfidence,
	methodNeeds,
	scoreConsistency,
	scoreFromLogprobs,
	scoreJudge,
	scoreVerbalized,
	type Component,
	type Confidence,
	type ConfidenceMethod,
	type TokenLogprob,
} from './scoreConfidence';

export interface DraftSettings {
	model: string;
	instructions: string;
	temperature: number;
	/** 0 leaves the limit to the provider. */
	maxTokens: number;
	method: ConfidenceMethod;
	/** k for `consistency`: the draft plus k − 1 further samples. */
	samples: number;
	promptVersion?: string;
	/** USD per 1M tokens; cost is reported only when at least one is above 0. */
	prices?: { inputPerMillion: number; outputPerMillion: number };
	retry: RetryOptions;
	/** What the provider refused so far; shared by the items of one run so each refusal costs one call. */
	quirks?: ProviderQuirks;
}

export interface DraftCase {
	message: string;
	context?: string;
}

/** Something the user should know about a run that still succeeded, e.g. a confidence fallback. */
export type DraftNote = 'logprobsUnavailable' | 'logprobsRefused' | 'nIgnored' | 'temperatureRefused';

export interface DraftOutcome {
	draft: Draft;
	notes: DraftNote[];
}

/** How many top alternatives per token we ask for; enough to weigh the self-rating's digits. */
const TOP_LOGPROBS = 5;
/** Samples for consistency need spread: at temperature 0 they would agree by construction. */
const MIN_SAMPLE_TEMPERATURE = 0.7;

class Usage {
	promptTokens = 0;
	completionTokens = 0;
	add(response: ChatResponse): void {
		this.promptTokens += response.usage?.prompt_tokens ?? 0;
		this.completionTokens += response.usage?.completion_tokens ?? 0;
	}
}

export async function draftReply(
	client: ChatClient,
	settings: DraftSettings,
	input: DraftCase,
	signal?: AbortSignal,
): Promise<DraftOutcome> {
	const startedAt = performance.now();
	const needs = methodNeeds(settings.method);
	const usage = new Usage();
	const notes: DraftNote[] = [];

	const quirks = settings.quirks ?? {};
	const applied = new Set<Quirk>();
	const send = async (request: ChatRequest): Promise<ChatResponse> => {
		for (;;) {
			const adapted = applyQuirks(request, quirks);
			try {
				const { value } = await callWithRetry(
					(attemptSignal) => client.complete(adapted.request, attemptSignal),
					classifyLlmError,
					settings.retry,
					signal,
				);
				usage.add(value);
				for (const quirk of adapted.applied) applied.add(quirk);
				return value;
			} catch (error) {
				const failure = classifyLlmError(error);
				// quirkFrom only names a parameter this request still sent, so every round removes one
				// more and the loop ends. The quirk may already be known: requests of other items (or
				// this item's samples) that went out before it was learned are refused too, and are
				// sent again adapted rather than failed. A refusal we cannot adapt to is the item's error.
				const quirk = quirkFrom(failure, adapted.request);
				if (!quirk) throw failure;
				quirks[quirk] = true;
			}
		}
	};

	const base = {
		model: settings.model,
		temperature: settings.temperature,
		...(settings.maxTokens > 0 ? { max_tokens: settings.maxTokens } : {}),
	};
	const draftMessages = buildDraftMessages({ ...input, instructions: settings.instructions, askForRating: needs.rating });
	const answerSchema = needs.rating ? ratedDraftAnswerSchema : draftAnswerSchema;
	const draftFormat = responseFormatFor('draft_answer', answerSchema);

	const primary = async () => {
		const request: ChatRequest = { ...base, messages: draftMessages, response_format: draftFormat };
		return await askStructured(send, needs.logprobs ? { ...request, logprobs: true, top_logprobs: TOP_LOGPROBS } : request, answerSchema);
	};
	const samples = async (): Promise<(DraftAnswer | undefined)[]> => {
		if (!needs.samples) return [];
		const wanted = Math.max(1, Math.floor(settings.samples) - 1);
		const request: ChatRequest = {
			...base,
			temperature: Math.max(settings.temperature, MIN_SAMPLE_TEMPERATURE),
			messages: draftMessages,
			response_format: draftFormat,
			n: wanted,
		};
		const first = await send(request);
		const choices = [...first.choices];
		if (choices.length < wanted) {
			// Some servers (Ollama, several proxies) ignore `n`: make up the rest with single calls.
			notes.push('nIgnored');
			const more = await Promise.all(Array.from({ length: wanted - choices.length }, () => send({ ...request, n: 1 })));
			for (const response of more) choices.push(...response.choices);
		}
		return choices.slice(0, wanted).map((choice) => {
			const parsed = parseAnswer(choice.message.content, answerSchema);
			return parsed.ok ? parsed.value : undefined;
		});
	};

	const [drafted, sampled] = await Promise.all([primary(), samples()]);
	const answer = drafted.answer;

	const parts: Partial<Record<Component, Confidence>> = {};
	if (needs.logprobs) {
		const fromLogprobs = scoreFromLogprobs(drafted.content, answer, drafted.logprobs);
		if (fromLogprobs) parts.logprobs = fromLogprobs;
		// Reasoning models refuse the parameter outright (logprobsRefused); others just send none.
		else notes.push(applied.has('noLogprobs') ? 'logprobsRefused' : 'logprobsUnavailable');
	}
	if (needs.rating) {
		const verbalized = scoreVerbalized(answer);
		if (verbalized) parts.verbalized = verbalized;
	}
	if (needs.samples) parts.consistency = scoreConsistency(answer, sampled);
	if (needs.judge) {
		const judged = await askStructured(
			send,
			{
				model: settings.model,
				temperature: 0,
				messages: buildJudgeMessages({ ...input, instructions: settings.instructions, reply: answer.reply }),
				response_format: responseFormatFor('draft_judgement', judgementSchema),
			},
			judgementSchema,
		);
		parts.judge = scoreJudge(judged.answer);
	}

	if (applied.has('noTemperature')) notes.push('temperatureRefused');
	const confidence = pickConfidence(settings.method, parts);
	const draft: Draft = {
		text: answer.reply,
		model: drafted.model || settings.model,
		...(settings.promptVersion ? { promptVersion: settings.promptVersion } : {}),
		confidence,
		intent: answer.intent,
		sentiment: answer.sentiment,
		riskFlags: answer.riskFlags,
		usage: {
			promptTokens: usage.promptTokens,
			completionTokens: usage.completionTokens,
			...costOf(usage, settings.prices),
		},
		latencyMs: Math.round(performance.now() - startedAt),
	};
	return { draft, notes };
}

/**
 * The method's score, or its documented fallback: `logprobs` without log-probabilities becomes
 * `verbalized` (the rating was asked for in the same call), marked with `logprobsUnavailable: 1`.
 */
function pickConfidence(method: ConfidenceMethod, parts: Partial<Record<Component, Confidence>>): Confidence {
	const unavailable: Record<string, number> = method === 'logprobs' || method === 'combined' ? (parts.logprobs ? {} : { logprobsUnavailable: 1 }) : {};
	const chosen = method === 'combined' ? combineConfidence(parts) : (parts[method] ?? (method === 'logprobs' ? parts.verbalized : undefined));
	if (!chosen) {
		// Cannot happen with a schema-valid answer (the rating is a required field); kept so a score
		// is always there: no evidence of confidence is no confidence.
		return { score: 0, method, signals: { noSignal: 1, ...unavailable } };
	}
	return { ...chosen, signals: { ...chosen.signals, ...unavailable } };
}

function costOf(usage: Usage, prices: DraftSettings['prices']): { costUsd?: number } {
	if (!prices || (prices.inputPerMillion <= 0 && prices.outputPerMillion <= 0)) return {};
	const cost = (usage.promptTokens * prices.inputPerMillion + usage.completionTokens * prices.outputPerMillion) / 1_000_000;
	return { costUsd: Math.round(cost * 1e8) / 1e8 };
}

interface StructuredAnswer<T> {
	answer: T;
	content: string;
	logprobs: TokenLogprob[] | null;
	model: string;
}

/** One call for a structured answer, and one repair call when the answer does not parse. */
async function askStructured<T>(
	send: (request: ChatRequest) => Promise<ChatResponse>,
	request: ChatRequest,
	schema: z.ZodType<T>,
): Promise<StructuredAnswer<T>> {
	const first = await send(request);
	const content = first.choices[0]?.message?.content ?? '';
	const parsed = parseAnswer(content, schema);
	if (parsed.ok) return { answer: parsed.value, content, logprobs: logprobsOf(first), model: first.model };

	const repairMessages = buildRepairMessages(request.messages as ChatMessage[], content, parsed.problem);
	const second = await send({ ...request, messages: repairMessages, n: undefined });
	const repairedContent = second.choices[0]?.message?.content ?? '';
	const repaired = parseAnswer(repairedContent, schema);
	if (repaired.ok) return { answer: repaired.value, content: repairedContent, logprobs: logprobsOf(second), model: second.model };
	throw new LlmCallError(
		`The model's answer could not be used after one repair attempt: ${repaired.problem}`,
		'invalidAnswer',
	);
}

function logprobsOf(response: ChatResponse): TokenLogprob[] | null {
	return (response.choices[0]?.logprobs?.content as TokenLogprob[] | null | undefined) ?? null;
}
