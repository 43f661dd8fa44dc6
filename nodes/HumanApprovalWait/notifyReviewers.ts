/**
 * Telling reviewers a review waits: one e-mail per recipient over SMTP (n8n's own "SMTP"
 * credential), or one JSON POST to a chat/generic webhook. A failed notification fails the node
 * (with the reason) rather than leaving an execution waiting for people who were never told.
 */
import { NodeOperationError, type IExecuteFunctions } from 'n8n-workflow';
import { createTransport } from 'nodemailer';

import { composeChatMessage, composeEmail, excerptOf, type NotificationContent } from './composeNotification';
import { HITL_SMTP_CREDENTIAL } from '../shared/credentialNames';
import type { ApprovalSettings } from './readSettings';

export interface ReviewAnnouncement {
	title: string;
	link: string;
	itemCount: number;
	firstDraft: string;
	deadline?: string;
	executionId: string;
	/** `inboxUrl`: the reviewer's own signed Review Inbox link, mailed beside their review link. */
	personalLinks: { id: string; name: string; email?: string; url: string; inboxUrl?: string }[];
}

export interface SmtpCredential {
	host: string;
	port: number;
	secure: boolean;
	user?: string;
	password?: string;
	disableStartTls?: boolean;
	hostName?: string;
}

export async function notifyReviewers(
	context: IExecuteFunctions,
	settings: ApprovalSettings,
	announcement: ReviewAnnouncement,
): Promise<void> {
	if (settings.notify === 'none') return;
	const base: NotificationContent = {
		title: announcement.title,
		link: announcement.link,
		itemCount: announcement.itemCount,
		excerpt: excerptOf(announcement.firstDraft),
		...(announcement.deadline ? { deadline: announcement.deadline } : {}),
		approvalsNeeded: settings.approvalsNeeded,
		executionId: announcement.executionId,
		workflowName: context.getWorkflow().name,
	};
	const node = context.getNode();

	if (settings.notify === 'webhook') {
		if (!/^https?:\/\//i.test(settings.webhookUrl)) {
			throw new NodeOperationError(node, `Webhook URL "${settings.webhookUrl}" is not an http(s) URL`, {
				description: 'Paste the full URL of the incoming webhook, e.g. https://hooks.slack.com/services/…',
			});
		}
		const payload = composeChatMessage(
			base,
			announcement.personalLinks.map((entry) => ({ name: entry.name, url: entry.url })),
		);
		try {
			await context.helpers.httpRequest({ method: 'POST', url: settings.webhookUrl, body: payload, json: true });
		} catch (error) {
			throw new NodeOperationError(node, `Could not notify reviewers at the webhook: ${(error as Error).message}`, {
				description: 'Check the Webhook URL; the execution was not put to wait.',
			});
		}
		return;
	}

	const recipients =
		settings.reviewerMode === 'named'
			? announcement.personalLinks
					.filter((entry) => entry.email)
					.map((entry) => ({ to: entry.email!, name: entry.name, link: entry.url, inboxLink: entry.inboxUrl }))
			: settings.toEmail.map((to) => ({ to, name: undefined, link: announcement.link, inboxLink: undefined }));
	if (recipients.length === 0) {
		throw new NodeOperationError(node, 'Nobody to e-mail the review link to', {
			description:
				settings.reviewerMode === 'named'
					? 'Give the named reviewers e-mail addresses.'
					: 'Fill in "To Email", or choose "None" and send $execution.resumeUrl yourself.',
		});
	}
	if (!settings.fromEmail) {
		throw new NodeOperationError(node, '"From Email" is empty', { description: 'Set the sender address of the review e-mails.' });
	}
	const transport = smtpTransport(await context.getCredentials<SmtpCredential>(HITL_SMTP_CREDENTIAL));
	try {
		for (const recipient of recipients) {
			const mail = composeEmail({
				...base,
				link: recipient.link,
				...(recipient.name ? { recipientName: recipient.name } : {}),
				...(recipient.inboxLink ? { inboxLink: recipient.inboxLink } : {}),
			});
			await transport.sendMail({ from: settings.fromEmail, to: recipient.to, subject: mail.subject, text: mail.text, html: mail.html });
		}
	} catch (error) {
		throw new NodeOperationError(node, `Could not e-mail the review link: ${(error as Error).message}`, {
			description: 'Check the SMTP credential and the addresses; the execution was not put to wait.',
		});
	} finally {
		transport.close();
	}
}

export function smtpTransport(smtp: SmtpCredential) {
	return createTransport({
		host: smtp.host,
		port: Number(smtp.port),
		secure: Boolean(smtp.secure),
		ignoreTLS: Boolean(smtp.disableStartTls),
		...(smtp.hostName ? { name: smtp.hostName } : {}),
		...(smtp.user ? { auth: { user: smtp.user, pass: smtp.password ?? '' } } : {}),
	});
}
