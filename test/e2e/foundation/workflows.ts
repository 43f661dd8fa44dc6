import type { WorkflowFile } from '../n8nServer';

const webhook = (path: string, responseMode: 'onReceived' | 'responseNode' = 'onReceived') => ({
	id: 'webhook',
	name: 'Webhook',
	type: 'n8n-nodes-base.webhook',
	typeVersion: 2.1,
	position: [0, 0],
	webhookId: `${path}-id`,
	parameters: { httpMethod: 'POST', path, responseMode, options: {} },
});

const noOp = (name: string, y: number) => ({
	id: name.toLowerCase().replace(/\s/g, '-'),
	name,
	type: 'n8n-nodes-base.noOp',
	typeVersion: 1,
	position: [600, y],
	parameters: {},
});

const to = (node: string, index = 0) => ({ node, type: 'main', index });

/** Webhook → Split Out (one item per message) → Confidence Gate → one end node per output. */
export const gateWorkflow: WorkflowFile = {
	id: 'hitlE2eGate00001',
	name: 'HITL e2e: Confidence Gate',
	active: true,
	nodes: [
		webhook('hitl-e2e-gate'),
		{
			id: 'split',
			name: 'Split Out',
			type: 'n8n-nodes-base.splitOut',
			typeVersion: 1,
			position: [200, 0],
			parameters: { fieldToSplitOut: 'body.items', options: {} },
		},
		{
			id: 'gate',
			name: 'Confidence Gate',
			type: 'n8n-nodes-hitl.confidenceGate',
			typeVersion: 1,
			position: [400, 0],
			parameters: {
				score: 'confidence',
				threshold: 0.8,
				conditions: { conditions: [{ field: 'amount', operator: 'greaterThan', value: '500', route: 'block' }] },
			},
		},
		noOp('Send automatically', -200),
		noOp('Ask a person', 0),
		noOp('Do not send', 200),
	],
	connections: {
		Webhook: { main: [[to('Split Out')]] },
		'Split Out': { main: [[to('Confidence Gate')]] },
		'Confidence Gate': { main: [[to('Send automatically')], [to('Ask a person')], [to('Do not send')]] },
	},
};

/**
 * Webhook → Respond (with the execution's resume URL) → n8n's own Wait node (resume on webhook)
 * → end. Proves the waiting/resume mechanics the Human Approval Wait node is built on.
 */
export const waitWorkflow: WorkflowFile = {
	id: 'hitlE2eWait00001',
	name: 'HITL e2e: wait and resume',
	active: true,
	nodes: [
		webhook('hitl-e2e-wait', 'responseNode'),
		{
			id: 'respond',
			name: 'Respond',
			type: 'n8n-nodes-base.respondToWebhook',
			typeVersion: 1.5,
			position: [200, 0],
			parameters: { respondWith: 'json', responseBody: '={{ { "resumeUrl": $execution.resumeUrl } }}', options: {} },
		},
		{
			id: 'wait',
			name: 'Wait',
			type: 'n8n-nodes-base.wait',
			typeVersion: 1.1,
			position: [400, 0],
			webhookId: 'hitl-e2e-wait-resume',
			parameters: { resume: 'webhook', httpMethod: 'POST', options: {} },
		},
		noOp('After wait', 0),
	],
	connections: {
		Webhook: { main: [[to('Respond')]] },
		Respond: { main: [[to('Wait')]] },
		Wait: { main: [[to('After wait')]] },
	},
};
