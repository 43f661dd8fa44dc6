/**
 * The one place that talks to the provider, through the `openai` SDK pointed at the credential's
 * base URL — OpenAI, Azure OpenAI's v1 endpoint, Ollama, vLLM, LiteLLM, OpenRouter all speak it.
 * The SDK's own retries are off (`maxRetries: 0`): {@link callWithRetry} owns retrying, so every
 * provider gets the same behaviour. Errors leave this file as {@link LlmCallError}s.
 */
import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import type { ChatCompletion, ChatCompletionCreateParamsNonStreaming } from 'openai/resources/chat/completions';

import { keepAliveFetch, proxyConfigured } from './keepAliveFetch';
import { LlmCallError, parseRetryAfter } from './retryPolicy';

export type ChatRequest = ChatCompletionCreateParamsNonStreaming;
export type ChatResponse = ChatCompletion;

export interface LlmConnection {
	baseUrl: string;
	apiKey: string;
	organization?: string;
	headers?: Record<string, string>;
	/** An SDK-level timeout (ms) as a backstop; the node leaves it to the retry policy's per-attempt timeout. */
	timeoutMs?: number;
}

export interface ChatClient {
	complete(request: ChatRequest, signal: AbortSignal): Promise<ChatResponse>;
	listModels(): Promise<string[]>;
}

export function createChatClient(connection: LlmConnection): ChatClient {
	const client = new OpenAI({
		baseURL: connection.baseUrl.replace(/\/+$/, ''),
		// Self-hosted servers often need no key, but the SDK refuses to start without one.
		apiKey: connection.apiKey || 'no-key',
		organization: connection.organization || null,
		defaultHeaders: connection.headers,
		maxRetries: 0,
		timeout: connection.timeoutMs,
		// Leaner per request than the built-in fetch (see keepAliveFetch.ts); the built-in one honours proxies.
		...(proxyConfigured() ? {} : { fetch: keepAliveFetch }),
	});
	return {
		async complete(request, signal) {
			return await client.chat.completions.create(request, { signal, maxRetries: 0 });
		},
		async listModels() {
			const ids: string[] = [];
			for await (const model of client.models.list()) ids.push(model.id);
			return ids.sort();
		},
	};
}

function providerMessage(error: APIError): string {
	const body = error.error as { message?: unknown } | undefined;
	const message = typeof body?.message === 'string' ? body.message : error.message;
	return error.status ? `The provider answered ${error.status}: ${message.replace(/^\d{3}\s+/, '')}` : message;
}

/** Normalises anything the SDK throws into an {@link LlmCallError} the retry policy understands. */
export function classifyLlmError(error: unknown): LlmCallError {
	if (error instanceof LlmCallError) return error;
	if (error instanceof APIUserAbortError) return new LlmCallError('The request was aborted', 'cancelled');
	if (error instanceof APIConnectionTimeoutError) return new LlmCallError('The provider did not answer in time', 'timeout');
	if (error instanceof APIConnectionError) {
		const cause = (error.cause as Error | undefined)?.message;
		return new LlmCallError(`Could not reach the provider: ${cause ?? error.message}`, 'network');
	}
	if (error instanceof APIError && typeof error.status === 'number') {
		const details = { status: error.status, code: error.code ?? undefined };
		const message = providerMessage(error);
		if (error.status === 429) {
			// A spent quota answers 429 too, but waiting does not help: tell the user at once.
			if (error.code === 'insufficient_quota') return new LlmCallError(message, 'client', details);
			return new LlmCallError(message, 'rateLimit', { ...details, retryAfterMs: parseRetryAfter(error.headers) });
		}
		if (error.status >= 500 || error.status === 408 || error.status === 409) {
			return new LlmCallError(message, 'server', { ...details, retryAfterMs: parseRetryAfter(error.headers) });
		}
		return new LlmCallError(message, 'client', details);
	}
	if (error instanceof SyntaxError) {
		// A 200 whose body is cut off or not JSON: a proxy or an overloaded server; worth another try.
		return new LlmCallError(`The provider sent a response that is not valid JSON (${error.message})`, 'server');
	}
	return new LlmCallError(error instanceof Error ? error.message : String(error), 'client');
}
