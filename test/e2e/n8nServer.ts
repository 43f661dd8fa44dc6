/**
 * A real n8n server for end-to-end tests: the pinned n8n installed on demand
 * (scripts/ensure-n8n.sh), this package packed and installed where n8n loads community
 * packages, a throw-away user folder with SQLite, a free loopback port. Workflows are imported
 * with n8n's own CLI; executions are read back from n8n's database.
 *
 * Leaves nothing behind: stop() ends n8n's whole process group (n8n starts task runners as
 * children) and removes the user folder.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);


const PROJECT_ROOT = path.resolve(__dirname, '..', '..');
const SCRIPTS = path.join(PROJECT_ROOT, 'scripts');
const CACHE = process.env.HITL_CACHE ?? path.join(process.env.HOME ?? tmpdir(), '.cache', 'n8n-nodes-hitl');

export interface WorkflowFile {
	id: string;
	name: string;
	nodes: unknown[];
	connections: Record<string, unknown>;
	/** Published (production webhooks live) when true. */
	active?: boolean;
	settings?: Record<string, unknown>;
}

/** A credential as n8n's `import:credentials` takes it; `data` is plain and n8n encrypts it. */
export interface CredentialFile {
	id: string;
	name: string;
	type: string;
	data: Record<string, unknown>;
}

export interface StartOptions {
	workflows: WorkflowFile[];
	/** Install this package into the user folder (default true; false proves the tests need it). */
	withPackage?: boolean;
	/** Wait until the published workflows' webhooks are registered (default true). */
	waitForWebhooks?: boolean;
	/** Credentials to store before n8n starts (see also {@link N8nServer.importCredentials}). */
	credentials?: CredentialFile[];
	env?: Record<string, string>;
	/**
	 * `main` (default) runs `n8n start`; `worker` runs `n8n worker` (queue mode: give both the same
	 * database, Redis and encryption key through `env`), with its health server on the free port.
	 */
	role?: 'main' | 'worker';
	/**
	 * Link the prepared community-nodes folder instead of copying it (about 200 MB and 20,000 files
	 * to copy and delete again per server; a cluster of several processes on a busy machine spends
	 * minutes on it). The folder is shared read-only by every server that links it.
	 */
	linkPackage?: boolean;
	/** How long start-up may take (default 120 s; a cluster on a busy machine needs more). */
	readyTimeoutMs?: number;
	/** Listen on this port instead of a free one: a restarted main keeps the address its links point at. */
	port?: number;
}

export interface ExecutionRecord {
	id: string;
	workflowId: string;
	status: string;
	finished: boolean;
	waitTill: string | null;
	/** n8n's run data, parsed: `resultData.runData[node][run].data.main[output]`. */
	data: {
		resultData: {
			runData: Record<string, { data?: { main: ({ json: Record<string, unknown> }[] | null)[] } }[]>;
			error?: { message: string };
			lastNodeExecuted?: string;
		};
	};
}

/** Runs a command; resolves with what it printed (stdout and stderr: n8n's CLI logs to both). */
async function run(file: string, args: string[], env: NodeJS.ProcessEnv = process.env, timeout = 900_000): Promise<string> {
	const { stdout, stderr } = await execFileAsync(file, args, { env, timeout, maxBuffer: 64 * 1024 * 1024 });
	return stdout + stderr;
}

/** The folder holding the pinned n8n (installs it the first time: several minutes). */
async function ensureN8n(): Promise<string> {
	const { stdout } = await execFileAsync('bash', [path.join(SCRIPTS, 'ensure-n8n.sh')], { timeout: 1_800_000 });
	return stdout.trim().split('\n').pop()!;
}

function hashTree(root: string, hash = createHash('sha256')): ReturnType<typeof createHash> {
	for (const entry of readdirSync(root).sort()) {
		const full = path.join(root, entry);
		if (statSync(full).isDirectory()) hashTree(full, hash);
		else hash.update(entry).update(readFileSync(full));
	}
	return hash;
}

/**
 * A ready `.n8n/nodes` folder with the packed package installed, reused by every server of
 * one build (keyed on the build output), so each test file does not re-run npm.
 */
