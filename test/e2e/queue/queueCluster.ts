/**
 * n8n in queue mode, as a scaled installation runs it: one main process (editor, webhooks,
 * /form-waiting) and one or more `n8n worker`s, sharing n8n's database on a real PostgreSQL and the Bull
 * queue on a real Redis. Each process is an {@link N8nServer} with its own user folder, this
 * package in its community-nodes folder and the same encryption key.
 *
 * Executions are read from n8n's PostgreSQL database. stop() ends both processes (and their task
 * runners), then Redis and PostgreSQL; the scripts' watchers end the servers if the test process
 * dies first.
 */
import { Pool } from 'pg';

import { startPostgres, type TestPostgres } from '../../support/postgres';
import { startRedis, type TestRedis } from '../../support/redis';
import { executionRecord, N8nServer, type CredentialFile, type ExecutionRecord, type WorkflowFile } from '../n8nServer';

export interface QueueClusterOptions {
	workflows: WorkflowFile[];
	/** Credentials to store before the workflows are imported; may create databases on the cluster's PostgreSQL. */
	credentials?: (postgres: TestPostgres) => Promise<CredentialFile[]>;
	/** How many `n8n worker` processes (default 1). */
	workers?: number;
	/** More environment for every process (e.g. Bull's lock timings, a worker's concurrency). */
	env?: Record<string, string>;
}

/** Several n8n processes start one after the other on a machine that may be busy. */
const READY_TIMEOUT_MS = 300_000;

/** With HITL_E2E_TRACE=1, progress lines on stderr as they happen (jest shows console output only at the end). */
export function trace(line: string): void {
	if (process.env.HITL_E2E_TRACE) process.stderr.write(`${new Date().toISOString()} ${line}\n`);
}

async function pollUntil<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number, detail: () => string): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	while (Date.now() < deadline) {
		const found = await probe();
		if (found !== undefined) return found;
		await new Promise((resolve) => setTimeout(resolve, 200));
	}
	throw new Error(`${what} in ${timeoutMs / 1000}s: ${detail()}`);
}

export class QueueCluster {
	main?: N8nServer;
	workers: N8nServer[] = [];
	redis?: TestRedis;
	/** n8n's own database. */
	private n8nDb?: Pool;
	/** What every process gets (database, queue, key); set once the servers exist. */
	private env: Record<string, string> = {};

	private constructor(readonly postgres: TestPostgres) {}

	/** The first worker. */
	get worker(): N8nServer | undefined {
		return this.workers[0];
	}

	static async start(options: QueueClusterOptions): Promise<QueueCluster> {
		const cluster = new QueueCluster(await startPostgres());
		const { postgres } = cluster;
		try {
			const redis = (cluster.redis = await startRedis());
			const database = await postgres.createDatabase('n8n');
			cluster.n8nDb = new Pool({ host: database.host, port: database.port, database: database.database, user: database.user, max: 2 });
			const env = {
				DB_TYPE: 'postgresdb',
				DB_POSTGRESDB_HOST: database.host,
				DB_POSTGRESDB_PORT: String(database.port),
				DB_POSTGRESDB_DATABASE: database.database,
				DB_POSTGRESDB_USER: database.user,
				DB_POSTGRESDB_PASSWORD: '',
				EXECUTIONS_MODE: 'queue',
				QUEUE_BULL_REDIS_HOST: redis.host,
				QUEUE_BULL_REDIS_PORT: String(redis.port),
				// Both processes must decrypt the same credentials.
				N8N_ENCRYPTION_KEY: 'hitl-e2e-queue-encryption-key-not-secret',
				...options.env,
			};
			cluster.env = env;
			const credentials = options.credentials ? await options.credentials(postgres) : undefined;
			// The main process runs n8n's migrations, so the worker starts once it is up.
			trace('queue cluster: starting the main process');
			cluster.main = await N8nServer.start({ workflows: options.workflows, credentials, env, waitForWebhooks: false, linkPackage: true, readyTimeoutMs: READY_TIMEOUT_MS });
			await cluster.waitForWebhooks(options.workflows.filter((workflow) => workflow.active).map((workflow) => workflow.id));
			for (let index = 0; index < (options.workers ?? 1); index++) await cluster.addWorker();
			return cluster;
		} catch (error) {
			await cluster.stop();
			throw error;
		}
	}

