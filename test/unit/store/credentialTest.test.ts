/** The HITL Store credential's "Test" button: it opens the store the way the nodes will. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { ICredentialsDecrypted, ICredentialTestFunctions } from 'n8n-workflow';

import { hitlStoreTest } from '../../../nodes/shared/store/credentialTest';

const test_ = (data: Record<string, unknown>) =>
	hitlStoreTest.call({} as ICredentialTestFunctions, { id: '1', name: 'store', type: 'hitlStore', data } as ICredentialsDecrypted);

test('an embedded store: OK, with where it is and its schema version', async () => {
	const dir = mkdtempSync(join(tmpdir(), 'hitl-credential-'));
	try {
		const filePath = join(dir, 'hitl.sqlite');
		expect(await test_({ backend: 'embedded', filePath })).toEqual({
			status: 'OK',
			message: `Connected to sqlite:${filePath} (schema version 3)`,
		});
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
});

test('a PostgreSQL credential without a host: an error that says which field', async () => {
	expect(await test_({ backend: 'postgres', host: '', database: 'x', user: 'u' })).toEqual({
		status: 'Error',
		message: expect.stringMatching(/^HITL Store credential: host is empty\. Open the credential and fix it\.$/),
	});
});

test('a PostgreSQL server that is not there: an error naming the address', async () => {
	const result = await test_({ backend: 'postgres', host: '127.0.0.1', port: 1, database: 'hitl', user: 'u', ssl: 'disable' });
	expect(result.status).toBe('Error');
	expect(result.message).toMatch(/Cannot open the HITL store at postgres:\/\/u@127\.0\.0\.1:1\/hitl/);
});
