/**
 * The HITL Review Secret credential's test, shared by every node that signs with it (Human
 * Approval Wait, Review Inbox): it only checks the length, as nothing remote is involved.
 */
import type { ICredentialsDecrypted, ICredentialTestFunctions, INodeCredentialTestResult } from 'n8n-workflow';

import { MIN_REVIEW_SECRET_LENGTH } from './reviewSignatures';

export async function hitlReviewSecretTest(
	this: ICredentialTestFunctions,
	credential: ICredentialsDecrypted,
): Promise<INodeCredentialTestResult> {
	const secret = String(credential.data?.secret ?? '');
	if (secret.length < MIN_REVIEW_SECRET_LENGTH) {
		return { status: 'Error', message: `The secret must have at least ${MIN_REVIEW_SECRET_LENGTH} characters (better 32 random ones)` };
	}
	return { status: 'OK', message: 'The secret can sign review links' };
}
