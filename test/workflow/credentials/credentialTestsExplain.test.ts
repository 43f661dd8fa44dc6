/**
 * Issue 11, defect 9: a credential test must say what to fix. Two cases were handled in code but
 * never tested; here they run as n8n runs them — the credential test method of the compiled node
 * that declares `testedBy` — against real servers on loopback:
 * - a HITL Store credential for PostgreSQL with a wrong password (a server that asks for one);
 * - a HITL SMTP credential for a server that speaks TLS from the first byte (port 465 style)
 *   with SSL/TLS off.
 */
import type { Server } from 'node:net';

import { Client } from 'pg';
import { SMTPServer } from 'smtp-server';
import type {
	ICredentialsDecrypted,
	ICredentialTestFunctions,
	INodeCredentialTestResult,
	INodeType,
	IVersionedNodeType,
} from 'n8n-workflow';

import { startPostgres, type TestPostgres } from '../../support/postgres';
import { selfSignedCertificate } from '../../support/loopbackListeners';
import { loadPackageNodes } from '../../support/packageNodes';

jest.setTimeout(180_000);

type CredentialTest = (this: ICredentialTestFunctions, credential: ICredentialsDecrypted) => Promise<INodeCredentialTestResult>;

/** The credential test a node offers, as n8n finds it: on the node (its current version, when versioned). */
function credentialTestOf(nodeType: string, testName: string): CredentialTest {
	const node = loadPackageNodes().get(nodeType) as INodeType | IVersionedNodeType | undefined;
	if (!node) throw new Error(`The package has no node ${nodeType}`);
	const current = 'nodeVersions' in node ? node.getNodeType() : node;
	const test = current.methods?.credentialTest?.[testName];
	if (!test) throw new Error(`${nodeType} offers no credential test ${testName}`);
	return test as CredentialTest;
}

const runTest = async (test: CredentialTest, type: string, data: Record<string, unknown>) =>
	await test.call({} as ICredentialTestFunctions, { id: '1', name: type, type, data } as ICredentialsDecrypted);

describe('HITL Store credential (Feedback Log\'s test) against a PostgreSQL that asks for a password', () => {
	let postgres: TestPostgres;
	const user = 'hitl_writer';
	const database = 'hitl_writer_store';

	beforeAll(async () => {
		postgres = await startPostgres();
		const admin = new Client({ connectionString: postgres.url });
		await admin.connect();
		try {
			await admin.query(`CREATE ROLE ${user} LOGIN PASSWORD 'right-password'`);
			// Its own database: it may create the store's tables there.
			await admin.query(`CREATE DATABASE ${database} OWNER ${user}`);
			// The throw-away server trusts every loopback login; make it ask for passwords from
			// every user but the superuser the test set-up uses, as a production server does.
			const hbaFile = (await admin.query<{ hba_file: string }>('SHOW hba_file')).rows[0].hba_file;
			const rules = ['local all all trust', 'host all postgres 127.0.0.1/32 trust', 'host all all 127.0.0.1/32 scram-sha-256'];
			const quote = (text: string) => `'${text.replace(/'/g, "''")}'`;
			await admin.query(`COPY (SELECT unnest(ARRAY[${rules.map(quote).join(', ')}])) TO ${quote(hbaFile)}`);
			await admin.query('SELECT pg_reload_conf()');
		} finally {
			await admin.end();
		}
		// The reload is asynchronous: wait until a wrong password is refused (a bounded number of tries).
		for (let attempt = 0; ; attempt++) {
			const probe = new Client({ host: postgres.config.host, port: postgres.config.port, database: 'postgres', user, password: 'wrong' });
			const refused = await probe.connect().then(
				async () => {
					await probe.end();
					return false;
				},
				() => true,
			);
			if (refused) break;
			if (attempt > 50) throw new Error('PostgreSQL kept accepting a wrong password after pg_reload_conf()');
			await new Promise((resolve) => setTimeout(resolve, 100));
		}
	}, 300_000);

	afterAll(async () => {
		await postgres?.stop();
	});

	const credential = (password: string) => ({
		backend: 'postgres',
		host: postgres.config.host,
		port: postgres.config.port,
		database,
		user,
		password,
		ssl: 'disable',
	});

	test('the right password: OK (the server really checks it)', async () => {
		const result = await runTest(credentialTestOf('n8n-nodes-hitl.feedbackLog', 'hitlStoreTest'), 'hitlStore', credential('right-password'));
		expect(result.status).toBe('OK');
	});

	test('a wrong password: which server refused which user, in the server\'s words, and to check User and Password', async () => {
		const result = await runTest(credentialTestOf('n8n-nodes-hitl.feedbackLog', 'hitlStoreTest'), 'hitlStore', credential('wrong-password'));
		expect(result).toEqual({
			status: 'Error',
			message: `PostgreSQL at ${postgres.config.host}:${postgres.config.port} refused the password of user "${user}" (password authentication failed for user "${user}"): check User and Password.`,
		});
	});
});

describe('HITL SMTP credential (Human Approval Wait\'s test) against a server that speaks TLS from the first byte', () => {
	let server: SMTPServer;
	let port: number;

	beforeAll(async () => {
		// Port 465 style ("implicit TLS"): the server waits for a TLS handshake, the client for a greeting.
		server = new SMTPServer({ logger: false, secure: true, authOptional: true, ...selfSignedCertificate() });
		// The client leaves without a handshake; the server reports that as an error event, expected here.
		server.on('error', () => {});
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
		port = ((server as unknown as { server: Server }).server.address() as { port: number }).port;
	});

	afterAll(async () => {
		await new Promise<void>((resolve) => server.close(() => resolve()));
	});

	test('SSL/TLS off: no SMTP greeting, it probably expects TLS, switch SSL/TLS on', async () => {
		const result = await runTest(credentialTestOf('n8n-nodes-hitl.humanApprovalWait', 'hitlSmtpTest'), 'hitlSmtpApi', {
			host: '127.0.0.1',
			port,
			secure: false,
		});
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(new RegExp(`^The mail server at 127\\.0\\.0\\.1:${port} sent no SMTP greeting \\(.*\\): it probably expects TLS from the first byte \\(port 465\\): switch SSL/TLS on\\.$`));
	});
});
