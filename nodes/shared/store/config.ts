/**
 * From a `HITL Store` credential (or any plain object) to a validated StoreConfig, and the default
 * place of the embedded file: the n8n user folder, where n8n keeps its own SQLite database.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod/v4';

import type { StoreConfig } from './types';

/** `${N8N_USER_FOLDER or ~}/.n8n/hitl.sqlite`, the way n8n resolves its own `.n8n` folder. */
export function defaultEmbeddedPath(env: NodeJS.ProcessEnv = process.env): string {
	return join(env.N8N_USER_FOLDER || homedir(), '.n8n', 'hitl.sqlite');
}

const credentialSchema = z.discriminatedUnion('backend', [
	z.looseObject({
		backend: z.literal('embedded'),
		filePath: z.string().optional(),
	}),
	z.looseObject({
		backend: z.literal('postgres'),
		host: z.string().trim().min(1, 'is empty'),
		port: z.coerce.number().int().min(1).max(65535).default(5432),
		database: z.string().trim().min(1, 'is empty'),
		user: z.string().trim().min(1, 'is empty'),
		password: z.string().optional(),
		ssl: z.enum(['disable', 'require', 'allowUnauthorized']).default('disable'),
		maxConnections: z.coerce.number().int().min(1).max(100).optional(),
	}),
]);

export class StoreConfigError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'StoreConfigError';
	}
}

/**
 * Validates the credential's data. A missing credential means the embedded default, so the
 * Feedback Log works out of the box.
 */
export function storeConfigFromCredential(data: Record<string, unknown> | undefined): StoreConfig {
	if (!data || data.backend === undefined) return { backend: 'embedded', filePath: defaultEmbeddedPath() };
	const parsed = credentialSchema.safeParse(data);
	if (!parsed.success) {
		const issue = parsed.error.issues[0];
		throw new StoreConfigError(
			`HITL Store credential: ${issue.path.join('.') || 'backend'} ${issue.message}. Open the credential and fix it.`,
		);
	}
	const value = parsed.data;
	if (value.backend === 'embedded') {
		const filePath = value.filePath?.trim();
		return { backend: 'embedded', filePath: filePath ? filePath : defaultEmbeddedPath() };
	}
	return {
		backend: 'postgres',
		host: value.host,
		port: value.port,
		database: value.database,
		user: value.user,
		password: value.password,
		ssl: value.ssl === 'disable' ? false : value.ssl === 'require' ? true : 'allowUnauthorized',
		maxConnections: value.maxConnections,
	};
}
