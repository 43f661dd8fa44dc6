/**
 * The base of this package's versioned nodes: n8n's VersionedNodeType, plus the default version's
 * credential list and methods on the node itself.
 *
 * Why: n8n's credential tester (2.40, credentials-tester.service) finds a versioned node's
 * `testedBy` function only when the node is an `instanceof` *its own* n8n-workflow's
 * VersionedNodeType. A community package gets its own copy of n8n-workflow (npm installs the peer
 * dependency beside it), so the check fails and n8n reads `description.credentials` and `methods`
 * of the node object itself — which a plain VersionedNodeType does not have, and the credential's
 * Test button would find no test. Everything else in n8n looks versions up by `nodeVersions`.
 */
import {
	VersionedNodeType,
	type INodeType,
	type INodeTypeBaseDescription,
	type INodeTypeDescription,
	type IVersionedNodeType,
} from 'n8n-workflow';

export class HitlVersionedNodeType extends VersionedNodeType {
	methods: INodeType['methods'];

	constructor(nodeVersions: IVersionedNodeType['nodeVersions'], baseDescription: INodeTypeBaseDescription) {
		super(nodeVersions, baseDescription);
		const current = this.getNodeType();
		this.methods = current.methods;
		const credentials = current.description.credentials;
		if (credentials) (this.description as INodeTypeBaseDescription & Pick<INodeTypeDescription, 'credentials'>).credentials = credentials;
	}
}
