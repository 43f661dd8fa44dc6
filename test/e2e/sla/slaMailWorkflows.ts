/**
 * The two workflows of the SLA mail end-to-end test (issue 15), as a user builds them in the editor:
 *
 * - **the review**: Webhook (answers with the review link) → Split Out → Human Approval Wait (a
 *   named reviewer, a backup reviewer, Record in Store, Respond Within 30 seconds) → Feedback Log
 *   on each person's decision, so the decision lands in the store;
 * - **the SLA mails**: Review SLA Trigger → Switch on `step` → n8n's own Send Email node: the
 *   reminder to the reviewers, the escalation to the backup reviewers, each with their personal
 *   links from the trigger's item.
 *
 * n8n polls a trigger at most once a minute per poll time ("The polling interval is too short"
 * for a cron with more than one second in a minute, n8n-workflow's isSubMinuteCron). A user who
 * wants a poll every few seconds adds several poll times of mode "Custom", each a once-a-minute cron
 * at another second — what the trigger below does (every 5 seconds), so a 30-second target gets
 * its reminder and escalation on time.
 */
import type { CredentialFile, WorkflowFile } from '../n8nServer';

export const SLA_REVIEW_SECRET = 'e2e-sla-review-secret-0123456789abcdef';
export const SLA_SECRET_CREDENTIAL = { id: 'hitlE2eSlaSecret1', name: 'HITL e2e SLA secret' };
export const SLA_STORE_CREDENTIAL = { id: 'hitlE2eSlaStore01', name: 'HITL e2e SLA store' };
export const SLA_SMTP_CREDENTIAL = { id: 'hitlE2eSlaSmtp001', name: 'SMTP account' };

export const SLA_REVIEWER = { id: 'ann@hitl.test', name: 'Ann Reviewer' };
export const SLA_BACKUP = { id: 'sam@hitl.test', name: 'Sam Shift-Lead' };

export const SLA_REVIEW_PATH = 'hitl-e2e-sla-review';
export const SLA_APPROVAL_NODE = 'Human Approval';
export const SLA_APPROVAL_NODE_ID = 'hitlE2eSlaReview-approval';
/** 30 seconds: the reminder falls at 25 % (7.5 s), the escalation at the target. */
export const SLA_RESPOND_WITHIN_MINUTES = 0.5;
export const SLA_POLL_SECONDS = 5;

export function slaMailCredentials(storeData: Record<string, unknown>, smtpPort: number): CredentialFile[] {
	return [
		{ ...SLA_SECRET_CREDENTIAL, type: 'hitlReviewSecretApi', data: { secret: SLA_REVIEW_SECRET } },
		{ ...SLA_STORE_CREDENTIAL, type: 'hitlStore', data: storeData },
		{
			...SLA_SMTP_CREDENTIAL,
			type: 'smtp',
			data: { user: '', password: '', host: '127.0.0.1', port: smtpPort, secure: false, disableStartTls: true, hostName: '' },
		},
	];
}

const to = (node: string, index = 0) => ({ node, type: 'main', index });
const hitlCredentials = { hitlStore: SLA_STORE_CREDENTIAL, hitlReviewSecretApi: SLA_SECRET_CREDENTIAL };

export const slaReviewWorkflow: WorkflowFile = {
	id: 'hitlE2eSlaReview',
	name: 'HITL e2e: refund review with an SLA',
	active: true,
	nodes: [
		{
			id: 'hitlE2eSlaReview-webhook',
			name: 'Webhook',
			type: 'n8n-nodes-base.webhook',
			typeVersion: 2.1,
			position: [0, 0],
			webhookId: `${SLA_REVIEW_PATH}-id`,
			parameters: { httpMethod: 'POST', path: SLA_REVIEW_PATH, responseMode: 'responseNode', options: {} },
		},
		{
			id: 'hitlE2eSlaReview-respond',
			name: 'Respond',
			type: 'n8n-nodes-base.respondToWebhook',
			typeVersion: 1.5,
			position: [200, 0],
			parameters: { respondWith: 'json', responseBody: '={{ { "reviewUrl": $execution.resumeUrl, "executionId": $execution.id } }}', options: {} },
		},
		{
			id: 'hitlE2eSlaReview-split',
			name: 'Split Out',
			type: 'n8n-nodes-base.splitOut',
			typeVersion: 1,
			position: [400, 0],
			parameters: { fieldToSplitOut: 'body.items', options: {} },
		},
		{
			id: SLA_APPROVAL_NODE_ID,
			name: SLA_APPROVAL_NODE,
			type: 'n8n-nodes-hitl.humanApprovalWait',
			typeVersion: 1,
			position: [600, 0],
			webhookId: 'hitlE2eSlaReview-approval-webhook',
			parameters: {
				title: 'Refund reply',
				notify: 'none',
				customerMessageField: 'message',
				reviewerMode: 'named',
				reviewers: { reviewer: [{ name: SLA_REVIEWER.name, email: SLA_REVIEWER.id }] },
				useStore: true,
				respondWithinMinutes: SLA_RESPOND_WITHIN_MINUTES,
				backupReviewers: { reviewer: [{ name: SLA_BACKUP.name, email: SLA_BACKUP.id }] },
			},
			credentials: hitlCredentials,
		},
		{
			id: 'hitlE2eSlaReview-log',
			name: 'Log decision',
			type: 'n8n-nodes-hitl.feedbackLog',
			typeVersion: 1,
			position: [900, 0],
			parameters: { operation: 'record', inputTextField: 'message' },
			credentials: { hitlStore: SLA_STORE_CREDENTIAL },
		},
	],
	connections: {
		Webhook: { main: [[to('Respond')]] },
		Respond: { main: [[to('Split Out')]] },
		'Split Out': { main: [[to(SLA_APPROVAL_NODE)]] },
		// A person's decision (Approved, Rejected, Escalated) is recorded; this review has no Time Limit.
		[SLA_APPROVAL_NODE]: { main: [[], [to('Log decision')], [to('Log decision')], [to('Log decision')]] },
	},
};

