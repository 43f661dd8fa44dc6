import type { INodeTypeBaseDescription, IVersionedNodeType } from 'n8n-workflow';

import { HitlVersionedNodeType } from '../shared/versionedNode';
import { ComplianceCheckV1 } from './v1/ComplianceCheckV1.node';

/**
 * The node as n8n loads it: one entry per version, so that a later change of its outputs or of a
 * parameter's meaning becomes version 2 while workflows saved with version 1 keep running on it
 * (as n8n's own Airtable node). The panel shows the default version for a new node. Icons and the
 * codex file stay beside this file, where n8n looks for them (for every version).
 */
export class ComplianceCheck extends HitlVersionedNodeType {
	constructor() {
		const baseDescription: INodeTypeBaseDescription = {
			displayName: 'Compliance Check',
			name: 'complianceCheck',
			icon: { light: 'file:complianceCheck.svg', dark: 'file:complianceCheck.dark.svg' },
			group: ['transform'],
			subtitle: '={{$parameter["operation"] === "redact" ? "check and redact" : "check"}}',
			description: 'Find PII, missing disclosures and prohibited wording in a text before it is sent; optionally redact it',
			defaultVersion: 1,
		};
		const nodeVersions: IVersionedNodeType['nodeVersions'] = { 1: new ComplianceCheckV1(baseDescription) };
		super(nodeVersions, baseDescription);
	}
}
