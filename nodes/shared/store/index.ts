/**
 * Opening the HITL store. The interface is in ./types (the contract other nodes code against).
 */
import { defaultEmbeddedPath } from './config';
import { PostgresDriver } from './postgresDriver';
import { SqlHitlStore } from './sqlHitlStore';
import { SqliteDriver } from './sqliteDriver';
import type { HitlStore, StoreConfig } from './types';

export * from './types';
export { defaultEmbeddedPath, storeConfigFromCredential, StoreConfigError } from './config';
export { EmbeddedStoreUnavailableError } from './sqliteDriver';

/** Opens (creating or migrating the schema) a store; the caller closes it. */
export async function openHitlStore(config: StoreConfig): Promise<HitlStore> {
	if (config.backend === 'embedded') {
		const filePath = config.filePath || defaultEmbeddedPath();
		const driver = new SqliteDriver({ filePath, busyTimeoutMs: config.busyTimeoutMs ?? 10_000 });
		return SqlHitlStore.open(driver, 'embedded', `sqlite:${filePath}`);
	}
	const driver = new PostgresDriver(config);
	const location = `postgres://${config.user}@${config.host}:${config.port}/${config.database}`;
	try {
		return await SqlHitlStore.open(driver, 'postgres', location);
	} catch (error) {
		const message = error instanceof Error ? error.message : String(error);
		// eslint-disable-next-line @n8n/community-nodes/require-node-api-error -- store core has no node; the node shell wraps it in a NodeOperationError
		throw new Error(`Cannot open the HITL store at ${location}: ${message}`, { cause: error });
	}
}

const shared = new Map<string, Promise<HitlStore>>();

/**
 * One store per configuration per process, kept open across executions: a PostgreSQL pool (or a
 * SQLite handle with its page cache) is worth reusing, and opening one per execution costs a
 * connection and a schema check each time. Callers must not close it; `closeSharedHitlStores`
 * does, and runs by itself when n8n stops (see closeWhenProcessStops).
 */
export function sharedHitlStore(config: StoreConfig): Promise<HitlStore> {
	const key = JSON.stringify(config);
	let store = shared.get(key);
	if (!store) {
		closeWhenProcessStops();
		store = openHitlStore(config);
		shared.set(key, store);
		store.catch(() => shared.delete(key));
	}
	return store;
}

export async function closeSharedHitlStores(): Promise<void> {
	const stores = [...shared.values()];
	shared.clear();
	await Promise.all(stores.map(async (store) => (await store.catch(() => undefined))?.close()));
}

let stopHooked = false;

/**
 * Closes the shared stores when the process stops: on SIGTERM / SIGINT (how n8n is stopped; it
 * runs its own shutdown meanwhile) and when the event loop runs dry. A PostgreSQL pool then says
 * goodbye to the server instead of leaving its sessions to time out, and SQLite checkpoints its
 * write-ahead log into the file. Where nothing else listens for the signal (a plain Node script),
 * the signal is raised again after closing, so the process still ends as it would have.
 */
function closeWhenProcessStops(): void {
	if (stopHooked) return;
	stopHooked = true;
	for (const signal of ['SIGTERM', 'SIGINT'] as const) {
		process.once(signal, () => {
			const alone = process.listenerCount(signal) === 0;
			void closeSharedHitlStores()
				.catch(() => undefined)
				.finally(() => {
					if (alone) process.kill(process.pid, signal);
				});
		});
	}
	process.once('beforeExit', () => void closeSharedHitlStores().catch(() => undefined));
}