async function preparedNodesFolder(): Promise<string> {
	if (!existsSync(path.join(PROJECT_ROOT, 'dist'))) throw new Error('dist/ is missing: run "npm run build" first');
	const hash = hashTree(path.join(PROJECT_ROOT, 'dist'))
		.update(readFileSync(path.join(PROJECT_ROOT, 'package.json')))
		.digest('hex')
		.slice(0, 16);
	const folder = path.join(CACHE, 'e2e-package', hash);
	if (!existsSync(path.join(folder, '.ready'))) {
		rmSync(folder, { recursive: true, force: true });
		mkdirSync(folder, { recursive: true });
		await run('bash', [path.join(SCRIPTS, 'install-package.sh'), folder]);
		writeFileSync(path.join(folder, '.ready'), '');
	}
	return path.join(folder, '.n8n', 'nodes');
}

async function freePort(): Promise<number> {
	return await new Promise((resolve, reject) => {
		const server = createServer();
		server.unref();
		server.on('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const { port } = server.address() as { port: number };
			server.close(() => resolve(port));
		});
	});
}

/** The owner account of every e2e instance (a throw-away instance on loopback). */
export const OWNER = { email: 'owner@example.com', firstName: 'Olive', lastName: 'Owner', password: 'Owner-passw0rd' };

export class N8nServer {
	private exited = false;
	private watchdog?: ChildProcess;

	private constructor(
		readonly baseUrl: string,
		readonly userFolder: string,
		private readonly child: ChildProcess,
		/** The installed n8n (its `node_modules` holds n8n's own libraries, e.g. `flatted`). */
		readonly n8nDir: string,
		private readonly env: NodeJS.ProcessEnv,
		readonly log: string[],
	) {
		child.once('exit', () => (this.exited = true));
	}

