import type { ICredentialType, INodeProperties } from 'n8n-workflow';

/**
 * The key of the personal reviewer links of the Human Approval Wait node. Each named reviewer's
 * link carries an HMAC of (execution, node, reviewer) under this secret; reviewers never see it,
 * so one reviewer's link cannot be turned into another's. Changing it invalidates the links of
 * reviews that are waiting.
 */
// Tested by Human Approval Wait (`testedBy` in nodes/HumanApprovalWait/v1/): the lint rule reads only
// the node files package.json lists, not a VersionedNodeType's version classes, so it cannot see it.
// test/workflow/packageManifest.test.ts checks every credential's test on the loaded node versions.
// eslint-disable-next-line @n8n/community-nodes/credential-test-required
export class HitlReviewSecretApi implements ICredentialType {
	name = 'hitlReviewSecretApi';

	displayName = 'HITL Review Secret API';

	icon = 'file:hitlReviewSecret.svg' as const;

	// eslint-disable-next-line n8n-nodes-base/cred-class-field-documentation-url-miscased -- a URL with an anchor, not a main-repo doc slug
	documentationUrl = 'https://github.com/n8n-nodes-hitl/n8n-nodes-hitl/blob/main/nodes/HumanApprovalWait/README.md';

	properties: INodeProperties[] = [
		{
			displayName: 'Secret',
			name: 'secret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			hint: 'At least 32 random characters, e.g. the output of "openssl rand -base64 32"',
			description: 'Signs the personal review links. Keep it private; changing it invalidates links of waiting reviews.',
		},
	];
}
