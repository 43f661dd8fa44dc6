/**
 * The HITL Store credential's test, shared by every node that offers the credential: it opens the
 * store the same way the node will (creating or migrating the schema) and says where it is — or,
 * when that fails, where it tried, what answered, and what to change in the credential.
 */
import type { ICredentialsDecrypted, ICredentialTestFunctions, INodeCredentialTestResult } from 'n8n-workflow';

import { connectionErrorText, explainConnectionError } from '../explainConnectionError';
import { StoreConfigError, storeConfigFromCredential } from './config';
import { EmbeddedStoreUnavailableError, openHitlStore } from './index';
import type { PostgresStoreConfig, StoreConfig } from './types';

export async function hitlStoreTest(
	this: ICredentialTestFunctions,
	credential: ICredentialsDecrypted,
): Promise<INodeCredentialTestResult> {
	let config: StoreConfig;
	try {
		config = storeConfigFromCredential(credential.data as Record<string, unknown>);
	} catch (error) {
		return { status: 'Error', message: error instanceof Error ? error.message : String(error) };
	}
	try {
		const store = await openHitlStore(config);
		try {
			return { status: 'OK', message: `Connected to ${store.location} (schema version ${await store.schemaVersion()})` };
		} finally {
			await store.close();
		}
	} catch (error) {
		return { status: 'Error', message: explainStoreFailure(config, error) };
	}
}

/** PostgreSQL's SQLSTATE of a failure (pg puts it on the error `openHitlStore` wraps). */
function sqlState(error: unknown): string | undefined {
	for (let current = error, depth = 0; current && typeof current === 'object' && depth < 5; depth++) {
		const code = (current as { code?: unknown }).code;
		if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
		current = (current as { cause?: unknown }).cause;
	}
	return undefined;
}

function explainPostgresFailure(config: PostgresStoreConfig, error: unknown): string {
	const where = `PostgreSQL at ${config.host}:${config.port}`;
	const said = connectionErrorText(error);
	const serverWords = said.replace(/^Cannot open the HITL store at \S+: /, '').split(' / ')[0];
	switch (sqlState(error)) {
		case '28P01':
			return `${where} refused the password of user "${config.user}" (${serverWords}): check User and Password.`;
		case '28000':
			if (/no encryption|SSL off/i.test(said)) {
				return `${where} accepts only encrypted connections (${serverWords}): set SSL to "Require".`;
			}
			return `${where} does not let user "${config.user}" in (${serverWords}): check User, or the server's pg_hba.conf.`;
		case '3D000':
			return `${where} has no database "${config.database}" (${serverWords}): create it (CREATE DATABASE ${config.database}) or correct Database.`;
		case '42501':
			return `${where}: user "${config.user}" may not create the store's tables in "${config.database}" (${serverWords}): grant it CREATE on the schema, or use a user that owns the database.`;
		default:
			break;
	}
	if (/does not support SSL/i.test(said)) {
		return `${where} does not speak SSL (${serverWords}): set SSL to "Disable", or enable SSL on the server.`;
	}
	const explained = explainConnectionError(error, {
		server: 'PostgreSQL',
		host: config.host,
		port: config.port,
		tls: config.ssl !== false,
		field: 'Host and Port (PostgreSQL listens on 5432 by default)',
		plainInstead: 'set SSL to "Disable"',
		tlsInstead: 'set SSL to "Require"',
	});
	if (explained) {
		// A self-signed certificate has its own choice in this credential.
		const selfSigned = /SELF_SIGNED/.test(explained) ? ' Or choose SSL "Require (Allow Self-Signed Certificate)".' : '';
		return `${where}: ${explained}${selfSigned}`;
	}
	return said;
}

/** The message for a store that would not open: where it tried, what answered, what to change. */
export function explainStoreFailure(config: StoreConfig, error: unknown): string {
	if (error instanceof StoreConfigError || error instanceof EmbeddedStoreUnavailableError) return error.message;
	if (config.backend === 'postgres') return explainPostgresFailure(config, error);
	const said = connectionErrorText(error);
	if (/unable to open database file|ENOENT|ENOTDIR|EEXIST|EACCES|EROFS|EPERM|readonly/i.test(said)) {
		return `Cannot create or open the SQLite file ${config.filePath} (${said}): its folder must exist and be writable by the user n8n runs as. Correct File Path, or leave it empty for hitl.sqlite in the n8n user folder.`;
	}
	return `Cannot open the SQLite file ${config.filePath}: ${said}`;
}
