/**
 * A real Redis server for one jest test file, started by scripts/ensure-redis.sh (which installs
 * Debian's redis-server when missing). Call `startRedis()` in `beforeAll` and `stop()` in
 * `afterAll`; the script also watches this process, so a crashed run leaves no server behind.
 */
import { startScriptServer } from './scriptServer';

export interface TestRedis {
	url: string;
	host: string;
	port: number;
	stop(): Promise<void>;
}

export async function startRedis(): Promise<TestRedis> {
	const server = await startScriptServer('ensure-redis.sh', 'REDIS_DIR');
	const url = server.field('REDIS_URL');
	const parsed = new URL(url);
	return { url, host: parsed.hostname, port: Number(parsed.port), stop: server.stop };
}
