/**
 * The local OpenAI-compatible server in its own process, for benchmarks: a real provider is
 * remote, so its work must not share the event loop (and the CPU time) of the n8n node under test.
 * Options must be plain data (no `faults` function; use `random429` and the message markers).
 */
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';

import type { FakeLlmOptions } from './fakeLlmServer';

export interface FakeLlmStats {
	/** Successful draft completions per message. */
	completions: Map<string, number>;
	chatRequests: number;
	/** Chat requests by outcome: ok, 429, 500, malformed, hang, rejected. */
	outcomes: Record<string, number>;
	peakInFlight: number;
}

export interface FakeLlmServerProcess {
	baseUrl: string;
	/** The server's process (a benchmark counts its CPU apart from the node under test's). */
	pid: number | undefined;
	stats(): Promise<FakeLlmStats>;
	setLatency(ms: number): Promise<void>;
	close(): Promise<void>;
}

interface Reply {
	type: string;
	id?: number;
	baseUrl?: string;
	completions?: [string, number][];
	chatRequests?: number;
	outcomes?: Record<string, number>;
	peakInFlight?: number;
}

export async function startFakeLlmServerProcess(options: Omit<FakeLlmOptions, 'faults'> = {}): Promise<FakeLlmServerProcess> {
	const child: ChildProcess = fork(path.join(__dirname, 'fakeLlmProcess.mjs'), [JSON.stringify(options)], {
		execArgv: ['--no-warnings'],
		stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
	});
	let nextId = 1;
	const ask = (type: string, extra: object = {}) =>
		new Promise<Reply>((resolve) => {
			const id = nextId++;
			const onMessage = (reply: Reply) => {
				if (reply.id !== id) return;
				child.off('message', onMessage);
				resolve(reply);
			};
			child.on('message', onMessage);
			child.send({ type, id, ...extra });
		});
	const ready = await new Promise<Reply>((resolve, reject) => {
		child.once('message', (reply: Reply) => resolve(reply));
		child.once('exit', (code) => reject(new Error(`the fake LLM server process exited (${code})`)));
	});
	return {
		baseUrl: ready.baseUrl!,
		pid: child.pid,
		async stats() {
			const reply = await ask('stats');
			return {
				completions: new Map(reply.completions),
				chatRequests: reply.chatRequests!,
				outcomes: reply.outcomes!,
				peakInFlight: reply.peakInFlight!,
			};
		},
		async setLatency(ms) {
			await ask('latency', { ms });
		},
		close: () =>
			new Promise<void>((resolve) => {
				if (child.exitCode !== null) return resolve();
				child.once('exit', () => resolve());
				child.send({ type: 'close' });
			}),
	};
}
