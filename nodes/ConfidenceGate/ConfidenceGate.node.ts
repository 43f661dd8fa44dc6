/**
 * The Confidence Gate as n8n loads it: a VersionedNodeType, so that a change of its outputs or of
 * a parameter's meaning becomes a new version while saved workflows keep the version they were
 * saved with (issue 13). Versions 1 and 2 are one implementation today (v1/ConfidenceGateV1.node.ts);
 * the output order Auto, Review, Block is the contract with saved workflows.
 */
import type { INodeTypeBaseDescription, IVersionedNodeType } from 'n8n-workflow';

import { HitlVersionedNodeType } from '../shared/versionedNode';
import { ConfidenceGateV1 } from './v1/ConfidenceGateV1.node';

export class ConfidenceGate extends HitlVersionedNodeType {
	constructor() {
		const baseDescription: INodeTypeBaseDescription = {
			displayName: 'Confidence Gate',
			name: 'confidenceGate',
			icon: { light: 'file:confidenceGate.svg', dark: 'file:confidenceGate.dark.svg' },
			group: ['transform'],
			subtitle: '={{"auto at ≥ " + $parameter["threshold"]}}',
			description: 'Route each item to Auto, Review or Block by confidence, compliance findings and your rules',
			defaultVersion: 2,
		};
		const current = new ConfidenceGateV1(baseDescription);
		const nodeVersions: IVersionedNodeType['nodeVersions'] = { 1: current, 2: current };
		super(nodeVersions, baseDescription);
	}
}
