/**
 * Imports credentials into a running e2e n8n with n8n's own CLI (`import:credentials`), which
 * encrypts plain data with the instance key — the way an admin would provision them.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

import type { N8nServer } from '../n8nServer';

const CACHE = process.env.HITL_CACHE ?? path.join(process.env.HOME ?? tmpdir(), '.cache', 'n8n-nodes-hitl');
const N8N_BIN = path.join(CACHE, `n8n-${process.env.HITL_N8N_VERSION ?? '2.40.7'}`, 'node_modules', 'n8n', 'bin', 'n8n');

export interface CredentialFile {
	id: string;
	name: string;
	type: string;
	data: Record<string, unknown>;
}

export async function importCredentials(server: N8nServer, credentials: CredentialFile[]): Promise<void> {
	const folder = mkdtempSync(path.join(tmpdir(), 'hitl-creds-'));
	try {
		const file = path.join(folder, 'credentials.json');
		writeFileSync(file, JSON.stringify(credentials));
		const { stdout, stderr } = await promisify(execFile)(process.execPath, [N8N_BIN, 'import:credentials', `--input=${file}`], {
			env: {
				...process.env,
				N8N_USER_FOLDER: server.userFolder,
				N8N_ENCRYPTION_KEY: 'hitl-e2e-encryption-key-not-secret',
				N8N_DIAGNOSTICS_ENABLED: 'false',
				// As the server runs: under jest's NODE_ENV=test the CLI would use another database.
				NODE_ENV: 'production',
				N8N_LOG_LEVEL: 'info',
			},
			timeout: 120_000,
		});
		// The CLI logs a failure and still exits 0.
		if (!/Successfully imported/.test(stdout + stderr)) {
			throw new Error(`n8n import:credentials failed:\n${(stdout + stderr).slice(-3000)}`);
		}
	} finally {
		rmSync(folder, { recursive: true, force: true });
	}
}
