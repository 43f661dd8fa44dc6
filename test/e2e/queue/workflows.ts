import type { WorkflowFile } from '../n8nServer';

export const STORE_CREDENTIAL = { id: 'hitlQueueStore01', name: 'HITL store (PostgreSQL)', type: 'hitlStore' };
export const SECRET_CREDENTIAL = { id: 'hitlQueueSecret1', name: 'HITL review secret', type: 'hitlReviewSecretApi' };
export const REVIEW_SECRET = 'queue-e2e-review-secret-0123456789abcdef';

export const APPROVAL_NODE = { id: 'queue-approval', name: 'Human Approval' };
export const LOG_NODE = 'Feedback Log';
export const REVIEWERS = [
	{ name: 'Ann Reviewer', email: 'ann@hitl.test' },
	{ name: 'Bob Reviewer', email: 'bob@hitl.test' },
];

const to = (node: string, index = 0) => ({ node, type: 'main', index });
const store = { hitlStore: { id: STORE_CREDENTIAL.id, name: STORE_CREDENTIAL.name } };

/**
 * Webhook → Split Out (one item per draft) → Confidence Gate → (Review) Respond with the review
 * link → Human Approval Wait (two named reviewers must approve; answers kept in the store) →
 * (Approved) Feedback Log record. Both HITL nodes use one PostgreSQL HITL Store credential.
 */
export const queueReview: WorkflowFile = {
	id: 'hitlE2eQueue0001',
	name: 'HITL e2e: queue mode review',
	active: true,
	nodes: [
		{
			id: 'queue-webhook',
			name: 'Webhook',
			type: 'n8n-nodes-base.webhook',
			typeVersion: 2.1,
			position: [0, 0],
			webhookId: 'hitl-e2e-queue-id',
			parameters: { httpMethod: 'POST', path: 'hitl-e2e-queue', responseMode: 'responseNode', options: {} },
		},
		{
			id: 'queue-split',
			name: 'Split Out',
			type: 'n8n-nodes-base.splitOut',
			typeVersion: 1,
			position: [200, 0],
			parameters: { fieldToSplitOut: 'body.items', options: {} },
		},
		{
			id: 'queue-gate',
			name: 'Confidence Gate',
			type: 'n8n-nodes-hitl.confidenceGate',
			typeVersion: 2,
			position: [400, 0],
			// Adapting reads the PostgreSQL store on the worker, where the gate runs.
			parameters: { threshold: 0.85, adapt: true },
			credentials: store,
		},
		{
			id: 'queue-respond',
			name: 'Respond',
			type: 'n8n-nodes-base.respondToWebhook',
			typeVersion: 1.5,
			position: [600, 0],
			parameters: {
				respondWith: 'json',
				responseBody: '={{ { "reviewUrl": $execution.resumeFormUrl, "executionId": $execution.id, "route": $json.hitl.gate.route } }}',
				options: {},
			},
		},
		{
			id: APPROVAL_NODE.id,
			name: APPROVAL_NODE.name,
			type: 'n8n-nodes-hitl.humanApprovalWait',
			typeVersion: 1,
			position: [800, 0],
			webhookId: 'hitl-e2e-queue-approval',
			parameters: {
				notify: 'none',
				title: 'Review the reply to a customer',
				customerMessageField: 'message',
				reviewerMode: 'named',
				reviewers: { reviewer: REVIEWERS },
				approvalsNeeded: 2,
				useStore: true,
			},
			credentials: { ...store, hitlReviewSecretApi: { id: SECRET_CREDENTIAL.id, name: SECRET_CREDENTIAL.name } },
		},
		{
			id: 'queue-log',
			name: LOG_NODE,
			type: 'n8n-nodes-hitl.feedbackLog',
			typeVersion: 1,
			position: [1000, 0],
			parameters: { operation: 'record' },
			credentials: store,
		},
	],
	connections: {
		Webhook: { main: [[to('Split Out')]] },
		'Split Out': { main: [[to('Confidence Gate')]] },
		'Confidence Gate': { main: [[], [to('Respond')], []] },
		Respond: { main: [[to(APPROVAL_NODE.name)]] },
		[APPROVAL_NODE.name]: { main: [[], [to(LOG_NODE)], [], []] },
	},
};
