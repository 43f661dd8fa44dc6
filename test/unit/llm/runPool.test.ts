import { runPool } from '../../../nodes/LlmDraft/runPool';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('keeps input order while never running more than the limit at once', async () => {
	let running = 0;
	let peak = 0;
	const inputs = Array.from({ length: 20 }, (_, index) => index);
	const results = await runPool(inputs, 4, async (value) => {
		running++;
		peak = Math.max(peak, running);
		await sleep(((value * 7) % 5) * 3); // finish out of order
		running--;
		return value * 10;
	});
	expect(peak).toBe(4);
	expect(results).toEqual(inputs.map((value) => ({ status: 'fulfilled', value: value * 10 })));
});

test('runs in parallel: 8 × 50 ms at concurrency 8 take about 50 ms, not 400', async () => {
	const started = Date.now();
	await runPool(Array.from({ length: 8 }), 8, () => sleep(50));
	expect(Date.now() - started).toBeLessThan(300);
});

test('a failure is kept at its index and the others go on', async () => {
	const results = await runPool([1, 2, 3], 2, async (value) => {
		if (value === 2) throw new Error('two');
		return value;
	});
	expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
});

test('stopOnError starts nothing new after a failure and aborts the running items\' signal', async () => {
	const started: number[] = [];
	let abortedSeen = false;
	const results = await runPool(
		[0, 1, 2, 3, 4, 5],
		2,
		async (value, _index, signal) => {
			started.push(value);
			if (value === 0) throw new Error('zero');
			await sleep(30);
			abortedSeen ||= signal.aborted;
			return value;
		},
		{ stopOnError: true },
	);
	expect(started).toEqual([0, 1]);
	expect(abortedSeen).toBe(true);
	expect(results.map((result) => result.status)).toEqual(['rejected', 'fulfilled', 'skipped', 'skipped', 'skipped', 'skipped']);
});

test('an aborted signal stops taking new items', async () => {
	const controller = new AbortController();
	const results = await runPool([0, 1, 2, 3], 1, async (value) => {
		if (value === 1) controller.abort();
		return value;
	}, { signal: controller.signal });
	expect(results.map((result) => result.status)).toEqual(['fulfilled', 'fulfilled', 'skipped', 'skipped']);
});
