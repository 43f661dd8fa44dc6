/**
 * The support template and the Review inbox template as an admin sets them up, for the e2e tests
 * that run them in a real n8n: the template's nodes get the admin's credentials (LLM API, HITL
 * Store), and the inbox is imported active with one shared address, as `npm start` does — the
 * support template's review links go through it.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

import type { WorkflowFile } from '../n8nServer';

const TEMPLATES = path.resolve(__dirname, '..', '..', '..', 'templates');
export const SUPPORT_TEMPLATE = path.join(TEMPLATES, 'support-reply-with-review.json');

type CredentialRef = { id: string; name: string };

/** The support template, active, with the credentials picked on the nodes that ask for one. */
export function supportTemplateWith(credentials: { llmApi: CredentialRef; hitlStore: CredentialRef }): WorkflowFile {
	const template = JSON.parse(readFileSync(SUPPORT_TEMPLATE, 'utf8')) as WorkflowFile & { nodes: Record<string, unknown>[] };
	for (const node of template.nodes) {
		const picked = node.credentials as Record<string, CredentialRef> | undefined;
		// What the admin does in the editor: pick their credential on the node that asks for one.
		if (picked?.llmApi) picked.llmApi = { id: credentials.llmApi.id, name: credentials.llmApi.name };
		if (picked?.hitlStore) picked.hitlStore = { id: credentials.hitlStore.id, name: credentials.hitlStore.name };
	}
	return { ...template, active: true };
}

/** The "Review inbox" template as `npm start` imports it: active, one shared address. */
export function sharedInboxTemplate(): WorkflowFile {
	const template = JSON.parse(readFileSync(path.join(TEMPLATES, 'review-inbox.json'), 'utf8')) as WorkflowFile & {
		nodes: { type: string; parameters: Record<string, unknown> }[];
	};
	for (const node of template.nodes) if (node.type === 'n8n-nodes-hitl.reviewInbox') node.parameters.access = 'shared';
	return { ...template, active: true };
}
