import type { WorkflowFile } from '../n8nServer';

export const APPROVAL_NODE = 'Human Approval';
export const OUTPUT_NODES = ['Unanswered', 'Send reply', 'Do not send', 'To a supervisor'] as const;

const to = (node: string, index = 0) => ({ node, type: 'main', index });

const noOp = (name: string, y: number) => ({
	id: `end-${name.toLowerCase().replace(/\s/g, '-')}`,
	name,
	type: 'n8n-nodes-base.noOp',
	typeVersion: 1,
	position: [900, y],
	parameters: {},
});

/** Webhook (answers with the link `linkExpression` gives, and the execution id) → Respond → Split Out (one item per draft). */
function entryNodes(id: string, path: string, linkExpression: string) {
	return [
		{
			id: `${id}-webhook`,
			name: 'Webhook',
			type: 'n8n-nodes-base.webhook',
			typeVersion: 2.1,
			position: [0, 0],
			webhookId: `${path}-id`,
			parameters: { httpMethod: 'POST', path, responseMode: 'responseNode', options: {} },
		},
		{
			id: `${id}-respond`,
			name: 'Respond',
			type: 'n8n-nodes-base.respondToWebhook',
			typeVersion: 1.5,
			position: [200, 0],
			parameters: {
				respondWith: 'json',
				responseBody: `={{ { "reviewUrl": ${linkExpression}, "executionId": $execution.id } }}`,
				options: {},
			},
		},
		{
			id: `${id}-split`,
			name: 'Split Out',
			type: 'n8n-nodes-base.splitOut',
			typeVersion: 1,
			position: [400, 0],
			parameters: { fieldToSplitOut: 'body.items', options: {} },
		},
	];
}

const entryConnections = (first: string) => ({
	Webhook: { main: [[to('Respond')]] },
	Respond: { main: [[to('Split Out')]] },
	'Split Out': { main: [[to(first)]] },
});

/**
 * Webhook (answers with the review link) → Split Out (one item per draft) → Human Approval →
 * one end node per output. The POSTed body carries the drafts with their `hitl` parts.
 */
export function reviewWorkflow(id: string, path: string, approvalParameters: Record<string, unknown>, credentials?: Record<string, unknown>): WorkflowFile {
	return {
		id,
		name: `HITL e2e: ${path}`,
		active: true,
		nodes: [
			...entryNodes(id, path, '$execution.resumeUrl'),
			{
				id: `${id}-approval`,
				name: APPROVAL_NODE,
				type: 'n8n-nodes-hitl.humanApprovalWait',
				typeVersion: 1,
				position: [600, 0],
				webhookId: `${id}-approval-webhook`,
				parameters: {
					notify: 'none',
					title: 'Review the reply to a customer',
					instructions: 'Check amounts and promises against the order before approving.',
					customerMessageField: 'message',
					contextFields: { fields: [{ label: 'Customer', field: 'customer' }, { label: 'Order', field: 'order' }] },
					...approvalParameters,
				},
				...(credentials ? { credentials } : {}),
			},
			noOp(OUTPUT_NODES[0], -300),
			noOp(OUTPUT_NODES[1], -100),
			noOp(OUTPUT_NODES[2], 100),
			noOp(OUTPUT_NODES[3], 300),
		],
		connections: {
			...entryConnections(APPROVAL_NODE),
			[APPROVAL_NODE]: { main: OUTPUT_NODES.map((name) => [to(name)]) },
		},
	};
}

export const linkReview = reviewWorkflow('hitlE2eReview001', 'hitl-e2e-review', {});

/**
 * n8n's own Wait node resumed by its form, in `reviewWorkflow`'s shape: Webhook (answers with the
 * form link) → Split Out → Wait → End. Posted the same body as a review workflow, both executions
 * carry the same items in their run data, which n8n loads, resumes and saves again on every
 * answer — the benchmarks' baseline for Human Approval Wait.
 */
