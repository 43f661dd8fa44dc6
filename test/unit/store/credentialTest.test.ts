/**
 * The HITL Store credential's "Test" button: it opens the store the way the nodes will. Failures
 * are tried against real things — a real PostgreSQL on loopback (scripts/ensure-postgres.sh), a
 * port where nothing listens, a file path that cannot be a folder — and each message must say
 * where it tried, what answered, and what to change.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { ICredentialsDecrypted, ICredentialTestFunctions } from 'n8n-workflow';

import { hitlStoreTest } from '../../../nodes/shared/store/credentialTest';
import { startPostgres, type TestPostgres } from '../../support/postgres';
import { closedPort } from '../../support/loopbackListeners';

const test_ = (data: Record<string, unknown>) =>
	hitlStoreTest.call({} as ICredentialTestFunctions, { id: '1', name: 'store', type: 'hitlStore', data } as ICredentialsDecrypted);

let dir: string;
beforeAll(() => {
	dir = mkdtempSync(join(tmpdir(), 'hitl-credential-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('an embedded store: OK, with where it is and its schema version', async () => {
	const filePath = join(dir, 'hitl.sqlite');
	expect(await test_({ backend: 'embedded', filePath })).toEqual({
		status: 'OK',
		message: `Connected to sqlite:${filePath} (schema version 7)`,
	});
});

test('an embedded store whose folder cannot be made: the path, the reason, and to correct File Path', async () => {
	const notAFolder = join(dir, 'a-file');
	writeFileSync(notAFolder, '');
	const filePath = join(notAFolder, 'hitl.sqlite');
	const result = await test_({ backend: 'embedded', filePath });
	expect(result.status).toBe('Error');
	expect(result.message).toMatch(new RegExp(`^Cannot create or open the SQLite file ${filePath} \\(EEXIST: file already exists`));
	expect(result.message).toContain('its folder must exist and be writable by the user n8n runs as. Correct File Path');
});

test('a PostgreSQL credential without a host: an error that says which field', async () => {
	expect(await test_({ backend: 'postgres', host: '', database: 'x', user: 'u' })).toEqual({
		status: 'Error',
		message: 'HITL Store credential: host is empty. Open the credential and fix it.',
	});
});

test('a PostgreSQL port where nothing listens: the address, connection refused, check Host and Port', async () => {
	const port = await closedPort();
	const result = await test_({ backend: 'postgres', host: '127.0.0.1', port, database: 'hitl', user: 'u', ssl: 'disable' });
	expect(result.status).toBe('Error');
	expect(result.message).toMatch(new RegExp(`^PostgreSQL at 127\\.0\\.0\\.1:${port}: Nothing accepts connections at 127\\.0\\.0\\.1:${port} \\(connection refused\\)`));
	expect(result.message).toContain('Check Host and Port');
});

describe('against a real PostgreSQL', () => {
	let postgres: TestPostgres;
	beforeAll(async () => {
		postgres = await startPostgres();
	}, 300_000);
	afterAll(async () => {
		await postgres?.stop();
	});
	const credential = (extra: Record<string, unknown> = {}) => ({
		backend: 'postgres',
		host: postgres.config.host,
		port: postgres.config.port,
		user: postgres.config.user,
		database: postgres.config.database,
		ssl: 'disable',
		...extra,
	});

	test('the right settings: OK, with the location and the schema version', async () => {
		const { database } = await postgres.createDatabase();
		expect(await test_(credential({ database }))).toEqual({
			status: 'OK',
			message: `Connected to postgres://${postgres.config.user}@${postgres.config.host}:${postgres.config.port}/${database} (schema version 7)`,
		});
	});

	test('a database that does not exist: its name, and to create it or correct Database', async () => {
		const result = await test_(credential({ database: 'no_such_hitl_db' }));
		expect(result).toEqual({
			status: 'Error',
			message: `PostgreSQL at ${postgres.config.host}:${postgres.config.port} has no database "no_such_hitl_db" (database "no_such_hitl_db" does not exist): create it (CREATE DATABASE no_such_hitl_db) or correct Database.`,
		});
	});

	test('SSL required of a server without SSL: set SSL to Disable', async () => {
		const result = await test_(credential({ ssl: 'require' }));
		expect(result.status).toBe('Error');
		expect(result.message).toBe(
			`PostgreSQL at ${postgres.config.host}:${postgres.config.port} does not speak SSL (The server does not support SSL connections): set SSL to "Disable", or enable SSL on the server.`,
		);
	});
});
