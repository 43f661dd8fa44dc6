/**
 * The messages that tell reviewers a review is waiting: an e-mail (HTML and plain text) and a
 * chat/webhook JSON body. Slack incoming webhooks read `text` (mrkdwn); other receivers get the
 * structured `review` object beside it.
 */
import { escapeHtml } from './renderReviewPage';

export interface NotificationContent {
	title: string;
	/** The link this recipient should open (a personal link for a named reviewer). */
	link: string;
	recipientName?: string;
	/** A named reviewer's own Review Inbox link (every review waiting, theirs marked), when there is an inbox. */
	inboxLink?: string;
	itemCount: number;
	/** A short excerpt of the first draft. */
	excerpt: string;
	deadline?: string;
	approvalsNeeded: number;
	executionId: string;
	workflowName?: string;
}

export function excerptOf(text: string, max = 280): string {
	const flat = text.replace(/\s+/g, ' ').trim();
	return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

function summaryLine(content: NotificationContent): string {
	const items = content.itemCount === 1 ? 'One draft is' : `${content.itemCount} drafts are`;
	const deadline = content.deadline ? ` Please answer by ${content.deadline.slice(0, 16).replace('T', ' ')} UTC.` : '';
	const quorum = content.approvalsNeeded > 1 ? ` ${content.approvalsNeeded} approvals are needed.` : '';
	return `${items} waiting for your review.${quorum}${deadline}`;
}

function personalNote(content: NotificationContent): string {
	return content.inboxLink ? 'These links are personal: please do not forward them.' : 'This link is personal: please do not forward it.';
}

export function composeEmail(content: NotificationContent): { subject: string; text: string; html: string } {
	const greeting = content.recipientName ? `Hello ${content.recipientName},` : 'Hello,';
	const text = [
		greeting,
		'',
		summaryLine(content),
		'',
		`“${content.excerpt}”`,
		'',
		`Open the review: ${content.link}`,
		'',
		content.inboxLink ? `Your review inbox (every review waiting, most urgent first): ${content.inboxLink}` : '',
		'',
		'Opening the link records nothing; only the buttons on the page do.',
		content.recipientName ? personalNote(content) : '',
	]
		.filter((line, index, lines) => !(line === '' && lines[index - 1] === ''))
		.join('\n');
	const link = escapeHtml(content.link);
	const html = `<!DOCTYPE html><html lang="en"><body style="margin:0;padding:24px;background:#f4f5f7;font:16px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#1f2328">
<div style="max-width:560px;margin:0 auto;background:#fff;border:1px solid #d0d7de;border-radius:12px;padding:24px">
<h1 style="font-size:20px;margin:0 0 12px">${escapeHtml(content.title)}</h1>
<p style="margin:0 0 12px">${escapeHtml(greeting)}</p>
<p style="margin:0 0 12px">${escapeHtml(summaryLine(content))}</p>
<blockquote style="margin:0 0 20px;padding:10px 12px;border-left:4px solid #d0d7de;background:#f4f5f7;color:#3b434b">${escapeHtml(content.excerpt)}</blockquote>
<p style="margin:0 0 20px"><a href="${link}" style="display:inline-block;background:#2563eb;color:#fff;text-decoration:none;font-weight:600;padding:12px 20px;border-radius:10px">Open the review</a></p>
<p style="margin:0;color:#59636e;font-size:13px">Or paste this link into your browser:<br><span style="word-break:break-all">${link}</span></p>${
		content.inboxLink
			? `\n<p style="margin:12px 0 0"><a href="${escapeHtml(content.inboxLink)}" style="color:#2563eb;font-weight:600">Your review inbox</a>: every review waiting, most urgent first.</p>`
			: ''
	}
<p style="margin:12px 0 0;color:#59636e;font-size:13px">Opening the link records nothing; only the buttons on the page do.${
		content.recipientName ? ` ${personalNote(content)}` : ''
	}</p>
</div></body></html>`;
	return { subject: content.title, text, html };
}

/** Slack's mrkdwn needs `&`, `<`, `>` escaped in text. */
function slackEscape(text: string): string {
	return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export interface ChatPayload {
	text: string;
	review: {
		title: string;
		url: string;
		executionId: string;
		workflowName?: string;
		itemCount: number;
		excerpt: string;
		deadline?: string;
		approvalsNeeded: number;
		reviewers?: { name: string; url: string }[];
	};
}

export function composeChatMessage(
	content: NotificationContent,
	personalLinks: { name: string; url: string }[] = [],
): ChatPayload {
	const links =
		personalLinks.length > 0
			? personalLinks.map((entry) => `• ${slackEscape(entry.name)}: <${entry.url}|open your review>`).join('\n')
			: `<${content.link}|Open the review>`;
	return {
		text: `*${slackEscape(content.title)}*\n${slackEscape(summaryLine(content))}\n> ${slackEscape(content.excerpt)}\n${links}`,
		review: {
			title: content.title,
			url: content.link,
			executionId: content.executionId,
			...(content.workflowName ? { workflowName: content.workflowName } : {}),
			itemCount: content.itemCount,
			excerpt: content.excerpt,
			...(content.deadline ? { deadline: content.deadline } : {}),
			approvalsNeeded: content.approvalsNeeded,
			...(personalLinks.length > 0 ? { reviewers: personalLinks } : {}),
		},
	};
}
