/**
 * Our own retry policy, the same for every provider (the OpenAI SDK's retries are off):
 * - 429: wait what the provider asks (`retry-after-ms`, else `Retry-After` in seconds or as an
 *   HTTP date), else back off; a quota error ("insufficient_quota") is not retried — waiting does
 *   not refill it;
 * - 5xx, 408, 409, network errors, timeouts, a garbled response: exponential back-off with jitter,
 *   or what a `Retry-After` on the response asks (a 503 during maintenance often sends one);
 * - other 4xx (bad request, auth, unknown model): fail at once with the provider's message;
 * - every attempt has its own timeout, and the execution's cancel signal stops everything at once,
 *   waits included.
 */

export type FailureKind = 'rateLimit' | 'server' | 'network' | 'timeout' | 'client' | 'cancelled' | 'invalidAnswer';

/** A failed LLM call, normalised from whatever the client threw. */
export class LlmCallError extends Error {
	constructor(
		message: string,
		readonly kind: FailureKind,
		readonly details: { status?: number; retryAfterMs?: number; code?: string } = {},
	) {
		super(message);
		this.name = 'LlmCallError';
	}

	get retryable(): boolean {
		return this.kind === 'rateLimit' || this.kind === 'server' || this.kind === 'network' || this.kind === 'timeout';
	}
}

export interface RetryOptions {
	/** Retries after the first attempt. */
	maxRetries: number;
	/** Per attempt (ms). */
	timeoutMs: number;
	/** First back-off step (ms); doubles each retry. */
	baseDelayMs?: number;
	/** Cap on one back-off wait (ms). */
	maxDelayMs?: number;
	/** A Retry-After longer than this fails the item instead of holding the run (ms). */
	maxRetryAfterMs?: number;
	/** Source of jitter, replaceable in tests. */
	random?: () => number;
	/** Told before each wait; for logs and benchmarks. */
	onRetry?: (event: { attempt: number; delayMs: number; error: LlmCallError }) => void;
}

export const RETRY_DEFAULTS = { baseDelayMs: 500, maxDelayMs: 20_000, maxRetryAfterMs: 60_000 } as const;

type HeaderSource = { get(name: string): string | null } | Record<string, string | string[] | undefined> | undefined;

function header(headers: HeaderSource, name: string): string | undefined {
	if (!headers) return undefined;
	if (typeof (headers as { get?: unknown }).get === 'function') return (headers as { get(name: string): string | null }).get(name) ?? undefined;
	const value = (headers as Record<string, string | string[] | undefined>)[name];
	return Array.isArray(value) ? value[0] : value;
}

/** How long a 429 (or 503) response asks us to wait, in ms; `undefined` when it does not say. */
export function parseRetryAfter(headers: HeaderSource, now = Date.now()): number | undefined {
	// OpenAI and Azure send the precise `retry-after-ms` beside the standard header; prefer it.
	const ms = Number(header(headers, 'retry-after-ms'));
	if (header(headers, 'retry-after-ms') !== undefined && Number.isFinite(ms) && ms >= 0) return ms;
	const value = header(headers, 'retry-after');
	if (value === undefined || value.trim() === '') return undefined;
	const seconds = Number(value);
	if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
	const date = Date.parse(value);
	return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * Exponential back-off with "equal jitter": half of the step is fixed, half random, so retries of
 * many items that failed together spread out without any of them retrying at once.
 */
export function backoffDelay(retry: number, options: RetryOptions): number {
	const base = options.baseDelayMs ?? RETRY_DEFAULTS.baseDelayMs;
	const cap = options.maxDelayMs ?? RETRY_DEFAULTS.maxDelayMs;
	const step = Math.min(cap, base * 2 ** retry);
	return step / 2 + (options.random ?? Math.random)() * (step / 2);
}

/** The wait before retry number `retry` (0-based), or `undefined` when this error is final. */
export function retryDelay(error: LlmCallError, retry: number, options: RetryOptions): number | undefined {
	if (!error.retryable || retry >= options.maxRetries) return undefined;
	const retryAfter = error.details.retryAfterMs;
	if ((error.kind === 'rateLimit' || error.kind === 'server') && retryAfter !== undefined) {
		return retryAfter <= (options.maxRetryAfterMs ?? RETRY_DEFAULTS.maxRetryAfterMs) ? retryAfter : undefined;
	}
	return backoffDelay(retry, options);
}

/** Waits, or rejects as soon as the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
	return new Promise((resolve, reject) => {
		if (signal?.aborted) return reject(cancelled());
		const timer = setTimeout(() => {
			signal?.removeEventListener('abort', onAbort);
			resolve();
		}, ms);
		const onAbort = () => {
			clearTimeout(timer);
			reject(cancelled());
		};
		signal?.addEventListener('abort', onAbort, { once: true });
	});
}

function cancelled(): LlmCallError {
	return new LlmCallError('The execution was cancelled', 'cancelled');
}

export interface RetryOutcome<T> {
	value: T;
	attempts: number;
}

/**
 * Runs one call with the policy. `call` gets a signal that aborts on timeout or cancel, and
 * `classify` turns what it throws into an {@link LlmCallError}. Resolves as soon as the timeout
 * fires even when the call ignores its signal, so a hung connection never holds the run.
 */
export async function callWithRetry<T>(
	call: (signal: AbortSignal) => Promise<T>,
	classify: (error: unknown) => LlmCallError,
	options: RetryOptions,
	cancelSignal?: AbortSignal,
): Promise<RetryOutcome<T>> {
	for (let attempt = 1; ; attempt++) {
		if (cancelSignal?.aborted) throw cancelled();
		const controller = new AbortController();
		let timer: NodeJS.Timeout | undefined;
		let onCancel = () => controller.abort();
		const stopped = new Promise<never>((_, reject) => {
			timer = setTimeout(() => {
				controller.abort();
				reject(new LlmCallError(`No answer within ${options.timeoutMs / 1000} s`, 'timeout'));
			}, options.timeoutMs);
			onCancel = () => {
				controller.abort();
				reject(cancelled());
			};
		});
		stopped.catch(() => {});
		cancelSignal?.addEventListener('abort', onCancel, { once: true });
		try {
			const value = await Promise.race([call(controller.signal), stopped]);
			return { value, attempts: attempt };
		} catch (raw) {
			if (cancelSignal?.aborted) throw cancelled();
			const error = raw instanceof LlmCallError ? raw : classify(raw);
			const delay = retryDelay(error, attempt - 1, options);
			if (delay === undefined) {
				if (error.retryable && attempt > 1) error.message = `${error.message} (gave up after ${attempt} attempts)`;
				throw error;
			}
			options.onRetry?.({ attempt, delayMs: delay, error });
			await sleep(delay, cancelSignal);
		} finally {
			clearTimeout(timer);
			cancelSignal?.removeEventListener('abort', onCancel);
		}
	}
}
