import { readFileSync } from 'node:fs';
import path from 'node:path';

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

export const LLM_CREDENTIAL = { id: 'hitlQueueLlm0001', name: 'LLM API', type: 'llmApi' };
export const SUPPORT_TEMPLATE = path.resolve(__dirname, '..', '..', '..', 'templates', 'support-reply-with-review.json');
/** The template's review node (one reviewer of the list decides) and the copy that needs two. */
export const ONE_REVIEWER_NODE = { id: '20a48048-3e46-56ff-90e9-f8f4f77d2159', name: 'Human review' };
export const TWO_REVIEWERS_NODE = { id: 'queue-two-reviewers', name: 'Human review (two reviewers)' };
export const TEMPLATE_LOG_NODE = 'Log decision';

/**
 * The "Support reply with human review" template as a queue-mode installation sets it up: the
 * LLM API credential on Draft reply, a PostgreSQL HITL Store credential on every node that keeps
 * decisions (Route by confidence, Human review, Log decision), named reviewers with personal links,
 * and one addition — tickets that ask for it (`body.reviewersNeeded: 2`) go to a copy of Human
 * review that needs two approvals. Everything else is the template as shipped.
 */
export function supportTemplateForQueue(): WorkflowFile {
	interface TemplateNode {
		id: string;
		name: string;
		parameters: Record<string, unknown>;
		credentials?: Record<string, unknown>;
		position: number[];
	}
	const template = JSON.parse(readFileSync(SUPPORT_TEMPLATE, 'utf8')) as Omit<WorkflowFile, 'nodes' | 'connections'> & {
		nodes: TemplateNode[];
		connections: Record<string, { main: { node: string; type: string; index: number }[][] }>;
	};
	const byName = (name: string) => {
		const node = template.nodes.find((entry) => entry.name === name);
		if (!node) throw new Error(`The template has no node "${name}"`);
		return node;
	};
	byName('Draft reply').credentials = { llmApi: { id: LLM_CREDENTIAL.id, name: LLM_CREDENTIAL.name } };
	byName('Route by confidence').credentials = store;
	byName(TEMPLATE_LOG_NODE).credentials = store;
	const review = byName(ONE_REVIEWER_NODE.name);
	if (review.id !== ONE_REVIEWER_NODE.id) throw new Error(`The template's Human review node id changed: ${review.id}`);
	Object.assign(review.parameters, { reviewerMode: 'named', reviewers: { reviewer: REVIEWERS }, approvalsNeeded: 1, useStore: true });
	review.credentials = { ...store, hitlReviewSecretApi: { id: SECRET_CREDENTIAL.id, name: SECRET_CREDENTIAL.name } };
	const twoReviewers: TemplateNode = {
		...structuredClone(review),
		...TWO_REVIEWERS_NODE,
		position: [review.position[0], review.position[1] + 200],
	};
	twoReviewers.parameters.approvalsNeeded = 2;
	const split = {
		id: 'queue-two-reviewers-if',
		name: 'Two reviewers?',
		type: 'n8n-nodes-base.if',
		typeVersion: 2.2,
		position: [review.position[0] - 110, review.position[1]],
		parameters: {
			conditions: {
				options: { caseSensitive: true, leftValue: '', typeValidation: 'loose', version: 2 },
				conditions: [
					{
						id: 'two-reviewers',
						leftValue: '={{ $json.body.reviewersNeeded === 2 }}',
						rightValue: '',
						operator: { type: 'boolean', operation: 'true', singleValue: true },
					},
				],
				combinator: 'and',
			},
			options: {},
		},
	};
	template.nodes.push(twoReviewers, split);
	template.connections['Answer: in review'] = { main: [[to(split.name)]] };
	template.connections[split.name] = { main: [[to(TWO_REVIEWERS_NODE.name)], [to(ONE_REVIEWER_NODE.name)]] };
	template.connections[TWO_REVIEWERS_NODE.name] = structuredClone(template.connections[ONE_REVIEWER_NODE.name]);
	return { ...template, active: true };
}
