/**
 * What some models refuse, learned from their 400 answers and remembered for the rest of the run:
 * OpenAI's reasoning models (o1, o3, o4-mini, gpt-5 with reasoning) reject `logprobs`, any
 * `temperature` but the default, and `max_tokens` (they want `max_completion_tokens`). Rather than
 * a list of model names that is out of date next month, the node reads the refusal, adapts the
 * request, and tries again once per refused parameter.
 */
import type { ChatRequest } from './chatClient';
import type { LlmCallError } from './retryPolicy';

export interface ProviderQuirks {
	noLogprobs?: boolean;
	noTemperature?: boolean;
	maxCompletionTokens?: boolean;
}

export type Quirk = keyof ProviderQuirks;

/** The request as this provider accepts it, and which adaptations were made. */
export function applyQuirks(request: ChatRequest, quirks: ProviderQuirks): { request: ChatRequest; applied: Quirk[] } {
	const adapted: ChatRequest = { ...request };
	const applied: Quirk[] = [];
	if (quirks.noLogprobs && (adapted.logprobs !== undefined || adapted.top_logprobs !== undefined)) {
		delete adapted.logprobs;
		delete adapted.top_logprobs;
		applied.push('noLogprobs');
	}
	if (quirks.noTemperature && adapted.temperature !== undefined) {
		delete adapted.temperature;
		applied.push('noTemperature');
	}
	if (quirks.maxCompletionTokens && adapted.max_tokens !== undefined && adapted.max_tokens !== null) {
		adapted.max_completion_tokens = adapted.max_tokens;
		delete adapted.max_tokens;
		applied.push('maxCompletionTokens');
	}
	return { request: adapted, applied };
}

/** The quirk a 400 reveals about a parameter this request sent, if it reveals one. */
export function quirkFrom(error: LlmCallError, request: ChatRequest): Quirk | undefined {
	if (error.kind !== 'client' || error.details.status !== 400) return undefined;
	const message = error.message;
	if (/logprob/i.test(message) && (request.logprobs !== undefined || request.top_logprobs !== undefined)) return 'noLogprobs';
	if (/max_tokens/i.test(message) && request.max_tokens !== undefined) return 'maxCompletionTokens';
	if (/temperature/i.test(message) && request.temperature !== undefined) return 'noTemperature';
	return undefined;
}
