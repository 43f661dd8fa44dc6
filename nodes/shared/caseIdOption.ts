/**
 * The "Case ID Field" option every node that can start a case offers: the first node to see an
 * item fixes `hitl.caseId` (from this field, or a generated id) and the later nodes keep it.
 */
import type { INodeProperties } from 'n8n-workflow';

export const caseIdFieldOption: INodeProperties = {
	displayName: 'Case ID Field',
	name: 'caseIdField',
	type: 'string',
	default: '',
	placeholder: 'e.g. ticketId',
	description:
		'Field (dot path) that identifies the case, used when the item has no hitl.caseId yet. Empty: a new ID is generated once and kept by later nodes.',
};