const stepIs = (step: string) => ({
	conditions: {
		options: { caseSensitive: true, leftValue: '', typeValidation: 'strict', version: 2 },
		conditions: [{ id: `step-${step}`, leftValue: '={{ $json.step }}', rightValue: step, operator: { type: 'string', operation: 'equals' } }],
		combinator: 'and',
	},
	renameOutput: true,
	outputKey: step,
});

const mail = (id: string, name: string, subject: string) => ({
	id,
	name,
	type: 'n8n-nodes-base.emailSend',
	typeVersion: 2.1,
	position: [500, (Number(id.slice(-1)) - 2) * 150],
	credentials: { smtp: SLA_SMTP_CREDENTIAL },
	parameters: {
		fromEmail: 'Review SLA <sla@hitl.test>',
		toEmail: '={{ $json.recipients.map(person => person.email).join(", ") }}',
		subject,
		emailFormat: 'text',
		text: '={{ $json.summary }}\n\n{{ $json.recipients.map(person => person.name + ": " + person.url).join("\\n") }}',
		options: { appendAttribution: false },
	},
});

export const slaMailWorkflow: WorkflowFile = {
	id: 'hitlE2eSlaMails1',
	name: 'HITL e2e: review SLA mails',
	active: true,
	nodes: [
		{
			id: 'hitlE2eSlaMails1-trigger',
			name: 'Review SLA Trigger',
			type: 'n8n-nodes-hitl.reviewSlaTrigger',
			typeVersion: 1,
			position: [0, 0],
			parameters: {
				pollTimes: {
					item: Array.from({ length: 60 / SLA_POLL_SECONDS }, (_, index) => ({
						mode: 'custom',
						cronExpression: `${index * SLA_POLL_SECONDS} * * * * *`,
					})),
				},
				reminderPercent: 25,
				escalate: true,
				escalateAfterMinutes: 0,
			},
			credentials: hitlCredentials,
		},
		{
			id: 'hitlE2eSlaMails1-switch',
			name: 'Switch on step',
			type: 'n8n-nodes-base.switch',
			typeVersion: 3.2,
			position: [250, 0],
			parameters: { rules: { values: [stepIs('reminder'), stepIs('overdue'), stepIs('escalated')] }, options: {} },
		},
		mail('hitlE2eSlaMails1-mail1', 'Mail reminder', '=Reminder: {{ $json.title }}, {{ $json.minutesLeft }} min left'),
		mail('hitlE2eSlaMails1-mail2', 'Mail overdue', '=Overdue: {{ $json.title }}'),
		mail('hitlE2eSlaMails1-mail3', 'Mail backups', '=Escalated to you: {{ $json.title }}'),
	],
	connections: {
		'Review SLA Trigger': { main: [[to('Switch on step')]] },
		'Switch on step': { main: [[to('Mail reminder')], [to('Mail overdue')], [to('Mail backups')]] },
	},
};

/** The Feedback Log's Metrics over the same store, run on demand (Manual Trigger, `n8n execute`). */
export const slaMetricsWorkflow: WorkflowFile = {
	id: 'hitlE2eSlaMailMetric',
	name: 'HITL e2e: SLA figures',
	nodes: [
		{ id: 'hitlE2eSlaMetric-run', name: 'Run now', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
		{
			id: 'hitlE2eSlaMetric-metrics',
			name: 'Metrics',
			type: 'n8n-nodes-hitl.feedbackLog',
			typeVersion: 1,
			position: [200, 0],
			parameters: { operation: 'metrics', lastDays: 1 },
			credentials: { hitlStore: SLA_STORE_CREDENTIAL },
		},
	],
	connections: { 'Run now': { main: [[to('Metrics')]] } },
};
