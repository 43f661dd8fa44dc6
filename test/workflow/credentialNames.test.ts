/**
 * Credential names are constants (issue 13, item 5): nodes read their credentials by the constants
 * of nodes/shared/credentialNames.ts; the credential classes and the nodes' descriptions spell the
 * same names as literals (n8n's community-node lint reads them there). Checked on the compiled
 * package, as n8n loads it.
 */
import type { INodeType, INodeTypeDescription, IVersionedNodeType } from 'n8n-workflow';

import {
	HITL_REVIEW_SECRET_CREDENTIAL,
	HITL_SMTP_CREDENTIAL,
	HITL_STORE_CREDENTIAL,
	LLM_API_CREDENTIAL,
} from '../../nodes/shared/credentialNames';
import { listPackageNodes, loadPackageCredentials } from '../support/packageNodes';

const CONSTANTS = [LLM_API_CREDENTIAL, HITL_STORE_CREDENTIAL, HITL_SMTP_CREDENTIAL, HITL_REVIEW_SECRET_CREDENTIAL];

test('the package\'s credential types are exactly the constants', () => {
	expect([...loadPackageCredentials().keys()].sort()).toEqual([...CONSTANTS].sort());
});

/** Every version's description: a versioned node lists its credentials per version. */
function descriptionsOf(node: INodeType | IVersionedNodeType): INodeTypeDescription[] {
	if ('nodeVersions' in node) return Object.values(node.nodeVersions).map((version) => version.description);
	return [node.description];
}

test.each(listPackageNodes().map((entry) => [entry.type, entry.node] as const))(
	'%s asks only for credentials named by the constants',
	(_type, node) => {
		for (const description of descriptionsOf(node)) {
			for (const credential of description.credentials ?? []) expect(CONSTANTS).toContain(credential.name);
		}
	},
);