	static async start(options: StartOptions): Promise<N8nServer> {
		const worker = options.role === 'worker';
		const n8nDir = await ensureN8n();
		const userFolder = mkdtempSync(path.join(tmpdir(), 'hitl-n8n-'));
		try {
			if (options.withPackage !== false) {
				const prepared = await preparedNodesFolder();
				const nodesFolder = path.join(userFolder, '.n8n', 'nodes');
				if (options.linkPackage) {
					mkdirSync(path.dirname(nodesFolder), { recursive: true });
					symlinkSync(prepared, nodesFolder);
				} else {
					cpSync(prepared, nodesFolder, { recursive: true });
				}
			}
			const port = options.port ?? (await freePort());
			const baseUrl = `http://127.0.0.1:${port}`;
			const env: NodeJS.ProcessEnv = {
				...process.env,
				N8N_USER_FOLDER: userFolder,
				N8N_PORT: String(port),
				// n8n's task broker listens on 5679 by default; two servers at once would collide.
				N8N_RUNNERS_BROKER_PORT: String(await freePort()),
				N8N_LISTEN_ADDRESS: '127.0.0.1',
				N8N_HOST: '127.0.0.1',
				N8N_PROTOCOL: 'http',
				N8N_WEBHOOK_URL: `${baseUrl}/`,
				N8N_EDITOR_BASE_URL: `${baseUrl}/`,
				N8N_ENCRYPTION_KEY: 'hitl-e2e-encryption-key-not-secret',
				N8N_DIAGNOSTICS_ENABLED: 'false',
				N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
				N8N_TEMPLATES_ENABLED: 'false',
				N8N_PERSONALIZATION_ENABLED: 'false',
				N8N_SECURE_COOKIE: 'false',
				N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
				N8N_LOG_LEVEL: 'info',
				NODE_ENV: 'production',
				// A worker serves only /healthz (and /healthz/readiness) on its own port.
				...(worker ? { QUEUE_HEALTH_CHECK_ACTIVE: 'true', QUEUE_HEALTH_CHECK_PORT: String(port), N8N_WORKER_SERVER_ADDRESS: '127.0.0.1' } : {}),
				...options.env,
			};
			const n8nBin = path.join(n8nDir, 'node_modules', 'n8n', 'bin', 'n8n');
			const workflowDir = path.join(userFolder, 'workflows-to-import');
			mkdirSync(workflowDir);
			for (const workflow of options.workflows) {
				writeFileSync(path.join(workflowDir, `${workflow.id}.json`), JSON.stringify({ active: false, settings: {}, ...workflow }));
			}
			if (options.credentials?.length) await importCredentialFiles(n8nBin, env, options.credentials);
			if (options.workflows.length > 0) {
				await run(process.execPath, [n8nBin, 'import:workflow', '--separate', `--input=${workflowDir}`], env);
				for (const workflow of options.workflows.filter((entry) => entry.active)) {
					await run(process.execPath, [n8nBin, 'publish:workflow', `--id=${workflow.id}`], env);
				}
			}

			const log: string[] = [];
			const child = spawn(process.execPath, [n8nBin, worker ? 'worker' : 'start'], { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
			child.stdout!.on('data', (chunk: Buffer) => log.push(chunk.toString()));
			child.stderr!.on('data', (chunk: Buffer) => log.push(chunk.toString()));
			const server = new N8nServer(baseUrl, userFolder, child, n8nDir, env, log);
			process.once('exit', () => server.kill('SIGKILL'));
			server.watchdog = cleanUpWhenGone(process.pid, child.pid!, userFolder);
			try {
				await server.waitUntilReady(worker ? 'n8n worker is now ready' : 'Editor is now accessible', options.readyTimeoutMs);
				if (!worker && options.waitForWebhooks !== false) {
					await server.waitForWebhooks(options.workflows.filter((entry) => entry.active).map((entry) => entry.id));
				}
			} catch (error) {
				await server.stop();
				throw error;
			}
			return server;
		} catch (error) {
			rmSync(userFolder, { recursive: true, force: true });
			throw error;
		}
	}

	private async waitUntilReady(readyLine: string, timeoutMs = 120_000): Promise<void> {
		const deadline = Date.now() + timeoutMs;
		while (Date.now() < deadline) {
			if (this.exited) throw new Error(`n8n exited during start-up:\n${this.log.join('').slice(-4000)}`);
			// The main prints "Editor is now accessible" once webhooks of published workflows are
			// registered; a worker prints "n8n worker is now ready" once it takes jobs.
			if (this.log.join('').includes(readyLine)) {
				const response = await fetch(`${this.baseUrl}/healthz/readiness`).catch(() => undefined);
				if (response?.ok) return;
			}
			await new Promise((resolve) => setTimeout(resolve, 250));
		}
		throw new Error(`n8n did not become ready in ${timeoutMs / 1000}s:\n${this.log.join('').slice(-4000)}`);
	}

	/**
	 * n8n 2.x publishes workflows through an outbox after start-up, so "ready" is not yet "its
	 * production webhooks answer": wait until each published workflow has its webhooks registered.
	 */
	private async waitForWebhooks(workflowIds: string[], timeoutMs = 60_000): Promise<void> {
		const deadline = Date.now() + timeoutMs;
		while (Date.now() < deadline) {
			const db = this.openDatabase();
			let registered: Set<string>;
			try {
				registered = new Set(
					db.prepare('SELECT DISTINCT workflowId FROM webhook_entity').all().map((row) => String(row.workflowId)),
				);
			} finally {
				db.close();
			}
			if (workflowIds.every((id) => registered.has(id))) return;
			await new Promise((resolve) => setTimeout(resolve, 200));
		}
		throw new Error(`Webhooks of workflows ${workflowIds.join(', ')} were not registered in time:\n${this.log.join('').slice(-3000)}`);
	}

	/**
	 * Stores credentials with n8n's own CLI (which encrypts them with the instance key), the way an
	 * admin provisions them; a running server reads them at the next execution.
	 */
	async importCredentials(credentials: CredentialFile[]): Promise<void> {
		await importCredentialFiles(path.join(this.n8nDir, 'node_modules', 'n8n', 'bin', 'n8n'), this.env, credentials);
	}

	private ownerSession?: Promise<string>;

	/**
	 * The `n8n-auth` cookie of the instance owner, set up on first use through n8n's own
	 * first-run endpoint — for the editor's REST calls (node types, credentials) and the browser.
	 */
	async ownerCookie(): Promise<string> {
		this.ownerSession ??= (async () => {
			const post = async (route: string, body: unknown) =>
				await fetch(`${this.baseUrl}/rest/${route}`, {
					method: 'POST',
					headers: { 'content-type': 'application/json' },
					body: JSON.stringify(body),
				});
			const setup = await post('owner/setup', OWNER);
			if (!setup.ok) throw new Error(`Owner setup failed: ${setup.status} ${await setup.text()}`);
			// A fresh login: the cookie from the setup call is bound to the setup request's browser.
			const login = await post('login', { emailOrLdapLoginId: OWNER.email, password: OWNER.password });
			const cookie = /n8n-auth=([^;]+)/.exec(login.headers.get('set-cookie') ?? '')?.[1];
			if (!login.ok || !cookie) throw new Error(`Owner login failed: ${login.status} ${await login.text()}`);
			return cookie;
		})();
		return await this.ownerSession;
	}

	/**
	 * Runs a workflow once through n8n's own CLI (`n8n execute --id`), which starts it at its Manual
	 * Trigger — for workflows with no webhook, such as scheduled reports. Resolves when it has
	 * finished; the execution is in the database like any other.
	 */
	async executeWorkflow(workflowId: string): Promise<void> {
		const n8nBin = path.join(this.n8nDir, 'node_modules', 'n8n', 'bin', 'n8n');
		// The CLI starts its own task broker: it must not take the running server's port.
		await run(process.execPath, [n8nBin, 'execute', `--id=${workflowId}`, '--rawOutput'], {
			...this.env,
			N8N_RUNNERS_BROKER_PORT: String(await freePort()),
		});
	}

	/** Waits until n8n has printed a line containing `text`. */
	async waitForLog(text: string, timeoutMs = 60_000): Promise<void> {
		const deadline = Date.now() + timeoutMs;
		while (Date.now() < deadline) {
			if (this.log.join('').includes(text)) return;
			await new Promise((resolve) => setTimeout(resolve, 200));
		}
		throw new Error(`n8n did not log "${text}" in time:\n${this.log.join('').slice(-3000)}`);
	}

	/** Calls a production webhook of a published workflow. */
	async callWebhook(webhookPath: string, body: unknown, method = 'POST'): Promise<Response> {
		return await fetch(`${this.baseUrl}/webhook/${webhookPath}`, {
			method,
			headers: { 'content-type': 'application/json' },
			body: method === 'GET' ? undefined : JSON.stringify(body),
		});
	}

	private openDatabase(): DatabaseSync {
		return new DatabaseSync(path.join(this.userFolder, '.n8n', 'database.sqlite'), { readOnly: true });
	}

	/** The executions of a workflow, newest first (without their data). */
	listExecutions(workflowId: string): { id: string; status: string }[] {
		const db = this.openDatabase();
		try {
			return db
				.prepare('SELECT id, status FROM execution_entity WHERE workflowId = ? ORDER BY id DESC')
				.all(workflowId)
				.map((row) => ({ id: String(row.id), status: String(row.status) }));
		} finally {
			db.close();
		}
	}

	readExecution(executionId: string): ExecutionRecord {
		const db = this.openDatabase();
		try {
			const row = db
				.prepare(
					`SELECT e.id, e.workflowId, e.status, e.finished, e.waitTill, d.data
					 FROM execution_entity e JOIN execution_data d ON d.executionId = e.id WHERE e.id = ?`,
				)
				.get(executionId);
			if (!row) throw new Error(`No execution ${executionId}`);
			return executionRecord(this.n8nDir, row);
		} finally {
			db.close();
		}
	}

	/** Waits until the workflow's newest execution (or the given one) has one of the statuses. */
	async waitForExecution(
		workflowId: string,
		statuses: string[],
		options: { executionId?: string; timeoutMs?: number; newerThan?: string } = {},
	): Promise<ExecutionRecord> {
		const deadline = Date.now() + (options.timeoutMs ?? 30_000);
		let last = 'none';
		while (Date.now() < deadline) {
			const executions = this.listExecutions(workflowId).filter(
				(execution) => options.newerThan === undefined || Number(execution.id) > Number(options.newerThan),
			);
			const candidate = options.executionId ? executions.find((execution) => execution.id === options.executionId) : executions[0];
			if (candidate) {
				last = candidate.status;
				if (statuses.includes(candidate.status)) return this.readExecution(candidate.id);
			}
			await new Promise((resolve) => setTimeout(resolve, 100));
		}
		throw new Error(`Execution of workflow ${workflowId} did not reach ${statuses.join('/')} (last status: ${last})`);
	}

	/** The process's id (n8n's own; its task runners are in its process group). */
	get pid(): number | undefined {
		return this.child.pid;
	}

	/**
	 * Kills n8n and its task runners at once (SIGKILL: no shutdown, no drain), as a crashed machine
	 * or an out-of-memory kill does; resolves once the process is gone. The user folder stays until stop().
	 */
	async crash(): Promise<void> {
		if (this.exited) return;
		const exited = new Promise((resolve) => this.child.once('exit', resolve));
		this.kill('SIGKILL');
		await exited;
	}

	private kill(signal: NodeJS.Signals): void {
		if (this.exited || this.child.pid === undefined) return;
		try {
			process.kill(-this.child.pid, signal); // the whole group: n8n and its task runners
		} catch {
			// already gone
		}
	}

	async stop(): Promise<void> {
		if (!this.exited) {
			const exited = new Promise((resolve) => this.child.once('exit', resolve));
			this.kill('SIGTERM');
			const timer = setTimeout(() => this.kill('SIGKILL'), 15_000);
			await exited;
			clearTimeout(timer);
		}
		this.kill('SIGKILL'); // any straggler of the group
		this.watchdog?.kill();
		rmSync(this.userFolder, { recursive: true, force: true });
	}
}

/**
 * An execution from a row of n8n's execution_entity joined with execution_data (id, workflowId,
 * status, finished, waitTill, data), as either database returns it.
 */
export function executionRecord(n8nDir: string, row: Record<string, unknown>): ExecutionRecord {
	// n8n stores run data with `flatted` (circular-safe JSON); use n8n's own copy to read it.
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const flatted = require(path.join(n8nDir, 'node_modules', 'flatted')) as { parse(text: string): unknown };
	const waitTill = row.waitTill instanceof Date ? row.waitTill.toISOString() : row.waitTill;
	return {
		id: String(row.id),
		workflowId: String(row.workflowId),
		status: String(row.status),
		finished: Boolean(row.finished),
		waitTill: waitTill === null || waitTill === undefined ? null : String(waitTill),
		data: flatted.parse(String(row.data)) as ExecutionRecord['data'],
	};
}

/**
 * Ends n8n's process group (n8n and its task runners) and removes its user folder when the test
 * process dies without stopping it — a crashed or killed jest; ends itself once the group is gone.
 */
function cleanUpWhenGone(testPid: number, group: number, userFolder: string): ChildProcess {
	const script = `while kill -0 ${testPid} 2>/dev/null && kill -0 -${group} 2>/dev/null; do sleep 2; done
		kill -0 ${testPid} 2>/dev/null && exit 0
		kill -KILL -${group} 2>/dev/null; rm -rf "$1"`;
	const watchdog = spawn('bash', ['-c', script, 'watchdog', userFolder], { detached: true, stdio: 'ignore' });
	watchdog.unref();
	return watchdog;
}

async function importCredentialFiles(n8nBin: string, env: NodeJS.ProcessEnv, credentials: CredentialFile[]): Promise<void> {
	const folder = mkdtempSync(path.join(tmpdir(), 'hitl-credentials-'));
	try {
		const file = path.join(folder, 'credentials.json');
		writeFileSync(file, JSON.stringify(credentials));
		const output = await run(process.execPath, [n8nBin, 'import:credentials', `--input=${file}`], env);
		// The CLI logs a failure and still exits 0.
		if (!/Successfully imported/.test(output)) throw new Error(`n8n import:credentials failed:\n${output.slice(-3000)}`);
	} finally {
		rmSync(folder, { recursive: true, force: true });
	}
}

/** Items a node put on one output in its last run of an execution. */
export function outputItems(execution: ExecutionRecord, nodeName: string, outputIndex = 0): Record<string, unknown>[] {
	const runs = execution.data.resultData.runData[nodeName];
	if (!runs) throw new Error(`Node "${nodeName}" did not run in execution ${execution.id}`);
	return (runs[runs.length - 1].data?.main[outputIndex] ?? []).map((item) => item.json);
}
