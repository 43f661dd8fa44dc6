import {
	backoffDelay,
	callWithRetry,
	LlmCallError,
	parseRetryAfter,
	retryDelay,
	type RetryOptions,
} from '../../../nodes/LlmDraft/retryPolicy';
import { APIError } from 'openai';

import { classifyLlmError, createChatClient } from '../../../nodes/LlmDraft/chatClient';
import { startFakeLlmServer } from '../../llm/fakeLlmServer';

const options = (extra: Partial<RetryOptions> = {}): RetryOptions => ({ maxRetries: 3, timeoutMs: 1000, baseDelayMs: 100, ...extra });

describe('Retry-After', () => {
	test('prefers retry-after-ms, then seconds, then an HTTP date', () => {
		expect(parseRetryAfter({ 'retry-after-ms': '250', 'retry-after': '3' })).toBe(250);
		expect(parseRetryAfter({ 'retry-after': '3' })).toBe(3000);
		expect(parseRetryAfter(new Headers({ 'retry-after': '0.5' }))).toBe(500);
		const now = Date.parse('2026-01-01T00:00:00Z');
		expect(parseRetryAfter({ 'retry-after': 'Thu, 01 Jan 2026 00:00:07 GMT' }, now)).toBe(7000);
		expect(parseRetryAfter({})).toBeUndefined();
		expect(parseRetryAfter({ 'retry-after': 'soon' })).toBeUndefined();
	});

	test('a 429 waits what the provider asked; too long a wait fails instead', () => {
		const limited = new LlmCallError('slow down', 'rateLimit', { status: 429, retryAfterMs: 1200 });
		expect(retryDelay(limited, 0, options())).toBe(1200);
		expect(retryDelay(limited, 0, options({ maxRetryAfterMs: 1000 }))).toBeUndefined();
	});

	test('a 5xx with Retry-After waits what it asks; without one it backs off', () => {
		const unavailable = new LlmCallError('maintenance', 'server', { status: 503, retryAfterMs: 3000 });
		expect(retryDelay(unavailable, 0, options())).toBe(3000);
		expect(retryDelay(unavailable, 0, options({ maxRetryAfterMs: 1000 }))).toBeUndefined();
		expect(retryDelay(new LlmCallError('boom', 'server', { status: 500 }), 0, options({ random: () => 0 }))).toBe(50);
	});
});

describe('back-off', () => {
	test('doubles per retry, half fixed and half jitter, capped', () => {
		expect(backoffDelay(0, options({ random: () => 0 }))).toBe(50);
		expect(backoffDelay(0, options({ random: () => 1 }))).toBe(100);
		expect(backoffDelay(3, options({ random: () => 0.5 }))).toBe(600);
		expect(backoffDelay(20, options({ maxDelayMs: 5000, random: () => 1 }))).toBe(5000);
	});

	test('only rate limits, server, network errors and timeouts are retried, up to maxRetries', () => {
		const kinds = ['rateLimit', 'server', 'network', 'timeout', 'client', 'invalidAnswer', 'cancelled'] as const;
		const retried = kinds.filter((kind) => retryDelay(new LlmCallError('x', kind), 0, options()) !== undefined);
		expect(retried).toEqual(['rateLimit', 'server', 'network', 'timeout']);
		expect(retryDelay(new LlmCallError('x', 'server'), 3, options())).toBeUndefined();
	});
});

describe('callWithRetry against the local server', () => {
	let server: Awaited<ReturnType<typeof startFakeLlmServer>>;
	beforeAll(async () => {
		server = await startFakeLlmServer({ retryAfter: { seconds: 0.3 } });
	});
	afterAll(() => server.close());
	const client = () => createChatClient({ baseUrl: server.baseUrl, apiKey: 'k' });
	const ask = (message: string) => (signal: AbortSignal) =>
		client().complete({ model: 'fake-gpt', messages: [{ role: 'user', content: message }] }, signal);

	test('honours Retry-After on a 429, then succeeds', async () => {
		const waits: number[] = [];
		const started = Date.now();
		const { attempts } = await callWithRetry(ask('A [fault:429]'), classifyLlmError, options({ onRetry: (event) => waits.push(event.delayMs) }));
		expect(attempts).toBe(2);
		expect(waits).toEqual([300]);
		expect(Date.now() - started).toBeGreaterThanOrEqual(290);
	});

	test('retries 500s with back-off and gives up after maxRetries with the provider message', async () => {
		const error = await callWithRetry(ask('B [fault:500xall]'), classifyLlmError, options({ maxRetries: 2, baseDelayMs: 5 })).catch((e: unknown) => e);
		expect(error).toMatchObject({ kind: 'server', details: { status: 500 } });
		expect((error as Error).message).toBe(
			'The provider answered 500: The server had an error while processing your request. (gave up after 3 attempts)',
		);
		expect(server.requests.filter((request) => request.message.startsWith('B '))).toHaveLength(3);
	});

	test('a hung request times out and is retried', async () => {
		const { attempts } = await callWithRetry(ask('C [fault:hang]'), classifyLlmError, options({ timeoutMs: 200, baseDelayMs: 5 }));
		expect(attempts).toBe(2);
	});

	test('a truncated JSON body is retried', async () => {
		const { attempts } = await callWithRetry(ask('D [fault:malformed]'), classifyLlmError, options({ baseDelayMs: 5 }));
		expect(attempts).toBe(2);
	});

	test('cancelling stops a hung request and a back-off wait at once', async () => {
		const controller = new AbortController();
		const started = Date.now();
		setTimeout(() => controller.abort(), 100);
		await expect(
			callWithRetry(ask('E [fault:hangxall]'), classifyLlmError, options({ timeoutMs: 10_000 }), controller.signal),
		).rejects.toMatchObject({ kind: 'cancelled' });
		expect(Date.now() - started).toBeLessThan(1000);

		const second = new AbortController();
		const waiting = Date.now();
		setTimeout(() => second.abort(), 100);
		await expect(
			callWithRetry(ask('F [fault:500xall]'), classifyLlmError, options({ baseDelayMs: 20_000 }), second.signal),
		).rejects.toMatchObject({ kind: 'cancelled' });
		expect(Date.now() - waiting).toBeLessThan(1000);
	});

});

describe('classifying provider errors', () => {
	const generate = (status: number, body: object, headers: Record<string, string> = {}) =>
		APIError.generate(status, { error: body }, undefined, new Headers(headers));

	test('a 429 carries its Retry-After; a spent quota (also 429) is not retried', () => {
		const limited = classifyLlmError(generate(429, { message: 'Slow down' }, { 'retry-after': '2' }));
		expect(limited).toMatchObject({ kind: 'rateLimit', details: { status: 429, retryAfterMs: 2000 } });
		expect(limited.message).toBe('The provider answered 429: Slow down');
		const quota = classifyLlmError(generate(429, { message: 'You exceeded your current quota', code: 'insufficient_quota' }));
		expect(quota.kind).toBe('client');
		expect(quota.retryable).toBe(false);
	});

	test('5xx, 408 and 409 are server-side and retried; other 4xx are final', () => {
		expect(classifyLlmError(generate(503, { message: 'busy' })).kind).toBe('server');
		expect(classifyLlmError(generate(408, { message: 'timeout' })).kind).toBe('server');
		expect(classifyLlmError(generate(400, { message: 'bad' })).kind).toBe('client');
		expect(classifyLlmError(new SyntaxError('Unexpected end of JSON input')).kind).toBe('server');
	});
});
