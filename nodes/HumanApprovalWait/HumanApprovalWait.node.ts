/**
 * Human Approval Wait, as n8n's VersionedNodeType (the pattern of n8n's Airtable node): each
 * version's description and shell live in `v<N>/`, the review core at this folder's root is
 * shared by all of them. A saved workflow keeps the `typeVersion` it was built with, so a later
 * change of outputs or of a parameter's meaning becomes version 2 beside version 1.
 *
 * n8n loads this file (package.json lists it): the class name must equal the file's base name,
 * and the codex (HumanApprovalWait.node.json) and icons are found beside it.
 */
import { VersionedNodeType, type INodeTypeBaseDescription, type IVersionedNodeType } from 'n8n-workflow';

import { NODE_ICON } from './description';
import { HumanApprovalWaitV1 } from './v1/HumanApprovalWaitV1.node';

export class HumanApprovalWait extends VersionedNodeType {
	constructor() {
		const baseDescription: INodeTypeBaseDescription = {
			displayName: 'Human Approval Wait',
			name: 'humanApprovalWait',
			icon: NODE_ICON,
			group: ['transform'],
			description: 'Pause until people approve, edit, reject or escalate each item on a web form',
			defaultVersion: 1,
		};
		const nodeVersions: IVersionedNodeType['nodeVersions'] = {
			1: new HumanApprovalWaitV1(baseDescription),
		};
		super(nodeVersions, baseDescription);
	}
}
