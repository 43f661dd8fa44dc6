/**
 * The workflows the SLA workflow tests run (respond-within, backup reviewers, the Metrics SLA
 * figures): a Human Approval Wait behind a manual trigger, a Review SLA Trigger, and the item a
 * gate would hand over. One definition, so the three tests drive the same nodes.
 */
import type { WorkflowJson } from '../harness';

export const APPROVAL_NODE = 'Human Approval';
export const REVIEW_SECRET = 'a-secret-of-sufficient-length';
export const ANN = { name: 'Ann', email: 'ann@example.com' };
export const BOB = { name: 'Bob', email: 'bob@example.com' };
const CREDENTIALS = { hitlStore: { id: '1', name: 'store' }, hitlReviewSecretApi: { id: '2', name: 'secret' } };

/** Human Approval Wait with named reviewers recording to the store; `parameters` override. */
export function approvalWorkflow(nodeId: string, parameters: Record<string, unknown> = {}, options: { credentials?: boolean } = {}): WorkflowJson {
	return {
		nodes: [
			{ id: 'trigger', name: 'Manual Trigger', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
			{
				id: nodeId,
				name: APPROVAL_NODE,
				type: 'n8n-nodes-hitl.humanApprovalWait',
				typeVersion: 1,
				position: [200, 0],
				parameters: {
					title: 'Refund reply',
					notify: 'none',
					reviewerMode: 'named',
					useStore: true,
					reviewers: { reviewer: [ANN, BOB] },
					...parameters,
				},
				...(options.credentials ? { credentials: CREDENTIALS } : {}),
			},
		],
		connections: { 'Manual Trigger': { main: [[{ node: APPROVAL_NODE, type: 'main', index: 0 }]] } },
	};
}

/** A Review SLA Trigger on the same store and secret; `parameters` override. */
export function slaTriggerWorkflow(parameters: Record<string, unknown> = {}): WorkflowJson {
	return {
		nodes: [
			{
				id: 'sla',
				name: 'Review SLA Trigger',
				type: 'n8n-nodes-hitl.reviewSlaTrigger',
				typeVersion: 1,
				position: [0, 0],
				parameters: { pollTimes: { item: [{ mode: 'everyMinute' }] }, escalate: false, ...parameters },
				credentials: CREDENTIALS,
			},
		],
		connections: {},
	};
}

/** An item as the gate hands it over; `minutes` feeds a Respond Within expression. */
export const reviewItem = (caseId: string, minutes?: number) => ({
	message: 'Refund please',
	...(minutes === undefined ? {} : { minutes }),
	hitl: {
		caseId,
		draft: { text: 'We will refund you.', model: 't', confidence: { score: 0.5, method: 'verbalized', signals: {} }, riskFlags: [], intent: 'refund', usage: { promptTokens: 1, completionTokens: 1 }, latencyMs: 1 },
	},
});
