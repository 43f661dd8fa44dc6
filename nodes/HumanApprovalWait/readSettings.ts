/**
 * The node's parameters, read the same way from execute() and from webhook() (which n8n calls
 * with a different context whose getNodeParameter has no item index), and checked once.
 */
import { NodeOperationError, type IDataObject, type IExecuteFunctions, type IWebhookFunctions } from 'n8n-workflow';

import type { ReviewContentOptions } from './buildReviewItems';
import type { DeadlineSettings } from './reviewDeadline';
import { reviewerIdFrom } from './reviewerLinks';

export interface NamedReviewer {
	id: string;
	name: string;
	email?: string;
}

export interface ApprovalSettings {
	title: string;
	instructions: string;
	content: ReviewContentOptions;
	reasons: string[];
	requireReasonToReject: boolean;
	allowEdit: boolean;
	reviewerMode: 'link' | 'named';
	reviewers: NamedReviewer[];
	/**
	 * Backup reviewers (issue 15): personal links like the reviewers', valid only once the review
	 * is escalated by the Review SLA Trigger. Named reviewers with "Record in Store" only; else empty.
	 */
	backupReviewers: NamedReviewer[];
	approvalsNeeded: number;
	notify: 'email' | 'webhook' | 'none';
	fromEmail: string;
	toEmail: string[];
	webhookUrl: string;
	deadline: DeadlineSettings;
	useStore: boolean;
}

type Context = IExecuteFunctions | IWebhookFunctions;

function param<T>(context: Context, name: string, fallback: T): T {
	if ('getInputData' in context) return context.getNodeParameter(name, 0, fallback) as T;
	return (context as IWebhookFunctions).getNodeParameter(name, fallback) as T;
}

export function splitList(value: string): string[] {
	return value
		.split(',')
		.map((entry) => entry.trim())
		.filter((entry) => entry !== '');
}

/** A reviewer list as entered (name and e-mail per entry); `what` names it in errors. */
function readPeople(context: Context, entries: IDataObject[], what: 'Reviewer' | 'Backup reviewer'): NamedReviewer[] {
	return entries.map((entry, index) => {
		const name = String(entry.name ?? '').trim();
		const email = String(entry.email ?? '').trim();
		const id = reviewerIdFrom(email || name);
		if (!id) {
			throw new NodeOperationError(context.getNode(), `${what} ${index + 1} has neither a name nor an e-mail`, {
				description: 'Give each reviewer at least a name; the e-mail is needed to send them their link.',
			});
		}
		return { id, name: name || email, ...(email ? { email } : {}) };
	});
}

export function readSettings(context: Context): ApprovalSettings {
	const node = context.getNode();
	const reviewerMode = param(context, 'reviewerMode', 'link') as ApprovalSettings['reviewerMode'];
	const reviewers: NamedReviewer[] =
		reviewerMode === 'named' ? readPeople(context, param(context, 'reviewers.reviewer', [] as IDataObject[]) ?? [], 'Reviewer') : [];
	const ids = new Set(reviewers.map((reviewer) => reviewer.id));
	if (ids.size !== reviewers.length) {
		throw new NodeOperationError(node, 'Two reviewers have the same e-mail (or name)', {
			description: 'Each named reviewer needs their own e-mail address; it identifies them.',
		});
	}
	if (reviewerMode === 'named' && reviewers.length === 0) {
		throw new NodeOperationError(node, 'Reviewers is set to "Named Reviewers" but the Reviewer List is empty', {
			description: 'Add at least one reviewer, or set Reviewers to "Anyone With the Link".',
		});
	}
	const approvalsNeeded = reviewerMode === 'named' ? Math.max(1, Math.trunc(Number(param(context, 'approvalsNeeded', 1)))) : 1;
	if (approvalsNeeded > Math.max(1, reviewers.length)) {
		throw new NodeOperationError(node, `${approvalsNeeded} approvals are needed but only ${reviewers.length} reviewers are listed`, {
			description: 'Lower "Approvals Needed" or add reviewers.',
		});
	}
	const useStore = param(context, 'useStore', false) as boolean;
	const backupReviewers =
		reviewerMode === 'named' && useStore
			? readPeople(context, param(context, 'backupReviewers.reviewer', [] as IDataObject[]) ?? [], 'Backup reviewer')
			: [];
	const doubled = backupReviewers.find((backup, index) => ids.has(backup.id) || backupReviewers.findIndex((other) => other.id === backup.id) !== index);
	if (doubled) {
		throw new NodeOperationError(node, `"${doubled.name}" is listed twice among the reviewers and backup reviewers`, {
			description: 'A backup reviewer is brought in when the review is escalated: list each person once, either as a reviewer or as a backup.',
		});
	}
	if (approvalsNeeded > 1 && !useStore) {
		throw new NodeOperationError(node, 'Several approvals need "Record in Store"', {
			description:
				'Partial answers must survive between reviewers (and n8n restarts): turn on "Record in Store" and pick a HITL Store credential.',
		});
	}
	const contextFields = (param(context, 'contextFields.fields', [] as IDataObject[]) ?? []).map((entry) => ({
		label: String(entry.label ?? ''),
		field: String(entry.field ?? ''),
	}));
	return {
		title: String(param(context, 'title', 'Review the draft reply') || 'Review the draft reply'),
		instructions: String(param(context, 'instructions', '') ?? ''),
		content: {
			draftField: String(param(context, 'draftField', 'hitl.draft.text') || 'hitl.draft.text').trim(),
			customerMessageField: String(param(context, 'customerMessageField', '') ?? '').trim(),
			contextFields,
		},
		reasons: splitList(String(param(context, 'reasons', '') ?? '')),
		requireReasonToReject: param(context, 'requireReasonToReject', false) as boolean,
		allowEdit: param(context, 'allowEdit', true) as boolean,
		reviewerMode,
		reviewers,
		backupReviewers,
		approvalsNeeded,
		notify: param(context, 'notify', 'none') as ApprovalSettings['notify'],
		fromEmail: String(param(context, 'fromEmail', '') ?? '').trim(),
		toEmail: splitList(String(param(context, 'toEmail', '') ?? '')),
		webhookUrl: String(param(context, 'webhookUrl', '') ?? '').trim(),
		deadline: {
			mode: param(context, 'deadlineMode', 'none') as DeadlineSettings['mode'],
			amount: Number(param(context, 'deadlineAmount', 24)),
			unit: param(context, 'deadlineUnit', 'hours') as DeadlineSettings['unit'],
			dateTime: String(param(context, 'deadlineAt', '') ?? ''),
		},
		useStore,
	};
}
