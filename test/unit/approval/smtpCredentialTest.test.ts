/**
 * The HITL SMTP credential's "Test" against real listeners on loopback (the `smtp-server`
 * package, a closed port): each failure names the server's address, what happened and what to
 * change in the credential.
 */
import type { ICredentialsDecrypted, ICredentialTestFunctions } from 'n8n-workflow';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';

import { credentialTests } from '../../../nodes/HumanApprovalWait/credentialTests';
import { closedPort, selfSignedCertificate } from '../../support/loopbackListeners';

const servers: SMTPServer[] = [];

async function smtpServer(options: SMTPServerOptions): Promise<number> {
	const server = new SMTPServer({ logger: false, ...options });
	servers.push(server);
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
	return (server as unknown as { server: { address(): { port: number } } }).server.address().port;
}

afterAll(async () => {
	await Promise.all(servers.map(async (server) => await new Promise<void>((resolve) => server.close(() => resolve()))));
});

const testSmtp = async (data: Record<string, unknown>) =>
	await credentialTests.hitlSmtpTest.call({} as ICredentialTestFunctions, { id: '1', name: 'smtp', type: 'hitlSmtpApi', data } as ICredentialsDecrypted);

/** A plain server that lets in only user "ops" with password "right". */
const withLogin: SMTPServerOptions = {
	disabledCommands: ['STARTTLS'],
	authOptional: false,
	onAuth(auth, _session, callback) {
		if (auth.username === 'ops' && auth.password === 'right') return callback(null, { user: 'ops' });
		return callback(new Error('Authentication credentials invalid'));
	},
};

test('the right server and login: OK, naming both', async () => {
	const port = await smtpServer(withLogin);
	expect(await testSmtp({ host: '127.0.0.1', port, secure: false, user: 'ops', password: 'right' })).toEqual({
		status: 'OK',
		message: `Connected to 127.0.0.1:${port} and logged in as ops`,
	});
});

test('a wrong password: the refusal in the server\'s words, and to check User and Password', async () => {
	const port = await smtpServer(withLogin);
	const result = await testSmtp({ host: '127.0.0.1', port, secure: false, user: 'ops', password: 'wrong' });
	expect(result.status).toBe('Error');
	expect(result.message).toMatch(new RegExp(`^The mail server at 127\\.0\\.0\\.1:${port} refused the login of "ops" \\(535 Authentication credentials invalid\\): check User and Password`));
});

test('a port where nothing listens: connection refused, check Host and Port', async () => {
	const port = await closedPort();
	const result = await testSmtp({ host: '127.0.0.1', port, secure: false });
	expect(result.message).toMatch(new RegExp(`^Mail server 127\\.0\\.0\\.1:${port}: Nothing accepts connections at 127\\.0\\.0\\.1:${port} \\(connection refused\\)`));
	expect(result.message).toContain('Check Host and Port');
});

test('SSL/TLS on against a plain server: it does not speak TLS, switch SSL/TLS off', async () => {
	const port = await smtpServer({ disabledCommands: ['STARTTLS', 'AUTH'], authOptional: true });
	const result = await testSmtp({ host: '127.0.0.1', port, secure: true });
	expect(result.status).toBe('Error');
	expect(result.message).toContain(`127.0.0.1:${port} does not speak TLS`);
	expect(result.message).toContain('switch SSL/TLS off');
});

test('STARTTLS with a self-signed certificate: not trusted, and how to trust it', async () => {
	const port = await smtpServer({ ...selfSignedCertificate(), authOptional: true, disabledCommands: ['AUTH'] });
	const result = await testSmtp({ host: '127.0.0.1', port, secure: false });
	expect(result.status).toBe('Error');
	expect(result.message).toContain(`The TLS certificate of 127.0.0.1:${port} is not trusted`);
	expect(result.message).toContain('NODE_EXTRA_CA_CERTS');
});
