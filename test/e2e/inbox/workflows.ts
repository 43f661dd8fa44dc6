import type { CredentialFile, WorkflowFile } from '../n8nServer';
import { reviewWorkflow } from '../approval/workflows';

export const INBOX_PATH = 'hitl-e2e-inbox';
export const REVIEW_SECRET = 'e2e-review-secret-0123456789abcdef';
export const SECRET_CREDENTIAL = { id: 'hitlE2eInboxSec01', name: 'HITL e2e inbox secret' };
export const STORE_CREDENTIAL = { id: 'hitlE2eInboxStore', name: 'HITL e2e inbox store' };
export const ANN = { id: 'ann@hitl.test', name: 'Ann Reviewer' };
export const BOB = { id: 'bob@hitl.test', name: 'Bob Reviewer' };

export const SMTP_CREDENTIAL = { id: 'hitlE2eInboxSmtp1', name: 'HITL e2e inbox SMTP' };

/** `smtpPort`: the SMTP listener's, for the mailed review. */
export function inboxCredentials(storeData: Record<string, unknown>, smtpPort?: number): CredentialFile[] {
	return [
		{ ...SECRET_CREDENTIAL, type: 'hitlReviewSecretApi', data: { secret: REVIEW_SECRET } },
		{ ...STORE_CREDENTIAL, type: 'hitlStore', data: storeData },
		...(smtpPort
			? [
					{
						...SMTP_CREDENTIAL,
						type: 'hitlSmtpApi',
						data: { host: '127.0.0.1', port: smtpPort, secure: false, disableStartTls: true, user: '', password: '', hostName: '' },
					},
				]
			: []),
	];
}

/** The Review Inbox: the workflow is just the trigger, active. */
export const inboxWorkflow: WorkflowFile = {
	id: 'hitlE2eInbox0001',
	name: 'HITL e2e: review inbox',
	active: true,
	nodes: [
		{
			id: 'hitlE2eInbox0001-node',
			name: 'Review Inbox',
			type: 'n8n-nodes-hitl.reviewInbox',
			typeVersion: 1,
			position: [0, 0],
			webhookId: 'hitl-e2e-inbox-webhook',
			parameters: { path: INBOX_PATH, title: 'Support review inbox', access: 'personal', claimMinutes: 15 },
			credentials: { hitlStore: STORE_CREDENTIAL, hitlReviewSecretApi: SECRET_CREDENTIAL },
		},
	],
	connections: {},
};

/**
 * A review workflow whose Human Approval Wait records to the store and sends its links through
 * the inbox. The inbox's URL is this n8n's own (the test picks the port when n8n starts), read
 * from the execution's resume URL.
 */
export function inboxReview(id: string, path: string, title: string, parameters: Record<string, unknown>, credentials: Record<string, unknown> = {}): WorkflowFile {
	const workflow = reviewWorkflow(
		id,
		path,
		{
			title,
			reviewerMode: 'named',
			reviewers: { reviewer: [{ name: ANN.name, email: ANN.id }, { name: BOB.name, email: BOB.id }] },
			useStore: true,
			inboxUrl: `={{ $execution.resumeUrl.split('/webhook-waiting/')[0] }}/webhook/${INBOX_PATH}`,
			...parameters,
		},
		{ hitlReviewSecretApi: SECRET_CREDENTIAL, hitlStore: STORE_CREDENTIAL, ...credentials },
	);
	return { ...workflow, name: title };
}

export const reviews = {
	/** Derived: the draft carries a risk flag → high. */
	refund: inboxReview('hitlE2eInboxRev01', 'hitl-e2e-inbox-refund', 'Refund reply', {}),
	low: inboxReview('hitlE2eInboxRev02', 'hitl-e2e-inbox-low', 'Audit sample', { priority: 'low' }),
	urgent: inboxReview('hitlE2eInboxRev03', 'hitl-e2e-inbox-urgent', 'Legal threat', { priority: 'urgent' }),
	/** Six seconds to answer: n8n times it out, and the inbox shows it expired. */
	short: inboxReview('hitlE2eInboxRev04', 'hitl-e2e-inbox-short', 'Short deadline', {
		priority: 'normal',
		deadlineMode: 'afterInterval',
		deadlineAmount: 0.1,
		deadlineUnit: 'minutes',
	}),
};

/** Cancelled through n8n's REST API in the test: the inbox must stop offering it. */
export const cancelledReview = inboxReview('hitlE2eInboxRev05', 'hitl-e2e-inbox-cancel', 'Cancelled ticket', { priority: 'high' });

/** E-mailed to Ann and Bob: each mail carries the reviewer's own review link and personal inbox link. */
export const mailedReview = inboxReview(
	'hitlE2eInboxRev06',
	'hitl-e2e-inbox-mailed',
	'Mailed review',
	{ notify: 'email', fromEmail: 'reviews@hitl.test' },
	{ hitlSmtpApi: SMTP_CREDENTIAL },
);
