import type { INodeTypeBaseDescription, IVersionedNodeType } from 'n8n-workflow';

import { HitlVersionedNodeType } from '../shared/versionedNode';
import { LLM_DRAFT_SUBTITLE } from './canvasSubtitle';
import { LlmDraftV1 } from './v1/LlmDraftV1.node';

/**
 * The node as n8n loads it: one entry per version, so that a later change of its outputs or of a
 * parameter's meaning becomes version 2 while workflows saved with version 1 keep running on it
 * (as n8n's own Airtable node). The panel shows the default version for a new node. Icons and the
 * codex file stay beside this file, where n8n looks for them (for every version).
 */
export class LlmDraft extends HitlVersionedNodeType {
	constructor() {
		const baseDescription: INodeTypeBaseDescription = {
			displayName: 'LLM Draft',
			name: 'llmDraft',
			icon: { light: 'file:llmDraft.svg', dark: 'file:llmDraft.dark.svg' },
			group: ['transform'],
			subtitle: LLM_DRAFT_SUBTITLE,
			description: 'Draft a reply with an OpenAI-compatible model and score how far to trust it',
			defaultVersion: 1,
		};
		const nodeVersions: IVersionedNodeType['nodeVersions'] = { 1: new LlmDraftV1(baseDescription) };
		super(nodeVersions, baseDescription);
	}
}
