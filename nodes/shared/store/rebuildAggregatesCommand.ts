/**
 * The rebuild command for the maintained aggregates, after a restore of the decision tables from
 * a backup (or a hand edit of decisions): recomputes them from the decision rows in one
 * transaction. Run it where the package is installed (every n8n process may keep recording
 * meanwhile: the rebuild's transaction is atomic, and recordings wait for it):
 *
 *   node <package>/dist/nodes/shared/store/rebuildAggregatesCommand.js --file ~/.n8n/hitl.sqlite
 *   PGPASSWORD=… node <package>/dist/nodes/shared/store/rebuildAggregatesCommand.js \
 *     --postgres 'postgres://user@host:5432/n8n_hitl' [--ssl=require|allowUnauthorized]
 */
import { openHitlStore } from './index';
import type { StoreConfig } from './types';

export function commandConfig(args: readonly string[], env: NodeJS.ProcessEnv): StoreConfig {
	const value = (name: string) => {
		const index = args.findIndex((arg) => arg === `--${name}` || arg.startsWith(`--${name}=`));
		if (index < 0) return undefined;
		return args[index].includes('=') ? args[index].slice(args[index].indexOf('=') + 1) : args[index + 1];
	};
	const file = value('file');
	if (file) return { backend: 'embedded', filePath: file };
	const url = value('postgres');
	if (!url) throw new Error('Say which store: --file <path of hitl.sqlite> or --postgres postgres://user@host:port/database');
	const parsed = new URL(url);
	const ssl = value('ssl');
	return {
		backend: 'postgres',
		host: parsed.hostname,
		port: Number(parsed.port || 5432),
		database: decodeURIComponent(parsed.pathname.slice(1)),
		user: decodeURIComponent(parsed.username),
		password: parsed.password ? decodeURIComponent(parsed.password) : env.PGPASSWORD,
		ssl: ssl === 'require' ? true : ssl === 'allowUnauthorized' ? 'allowUnauthorized' : false,
	};
}

export async function rebuildAggregatesCommand(args: readonly string[], env: NodeJS.ProcessEnv): Promise<string> {
	const store = await openHitlStore(commandConfig(args, env));
	try {
		const counted = await store.rebuildAggregates();
		return `Rebuilt the HITL store's aggregates at ${store.location} from ${counted} decisions.`;
	} finally {
		await store.close();
	}
}

if (require.main === module) {
	rebuildAggregatesCommand(process.argv.slice(2), process.env).then(
		(message) => console.log(message),
		(error: unknown) => {
			console.error(error instanceof Error ? error.message : String(error));
			process.exitCode = 1;
		},
	);
}
