/**
 * The store a node works with: its HITL Store credential when one is chosen, else the embedded
 * default in the n8n user folder, so the nodes that read or write decisions work out of the box.
 * Every node opens it one way, `openNodeStore`: the process-wide shared store for that credential
 * (one PostgreSQL pool or SQLite handle, reused by every execution, closed when n8n stops).
 */
import { NodeOperationError, type IExecuteFunctions, type IHookFunctions, type INode, type IPollFunctions, type IWebhookFunctions } from 'n8n-workflow';

import { sharedHitlStore, storeConfigFromCredential, type HitlStore, type StoreConfig } from './store';

import { HITL_STORE_CREDENTIAL } from './credentialNames';

// IHookFunctions: the Review Inbox registers itself in the store when n8n activates it.
type StoreContext = IExecuteFunctions | IWebhookFunctions | IPollFunctions | IHookFunctions;

async function nodeStoreConfig(context: StoreContext): Promise<StoreConfig> {
	const data = context.getNode().credentials?.[HITL_STORE_CREDENTIAL] ? await context.getCredentials(HITL_STORE_CREDENTIAL) : undefined;
	return storeConfigFromCredential(data as Record<string, unknown> | undefined);
}

export interface OpenNodeStoreOptions {
	/** What the user should check when the store does not open (appended to the cause). */
	hint: string;
	/**
	 * The node declares the credential required: read it even when none is chosen, so n8n's own
	 * "no credentials set" error names what is missing (rather than falling back to the embedded file).
	 */
	credentialRequired?: boolean;
	/**
	 * Reuse, for this long, the configuration read from the same credential (by id) in this process
	 * instead of reading the credential again; an edit of the credential then takes effect within
	 * this time. For webhooks on the answer path: there n8n 2.40 resolves a credential outside the
	 * execution's expression scope and, with its default expression engine (an isolated-vm pool of
	 * one, already taken by the request), creates a V8 isolate for every credential read, 0.2–0.7 s
	 * on a busy two-core machine (bench/queue).
	 */
	reuseCredentialForMs?: number;
}

/** Store configurations read by openNodeStore with `reuseCredentialForMs`, per credential id. */
const recentConfigs = new Map<string, { config: StoreConfig; until: number }>();

/** The shared store for this node's credential; callers never close it. */
export async function openNodeStore(context: StoreContext, options: OpenNodeStoreOptions): Promise<HitlStore> {
	const credentialId = options.reuseCredentialForMs ? context.getNode().credentials?.[HITL_STORE_CREDENTIAL]?.id : undefined;
	const recent = credentialId ? recentConfigs.get(credentialId) : undefined;
	const reused = recent && recent.until > Date.now() ? recent.config : undefined;
	const required = !reused && options.credentialRequired ? await context.getCredentials(HITL_STORE_CREDENTIAL) : undefined;
	try {
		const config = reused ?? (required ? storeConfigFromCredential(required as Record<string, unknown>) : await nodeStoreConfig(context));
		const store = await sharedHitlStore(config);
		if (credentialId && !reused) recentConfigs.set(credentialId, { config, until: Date.now() + options.reuseCredentialForMs! });
		return store;
	} catch (error) {
		throw storeOpenError(context.getNode(), error, options.hint);
	}
}

/**
 * The error for a store that cannot be opened. The low-level cause (say `connect ECONNREFUSED
 * 127.0.0.1:5432`) goes into the description: n8n replaces a message that contains such a code
 * with a generic sentence ("The service refused the connection"), which would hide which store
 * and what to fix.
 */
function storeOpenError(node: INode, error: unknown, hint: string): NodeOperationError {
	const cause = error instanceof Error ? error.message : String(error);
	return new NodeOperationError(node, 'The HITL store cannot be opened', { description: `${cause}. ${hint}` });
}
