/**
 * Bounded concurrency that keeps the input order: at most `concurrency` items are in flight, each
 * result lands at its item's index. Drafting one item after another (what n8n's own OpenAI node
 * does) makes a 200-item run take 200 round trips; with 8 in flight it takes about 25.
 */

export type Settled<R> = { status: 'fulfilled'; value: R } | { status: 'rejected'; reason: unknown } | { status: 'skipped' };

export interface PoolOptions {
	/** Stops starting new items, and aborts the signal handed to running ones, at the first failure. */
	stopOnError?: boolean;
	/** When it aborts, no new item starts; running ones see it through their own signal. */
	signal?: AbortSignal;
}

export async function runPool<T, R>(
	inputs: readonly T[],
	concurrency: number,
	work: (input: T, index: number, signal: AbortSignal) => Promise<R>,
	options: PoolOptions = {},
): Promise<Settled<R>[]> {
	const results: Settled<R>[] = inputs.map(() => ({ status: 'skipped' }));
	const stop = new AbortController();
	const onAbort = () => stop.abort();
	options.signal?.addEventListener('abort', onAbort, { once: true });
	if (options.signal?.aborted) stop.abort();
	let next = 0;

	async function worker(): Promise<void> {
		while (!stop.signal.aborted && next < inputs.length) {
			const index = next++;
			try {
				results[index] = { status: 'fulfilled', value: await work(inputs[index], index, stop.signal) };
			} catch (reason) {
				results[index] = { status: 'rejected', reason };
				if (options.stopOnError) stop.abort();
			}
		}
	}

	const width = Math.max(1, Math.min(Math.floor(concurrency) || 1, inputs.length));
	try {
		await Promise.all(Array.from({ length: width }, () => worker()));
	} finally {
		options.signal?.removeEventListener('abort', onAbort);
	}
	return results;
}
