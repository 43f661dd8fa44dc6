/**
 * The HITL Store credential's test, shared by every node that offers the credential: it opens the
 * store the same way the node will (creating or migrating the schema) and says where it is.
 */
import type { ICredentialsDecrypted, ICredentialTestFunctions, INodeCredentialTestResult } from 'n8n-workflow';

import { storeConfigFromCredential } from './config';
import { openHitlStore } from './index';

export async function hitlStoreTest(
	this: ICredentialTestFunctions,
	credential: ICredentialsDecrypted,
): Promise<INodeCredentialTestResult> {
	try {
		const store = await openHitlStore(storeConfigFromCredential(credential.data as Record<string, unknown>));
		try {
			return { status: 'OK', message: `Connected to ${store.location} (schema version ${await store.schemaVersion()})` };
		} finally {
			await store.close();
		}
	} catch (error) {
		return { status: 'Error', message: error instanceof Error ? error.message : String(error) };
	}
}