export function waitFormWorkflow(id: string, path: string, name: string): WorkflowFile {
	return {
		id,
		name,
		active: true,
		nodes: [
			...entryNodes(id, path, '$execution.resumeFormUrl'),
			{
				id: `${id}-wait`,
				name: 'Wait',
				type: 'n8n-nodes-base.wait',
				typeVersion: 1.1,
				position: [600, 0],
				webhookId: `${path}-form`,
				parameters: {
					resume: 'form',
					formTitle: 'Approve?',
					formFields: { values: [{ fieldLabel: 'Decision', fieldType: 'text', requiredField: true }] },
					options: {},
				},
			},
			{ id: `${id}-end`, name: 'End', type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [800, 0], parameters: {} },
		],
		connections: {
			...entryConnections('Wait'),
			Wait: { main: [[to('End')]] },
		},
	};
}

/** Notifies a chat webhook (the test's own server) with the link, as a Slack incoming webhook would get it. */
export const chatReview = (webhookUrl: string) => reviewWorkflow('hitlE2eReviewChat', 'hitl-e2e-review-chat', { notify: 'webhook', webhookUrl });

export const SMTP_CREDENTIAL_ID = 'hitlE2eSmtp00001';
export const SECRET_CREDENTIAL_ID = 'hitlE2eSecret001';

export const mailReview = reviewWorkflow(
	'hitlE2eReviewMail',
	'hitl-e2e-review-mail',
	{
		notify: 'email',
		fromEmail: 'reviews@hitl.test',
		reviewerMode: 'named',
		reviewers: { reviewer: [{ name: 'Ann Reviewer', email: 'ann@hitl.test' }, { name: 'Bob Reviewer', email: 'bob@hitl.test' }] },
	},
	{
		hitlSmtpApi: { id: SMTP_CREDENTIAL_ID, name: 'HITL e2e SMTP' },
		hitlReviewSecretApi: { id: SECRET_CREDENTIAL_ID, name: 'HITL e2e review secret' },
	},
);

/** A draft as the LLM Draft → Compliance Check → Confidence Gate chain leaves it. */
export function draftItem(text: string, overrides: Record<string, unknown> = {}) {
	const phone = text.indexOf('555-0134');
	return {
		message: 'Hi, I was charged twice for order A-1001. Can you refund the second charge? Call me on 555-0134.',
		customer: 'Dana Whitfield',
		order: 'A-1001 · 2 × Trail Runner 3',
		...overrides,
		hitl: {
			version: 1,
			caseId: `case-${Math.abs(hashCode(text)).toString(36)}`,
			draft: {
				text,
				model: 'gpt-4o-mini',
				confidence: { score: 0.64, method: 'combined', signals: { logprobs: 0.7, verbalized: 0.6 } },
				riskFlags: ['refund'],
				usage: { promptTokens: 420, completionTokens: 96 },
				latencyMs: 812,
			},
			compliance: {
				passed: false,
				rulesetVersion: 'support-2026.1',
				checkedField: 'hitl.draft.text',
				violations: [
					...(phone >= 0
						? [{ ruleId: 'pii.phone', kind: 'pii', severity: 'review', message: 'Phone number in the reply', span: [phone, phone + 8] }]
						: []),
					{ ruleId: 'disclosure.refundTerms', kind: 'disclosure', severity: 'review', message: 'Refund terms are not mentioned' },
				],
			},
			gate: {
				route: 'review',
				// The Confidence Gate's own wording: codes, rule ids, masked values and learning state, for
				// the audit trail — the review page must not show them to the reviewer.
				reasons: [
					{
						code: 'COMPLIANCE_REVIEW',
						detail:
							'Compliance found 2 issue(s) to review: pii.phone (Personal data in the text: phone number ***0134); disclosure.refundTerms (Refund terms are not mentioned)',
					},
					{
						code: 'LOW_CONFIDENCE',
						detail: 'Confidence 0.64 is below the threshold 0.85 (no threshold learned yet: 8 of 100 reviewed drafts of model gpt-4o-mini, prompt support-reply-v1).',
					},
				],
				threshold: 0.85,
				sampledForAudit: false,
				shadow: false,
				breakerOpen: false,
			},
		},
	};
}

function hashCode(text: string): number {
	let hash = 0;
	for (const char of text) hash = (hash * 31 + char.charCodeAt(0)) | 0;
	return hash;
}
