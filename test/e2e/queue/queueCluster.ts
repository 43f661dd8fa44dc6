/**
 * n8n in queue mode, as a scaled installation runs it: one main process (editor, webhooks,
 * /form-waiting) and one `n8n worker`, sharing n8n's database on a real PostgreSQL and the Bull
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
	worker?: N8nServer;
	redis?: TestRedis;
	/** n8n's own database. */
	private n8nDb?: Pool;

	private constructor(readonly postgres: TestPostgres) {}

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
			};
			const credentials = options.credentials ? await options.credentials(postgres) : undefined;
			// The main process runs n8n's migrations, so the worker starts once it is up.
			cluster.main = await N8nServer.start({ workflows: options.workflows, credentials, env, waitForWebhooks: false });
			await cluster.waitForWebhooks(options.workflows.filter((workflow) => workflow.active).map((workflow) => workflow.id));
			// The worker evaluates $execution.resumeUrl / resumeFormUrl: they must point at the main
			// process, which serves /webhook-waiting and /form-waiting (as WEBHOOK_URL does in production).
			const publicUrl = `${cluster.main.baseUrl}/`;
			cluster.worker = await N8nServer.start({
				workflows: [],
				role: 'worker',
				env: { ...env, N8N_WEBHOOK_URL: publicUrl, N8N_EDITOR_BASE_URL: publicUrl },
			});
			return cluster;
		} catch (error) {
			await cluster.stop();
			throw error;
		}
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
		// The worker first: it would otherwise log lost connections while the main shuts down.
		await this.worker?.stop();
		await this.main?.stop();
		await this.n8nDb?.end();
		await Promise.all([this.redis?.stop(), this.postgres.stop()]);
	}
}
