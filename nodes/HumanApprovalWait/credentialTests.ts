/**
 * The credential tests n8n runs from the credential dialog ("Test" / on save).
 */
import type { ICredentialsDecrypted, ICredentialTestFunctions, INodeCredentialTestResult } from 'n8n-workflow';

import { hitlStoreTest } from '../shared/store/credentialTest';
import { smtpTransport, type SmtpCredential } from './notifyReviewers';

export const MIN_SECRET_LENGTH = 16;

async function hitlSmtpTest(
	this: ICredentialTestFunctions,
	credential: ICredentialsDecrypted,
): Promise<INodeCredentialTestResult> {
	const transport = smtpTransport(credential.data as unknown as SmtpCredential);
	try {
		await transport.verify();
		return { status: 'OK', message: 'Connected and authenticated' };
	} catch (error) {
		return { status: 'Error', message: `Could not connect to the mail server: ${(error as Error).message}` };
	} finally {
		transport.close();
	}
}

async function hitlReviewSecretTest(
	this: ICredentialTestFunctions,
	credential: ICredentialsDecrypted,
): Promise<INodeCredentialTestResult> {
	const secret = String(credential.data?.secret ?? '');
	if (secret.length < MIN_SECRET_LENGTH) {
		return { status: 'Error', message: `The secret must have at least ${MIN_SECRET_LENGTH} characters (better 32 random ones)` };
	}
	return { status: 'OK', message: 'The secret can sign review links' };
}

export const credentialTests = { hitlSmtpTest, hitlReviewSecretTest, hitlStoreTest };
