import type { INodeTypeBaseDescription, IVersionedNodeType } from 'n8n-workflow';

import { HitlVersionedNodeType } from '../shared/versionedNode';
import { FeedbackLogV1 } from './v1/FeedbackLogV1.node';

/**
 * The node as n8n loads it: one entry per version, so that a later change of its outputs or of a
 * parameter's meaning becomes version 2 while workflows saved with version 1 keep running on it
 * (as n8n's own Airtable node). The panel shows the default version for a new node. Icons and the
 * codex file stay beside this file, where n8n looks for them (for every version).
 */
export class FeedbackLog extends HitlVersionedNodeType {
	constructor() {
		const baseDescription: INodeTypeBaseDescription = {
			displayName: 'Feedback Log',
			name: 'feedbackLog',
			icon: { light: 'file:feedbackLog.svg', dark: 'file:feedbackLog.dark.svg' },
			group: ['output'],
			subtitle: '={{$parameter["operation"]}}',
			description: 'Record every human and automatic decision; report oversight metrics, calibration and training data',
			defaultVersion: 1,
		};
		const nodeVersions: IVersionedNodeType['nodeVersions'] = { 1: new FeedbackLogV1(baseDescription) };
		super(nodeVersions, baseDescription);
	}
}
