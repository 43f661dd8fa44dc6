/**
 * A throw-away server started by one of the scripts/ensure-*.sh scripts (which install the server
 * when missing): `start --watch-pid <this process>` prints `NAME=value` lines, `stop <dir>` ends
 * the server. The script's watcher stops the server if this process dies without stopping it.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** scripts/<name>, found upwards from here (this file also runs compiled, from bench builds). */
export function findScript(name: string): string {
	for (let dir = __dirname; ; dir = dirname(dir)) {
		const candidate = join(dir, 'scripts', name);
		if (existsSync(candidate)) return candidate;
		if (dirname(dir) === dir) throw new Error(`scripts/${name} not found above ${__dirname}`);
	}
}

export interface ScriptServer {
	/** A `NAME=value` line the script printed. */
	field(name: string): string;
	/** Stops the server (once; later calls do nothing). */
	stop(): Promise<void>;
}

/** Runs `<script> start`; `dirField` names the printed line that `<script> stop` takes. */
export async function startScriptServer(scriptName: string, dirField: string): Promise<ScriptServer> {
	const script = findScript(scriptName);
	// apt-get install on a fresh machine can take a few minutes.
	const { stdout } = await run('bash', [script, 'start', '--watch-pid', String(process.pid)], {
		timeout: 600_000,
		maxBuffer: 10 * 1024 * 1024,
	});
	const field = (name: string) => {
		const match = new RegExp(`^${name}=(.+)$`, 'm').exec(stdout);
		if (!match) throw new Error(`${scriptName} printed no ${name}:\n${stdout}`);
		return match[1].trim();
	};
	const dir = field(dirField);
	let stopped = false;
	return {
		field,
		async stop() {
			if (stopped) return;
			stopped = true;
			await run('bash', [script, 'stop', dir], { timeout: 60_000 });
		},
	};
}
