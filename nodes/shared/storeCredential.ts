/**
 * The store a node works with: its HITL Store credential when one is chosen, else the embedded
 * default in the n8n user folder, so the nodes that read or write decisions work out of the box.
 */
import { NodeOperationError, type IExecuteFunctions, type INode } from 'n8n-workflow';

import { storeConfigFromCredential, type StoreConfig } from './store';

export const STORE_CREDENTIAL = 'hitlStore';

export async function nodeStoreConfig(context: IExecuteFunctions): Promise<StoreConfig> {
	const data = context.getNode().credentials?.[STORE_CREDENTIAL] ? await context.getCredentials(STORE_CREDENTIAL) : undefined;
	return storeConfigFromCredential(data as Record<string, unknown> | undefined);
}

/**
 * The error for a store that cannot be opened. The low-level cause (say `connect ECONNREFUSED
 * 127.0.0.1:5432`) goes into the description: n8n replaces a message that contains such a code
 * with a generic sentence ("The service refused the connection"), which would hide which store
 * and what to fix.
 */
export function storeOpenError(node: INode, error: unknown, hint: string): NodeOperationError {
	const cause = error instanceof Error ? error.message : String(error);
	return new NodeOperationError(node, 'The HITL store cannot be opened', { description: `${cause}. ${hint}` });
}