	/** Starts one more `n8n worker` (also the way back after a worker died). */
	async addWorker(): Promise<N8nServer> {
		// The worker evaluates $execution.resumeUrl / resumeFormUrl: they must point at the main
		// process, which serves /webhook-waiting and /form-waiting (as WEBHOOK_URL does in production).
		const publicUrl = `${this.main!.baseUrl}/`;
		trace(`queue cluster: starting worker ${this.workers.length + 1}`);
		const worker = await N8nServer.start({
			workflows: [],
			role: 'worker',
			linkPackage: true,
			readyTimeoutMs: READY_TIMEOUT_MS,
			env: { ...this.env, N8N_WEBHOOK_URL: publicUrl, N8N_EDITOR_BASE_URL: publicUrl },
		});
		this.workers.push(worker);
		trace(`queue cluster: worker ${this.workers.length} ready (pid ${worker.pid})`);
		return worker;
	}

	/** Stops the newest worker the way an operator scales down (SIGTERM: it finishes its jobs first). */
	async removeWorker(): Promise<void> {
		await this.workers.pop()?.stop();
	}

	/**
	 * Stops the main process the way an operator restarts it (SIGTERM: n8n's own shutdown) and
	 * starts a new one on the same address, so the links already handed out keep working. The
	 * workflows and credentials are in n8n's database; nothing is imported again.
	 */
	async restartMain(publishedWorkflowIds: string[]): Promise<N8nServer> {
		const port = Number(new URL(this.main!.baseUrl).port);
		await this.main!.stop();
		trace('queue cluster: main stopped; starting it again');
		this.main = await N8nServer.start({ workflows: [], env: this.env, port, waitForWebhooks: false, linkPackage: true, readyTimeoutMs: READY_TIMEOUT_MS });
		await this.waitForWebhooks(publishedWorkflowIds);
		return this.main;
	}

	/** A query on n8n's own database. */
	async query<Row extends object>(sql: string, values: unknown[] = []): Promise<Row[]> {
		return (await this.n8nDb!.query(sql, values)).rows as Row[];
	}

	/** n8n 2.x registers published workflows' webhooks shortly after start-up (see N8nServer). */
	private async waitForWebhooks(workflowIds: string[], timeoutMs = 60_000): Promise<void> {
		await pollUntil(
			'Webhooks were not registered',
			async () => {
				const { rows } = await this.n8nDb!.query<{ workflowId: string }>('SELECT DISTINCT "workflowId" FROM webhook_entity');
				const registered = new Set(rows.map((row) => String(row.workflowId)));
				return workflowIds.every((id) => registered.has(id)) ? true : undefined;
			},
			timeoutMs,
			() => this.main!.log.join('').slice(-3000),
		);
	}

	/** The executions of a workflow, newest first (without their data). */
	async listExecutions(workflowId: string): Promise<{ id: string; status: string }[]> {
		const { rows } = await this.n8nDb!.query<{ id: number; status: string }>(
			'SELECT id, status FROM execution_entity WHERE "workflowId" = $1 ORDER BY id DESC',
			[workflowId],
		);
		return rows.map((row) => ({ id: String(row.id), status: row.status }));
	}

	async readExecution(executionId: string): Promise<ExecutionRecord> {
		const { rows } = await this.n8nDb!.query(
			`SELECT e.id, e."workflowId", e.status, e.finished, e."waitTill", d.data
			 FROM execution_entity e JOIN execution_data d ON d."executionId" = e.id WHERE e.id = $1`,
			[Number(executionId)],
		);
		if (rows.length === 0) throw new Error(`No execution ${executionId}`);
		return executionRecord(this.main!.n8nDir, rows[0] as Record<string, unknown>);
	}

	/** Waits until the execution has one of the statuses. */
	async waitForExecution(executionId: string, statuses: string[], timeoutMs = 60_000): Promise<ExecutionRecord> {
		let last = 'none';
		await pollUntil(
			`Execution ${executionId} did not reach ${statuses.join('/')}`,
			async () => {
				const { rows } = await this.n8nDb!.query<{ status: string }>('SELECT status FROM execution_entity WHERE id = $1', [Number(executionId)]);
				last = rows[0]?.status ?? 'none';
				return statuses.includes(last) ? true : undefined;
			},
			timeoutMs,
			() => `last status: ${last}\nworker:\n${this.worker?.log.join('').slice(-2000)}`,
		);
		return await this.readExecution(executionId);
	}

	async stop(): Promise<void> {
		// The workers first: they would otherwise log lost connections while the main shuts down.
		for (const worker of this.workers) await worker.stop();
		await this.main?.stop();
		await this.n8nDb?.end();
		await Promise.all([this.redis?.stop(), this.postgres.stop()]);
	}
}
