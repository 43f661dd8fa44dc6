/**
 * The credential tests n8n runs from the credential dialog ("Test" / on save).
 */
import type { ICredentialsDecrypted, ICredentialTestFunctions, INodeCredentialTestResult } from 'n8n-workflow';

import { explainConnectionError } from '../shared/explainConnectionError';
import { hitlStoreTest } from '../shared/store/credentialTest';
import { smtpTransport, type SmtpCredential } from './notifyReviewers';

import { MIN_REVIEW_SECRET_LENGTH } from '../shared/reviewSignatures';
import { hitlReviewSecretTest } from '../shared/reviewSecretTest';

export const MIN_SECRET_LENGTH = MIN_REVIEW_SECRET_LENGTH;

async function hitlSmtpTest(
	this: ICredentialTestFunctions,
	credential: ICredentialsDecrypted,
): Promise<INodeCredentialTestResult> {
	const smtp = credential.data as unknown as SmtpCredential;
	const transport = smtpTransport(smtp);
	try {
		await transport.verify();
		return { status: 'OK', message: `Connected to ${smtp.host}:${smtp.port}${smtp.user ? ` and logged in as ${smtp.user}` : ''}` };
	} catch (error) {
		return { status: 'Error', message: explainSmtpFailure(smtp, error) };
	} finally {
		transport.close();
	}
}

/** What went wrong with the mail server, in the credential's terms (see explainConnectionError). */
export function explainSmtpFailure(smtp: SmtpCredential, error: unknown): string {
	const at = `${smtp.host}:${smtp.port}`;
	const { code, responseCode, response, message } = error as { code?: string; responseCode?: number; response?: string; message?: string };
	const said = (response ?? message ?? '').replace(/\s+/g, ' ').trim();
	if (code === 'EAUTH') {
		if (!smtp.user) return `The mail server at ${at} wants a login (${said}): fill in User and Password.`;
		if (/not supported|no supported auth/i.test(said)) {
			return `The mail server at ${at} offers no login (${said}): leave User and Password empty, or switch on SSL/TLS if it offers a login only over TLS.`;
		}
		return `The mail server at ${at} refused the login of "${smtp.user}" (${said}): check User and Password (some providers want an app password).`;
	}
	// Before the generic connection check, which would call this timeout a firewall: nodemailer
	// reports a server that waits for a TLS handshake (465) as a greeting that never came.
	if (code === 'ETIMEDOUT' && /greeting/i.test(said) && !smtp.secure) {
		return `The mail server at ${at} sent no SMTP greeting (${said}): it probably expects TLS from the first byte (port 465): switch SSL/TLS on.`;
	}
	const explained = explainConnectionError(error, {
		server: 'the mail server',
		host: String(smtp.host),
		port: Number(smtp.port),
		tls: Boolean(smtp.secure),
		field: 'Host and Port (SMTP is usually 465 with SSL/TLS on, 587 or 25 with it off)',
		plainInstead: 'switch SSL/TLS off (the connection then upgrades with STARTTLS where the server offers it)',
		tlsInstead: 'switch SSL/TLS on',
	});
	if (explained) return `Mail server ${at}: ${explained}`;
	if (typeof responseCode === 'number') {
		return `The mail server at ${at} answered ${said}: check Host, Port and Client Host Name.`;
	}
	return `Could not use the mail server at ${at}: ${said || String(error)}. Check Host, Port and SSL/TLS.`;
}

export const credentialTests = { hitlSmtpTest, hitlReviewSecretTest, hitlStoreTest };
