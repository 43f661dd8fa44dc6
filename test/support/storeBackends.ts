/**
 * A HITL store contract test's fixture, for one back end: fresh stores (a new SQLite file or a new
 * PostgreSQL database each time), opened with their own connections and closed after the suite.
 * Call it inside `describe.each(['embedded', 'postgres'])`; it registers its own beforeAll/afterAll.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { openHitlStore, type HitlStore, type StoreConfig } from '../../nodes/shared/store';
import { startPostgres, type TestPostgres } from './postgres';

export interface StoreFixture {
	/** A store config nobody has used yet. */
	freshConfig(): Promise<StoreConfig>;
	/** A store on that config with its own connections (as another n8n process would have). */
	open(config: StoreConfig): Promise<HitlStore>;
}

export function storeFixture(backend: 'embedded' | 'postgres', name: string): StoreFixture {
	let dir = '';
	let postgres: TestPostgres | undefined;
	let counter = 0;
	const opened: HitlStore[] = [];

	beforeAll(async () => {
		dir = mkdtempSync(join(tmpdir(), `hitl-${name}-store-`));
		if (backend === 'postgres') postgres = await startPostgres();
	});
	afterAll(async () => {
		await Promise.all(opened.map((store) => store.close().catch(() => undefined)));
		await postgres?.stop();
		rmSync(dir, { recursive: true, force: true });
	});

	return {
		async freshConfig() {
			if (backend === 'embedded') return { backend: 'embedded', filePath: join(dir, `${name}-${++counter}.sqlite`) };
			return postgres!.createDatabase(`hitl_${name}_${process.pid}_${++counter}`);
		},
		async open(config) {
			const store = await openHitlStore(config);
			opened.push(store);
			return store;
		},
	};
}
