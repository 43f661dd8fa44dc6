/**
 * The review page and its answer pages, built from data (no n8n import; see STYLE.md).
 *
 * Every piece of user content (customer message, draft, context values, reasons, findings,
 * names) passes through {@link escapeHtml}; the page has no script, loads nothing and works
 * without JavaScript: each button is a plain submit button, the batch layout uses radio inputs.
 */
import type { ItemDecision } from './decideReview';
import { escapeHtml } from '../shared/escapeHtml';
import { respondWithinText } from '../shared/reviewSlaSteps';
import { pageLayout } from '../shared/pageLayout';
import { maskCardDataDeep } from '../shared/paymentCardData';
import { highlightFindings } from './highlightFindings';
import type { EnteredAnswers, EnteredItem } from './readEnteredAnswers';
import { REVIEW_PAGE_STYLE } from './reviewPageStyle';

export { REVIEW_PAGE_CSP, REVIEW_PAGE_HEADERS } from './reviewPageStyle';

export interface FindingView {
	ruleId: string;
	severity: 'block' | 'review' | 'info';
	message: string;
	/** Half-open span in the draft text. */
	span?: [number, number];
	fix?: string;
}

export interface ReviewItemView {
	caseId: string;
	customerMessage?: string;
	context: { label: string; value: string }[];
	draft: string;
	/** 0..1 */
	confidence?: number;
	/** Why the item is in front of a person, as plain sentences (see explainReviewReasons.ts). */
	whyReview: string[];
	findings: FindingView[];
	/** Shown instead of the assessment when the item could not be read. */
	error?: string;
	/** Quorum progress of this item. */
	progress?: { approvals: number; approvalsNeeded: number };
}

export interface ReviewPageView {
	title: string;
	instructions?: string;
	items: ReviewItemView[];
	reasons: readonly string[];
	token: string;
	/** The named reviewer of a personal link. */
	reviewer?: { id: string; name?: string };
	/** No personal link: ask who is answering (free text, recorded as given). */
	askReviewerName: boolean;
	approvalsNeeded: number;
	/** Who has answered so far (quorum), oldest first. */
	answered: { name: string; at: string }[];
	/** ISO deadline, when there is one. */
	deadline?: string;
	allowEdit: boolean;
	requireReasonToReject: boolean;
	/** Problems with the previous submission, shown on top (the page is re-rendered with them). */
	problems?: string[];
	/** When the page is rendered (ISO): posted back, so time on the page can be told from time in the inbox. */
	shownAt?: string;
	/** What the reviewer had entered on a refused form: shown again as they left it. */
	entered?: EnteredAnswers;
	/** Review Inbox (issue 14): the review's priority name. */
	priority?: string;
	/** Who holds the claim, since when (ISO), and whether it is the reader. */
	claim?: { by: string; at: string; mine: boolean };
	/** Where the form posts (default: this page's own URL) and the hidden fields it adds. */
	formAction?: string;
	formFields?: Record<string, string>;
	/** A separate "Claim this review" form. */
	claimForm?: { action: string; fields: Record<string, string> };
	/** The reader's personal Review Inbox link. */
	inboxLink?: string;
	/** Review SLAs (issue 15): the respond-within target (ISO), shown as time left / overdue by at `shownAt`. */
	respondBy?: string;
	/** The reader is a backup reviewer, brought in by the escalation at this time (ISO). */
	escalatedAt?: string;
}

export { escapeHtml };

function formatTime(iso: string): string {
	const date = new Date(iso);
	if (Number.isNaN(date.getTime())) return iso;
	return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** To the second: SLA targets of seconds (and tests of them) need it. */
function formatSecond(iso: string): string {
	const date = new Date(iso);
	if (Number.isNaN(date.getTime())) return iso;
	return `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** "respond within: 12 min left" or "overdue by 3 min", from the server's clock when the page is shown. */
function renderTarget(respondBy: string, now: string): string {
	const { text, overdue } = respondWithinText(respondBy, now);
	if (!text) return '';
	const when = `<time datetime="${escapeHtml(respondBy)}">${escapeHtml(formatTime(respondBy))}</time>`;
	return overdue
		? `<strong class="sla-overdue">${escapeHtml(text)}</strong> (answer was due ${when})`
		: `<span class="sla-left">${escapeHtml(text)}</span> to answer (target ${when})`;
}

function layout(title: string, body: string): string {
	return pageLayout({ title, style: REVIEW_PAGE_STYLE, skipLabel: 'Skip to the review', footer: 'Human review · n8n-nodes-hitl', body });
}

function renderHighlightedDraft(item: ReviewItemView, idPrefix: string): string {
	const spanned = item.findings.some((finding) => finding.span);
	if (!spanned) return '';
	const segments = highlightFindings(item.draft, item.findings);
	const html = segments
		.map((segment) => {
			if (segment.findings.length === 0) return escapeHtml(segment.text);
			const refs = segment.findings.map((index) => `${idPrefix}-finding-${index}`).join(' ');
			const worst = segment.findings.some((index) => item.findings[index].severity === 'block') ? ' sev-block' : '';
			const numbers = segment.findings.map((index) => index + 1).join(',');
			return (
				`<mark class="finding${worst}" aria-describedby="${refs}">${escapeHtml(segment.text)}</mark>` +
				`<sup class="ref" aria-hidden="true">${numbers}</sup>` +
				`<span class="sr-only"> (finding ${numbers})</span>`
			);
		})
		.join('');
	return `<h3 id="${idPrefix}-preview-h">Draft with findings marked</h3>
<div class="preview" aria-labelledby="${idPrefix}-preview-h">${html}</div>`;
}

function renderFindings(item: ReviewItemView, idPrefix: string): string {
	if (item.findings.length === 0) return '';
	const list = item.findings
		.map(
			(finding, index) =>
				`<li id="${idPrefix}-finding-${index}"><span class="sev sev-${escapeHtml(finding.severity)}">${escapeHtml(finding.severity)}</span>` +
				// The rule id is for the rules' authors (it stays on the item); the reviewer reads the message.
				escapeHtml(finding.message) +
				(finding.fix ? `<br><span class="hint">Suggested fix: ${escapeHtml(finding.fix)}</span>` : '') +
				'</li>',
		)
		.join('');
	return `${renderHighlightedDraft(item, idPrefix)}
<h3>Compliance findings</h3>
<ol class="findings">${list}</ol>`;
}

function renderAssessment(item: ReviewItemView, idPrefix: string): string {
	const parts: string[] = [];
	if (item.error) {
		parts.push(`<div class="notice notice-error" role="alert">${escapeHtml(item.error)}</div>`);
	}
	if (item.customerMessage !== undefined && item.customerMessage !== '') {
		parts.push(`<h3>Customer message</h3><blockquote>${escapeHtml(item.customerMessage)}</blockquote>`);
	}
	if (item.context.length > 0) {
		const rows = item.context
			.map((field) => `<dt>${escapeHtml(field.label)}</dt><dd>${escapeHtml(field.value)}</dd>`)
			.join('');
		parts.push(`<h3>Context</h3><dl class="context">${rows}</dl>`);
	}
	if (item.confidence !== undefined && Number.isFinite(item.confidence)) {
		const percent = Math.round(Math.max(0, Math.min(1, item.confidence)) * 100);
		parts.push(
			`<h3 id="${idPrefix}-conf-h">Model confidence</h3>` +
				`<div class="confidence"><meter id="${idPrefix}-conf" min="0" max="100" low="60" high="85" optimum="100" value="${percent}" aria-labelledby="${idPrefix}-conf-h">${percent}%</meter>` +
				`<span class="score">${percent}%</span></div>`,
		);
	}
	if (item.whyReview.length > 0) {
		const reasons = item.whyReview.map((sentence) => `<li>${escapeHtml(sentence)}</li>`).join('');
		parts.push(`<h3>Why it needs a person</h3><ul class="reasons">${reasons}</ul>`);
	}
	parts.push(renderFindings(item, idPrefix));
	if (item.progress && item.progress.approvalsNeeded > 1) {
		parts.push(
			`<p class="meta">Approvals so far: <strong>${item.progress.approvals} of ${item.progress.approvalsNeeded}</strong></p>`,
		);
	}
	return parts.join('\n');
}

function renderReasonAndComment(view: ReviewPageView, entered: EnteredItem, index: number, idPrefix: string): string {
	const selected = (reason: string) => (entered.reason === reason ? ' selected' : '');
	const reasonField =
		view.reasons.length > 0
			? `<div><label for="${idPrefix}-reason">Reason <span class="hint">(${view.requireReasonToReject ? 'required to reject' : 'optional'})</span></label>
<select id="${idPrefix}-reason" name="reason_${index}"><option value="">— none —</option>${view.reasons
					.map((reason) => `<option value="${escapeHtml(reason)}"${selected(reason)}>${escapeHtml(reason)}</option>`)
					.join('')}</select></div>`
			: '';
	return `<div class="row">${reasonField}
<div><label for="${idPrefix}-comment">Comment <span class="hint">(optional, stays internal)</span></label>
<textarea id="${idPrefix}-comment" name="comment_${index}" rows="2" maxlength="4000">${escapeHtml(entered.comment ?? '')}</textarea></div></div>`;
}

function draftRows(text: string): number {
	// Sized for a phone (about 36 characters a line) so most drafts need no scrolling inside the box.
	const lines = text.split('\n').reduce((sum, line) => sum + Math.max(1, Math.ceil(line.length / 36)), 0);
	return Math.max(6, Math.min(24, lines + 1));
}

function renderDraftField(view: ReviewPageView, item: ReviewItemView, entered: EnteredItem, index: number, idPrefix: string): string {
	const hint = view.allowEdit ? 'Edit it if needed: the text you approve is what goes out.' : 'Read-only: this review does not allow edits.';
	// A refused form comes back with the reviewer's edit; a read-only review always shows the draft.
	const text = view.allowEdit && entered.text !== undefined ? entered.text : item.draft;
	return `<label for="${idPrefix}-text">Draft reply <span class="hint" id="${idPrefix}-text-hint">${hint}</span></label>
<textarea class="draft" id="${idPrefix}-text" name="text_${index}" rows="${draftRows(item.draft)}" aria-describedby="${idPrefix}-text-hint"${
		view.allowEdit ? '' : ' readonly'
	} maxlength="50000" spellcheck="true">${escapeHtml(text)}</textarea>`;
}

function renderChoices(entered: EnteredItem, index: number, idPrefix: string): string {
	const choice = (value: string, label: string) =>
		`<label class="choice"><input type="radio" name="decision_${index}" value="${value}"${entered.choice === value ? ' checked' : ''}><span class="c-${value}">${label}</span></label>`;
	return `<fieldset class="choices" aria-describedby="${idPrefix}-choice-hint"><legend>Decision <span class="hint" id="${idPrefix}-choice-hint">(leave empty to use “Approve all remaining”)</span></legend>
${choice('approve', 'Approve')}${choice('reject', 'Reject')}${choice('escalate', 'Escalate')}</fieldset>`;
}

function renderHeader(view: ReviewPageView): string {
	const meta: string[] = [];
	const count = view.items.length;
	meta.push(count === 1 ? '1 item' : `${count} items`);
	if (view.respondBy) meta.push(renderTarget(view.respondBy, view.shownAt ?? new Date().toISOString()));
	if (view.deadline) meta.push(`answer by <time datetime="${escapeHtml(view.deadline)}">${escapeHtml(formatTime(view.deadline))}</time>`);
	if (view.priority) meta.push(`priority <strong>${escapeHtml(view.priority)}</strong>`);
	return `<header class="top"><h1 id="page-title">${escapeHtml(view.title)}</h1><p class="meta">${meta.join(' · ')}</p></header>`;
}

function renderQuorumBlock(view: ReviewPageView): string {
	const parts: string[] = [];
	if (view.reviewer) {
		const backup = view.escalatedAt
			? `, a backup reviewer: the review was escalated at <time datetime="${escapeHtml(view.escalatedAt)}">${escapeHtml(formatSecond(view.escalatedAt))}</time>`
			: '';
		parts.push(`<p class="meta">Answering as <strong>${escapeHtml(view.reviewer.name ?? view.reviewer.id)}</strong>${backup}</p>`);
	}
	if (view.approvalsNeeded > 1) {
		const answered =
			view.answered.length === 0
				? '<p class="meta">Nobody has answered yet.</p>'
				: `<ul class="progress">${view.answered
						.map((entry) => `<li>${escapeHtml(entry.name)} <span class="hint">· ${escapeHtml(formatTime(entry.at))}</span></li>`)
						.join('')}</ul>`;
		parts.push(
			`<p class="meta"><strong>${view.approvalsNeeded} approvals needed</strong> per item; any rejection decides.</p>${answered}`,
		);
	}
	return parts.length > 0 ? `<section class="card" aria-label="Reviewers">${parts.join('\n')}</section>` : '';
}

function hiddenFields(fields: Record<string, string> | undefined): string {
	return Object.entries(fields ?? {})
		.map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
		.join('');
}

/** "Being reviewed by Ana, claimed 3 minutes ago", measured from when the page is shown. */
export function claimAge(claimedAt: string, now: string): string {
	const minutes = Math.max(0, Math.floor((Date.parse(now) - Date.parse(claimedAt)) / 60_000));
	if (!Number.isFinite(minutes)) return '';
	return minutes === 0 ? 'just now' : minutes === 1 ? '1 minute ago' : `${minutes} minutes ago`;
}

function renderClaim(view: ReviewPageView): string {
	const claim = view.claim;
	const claimButton = view.claimForm
		? `<form method="post" action="${escapeHtml(view.claimForm.action)}" class="inline-form">${hiddenFields(view.claimForm.fields)}` +
			`<button type="submit" class="btn-secondary">${claim && !claim.mine ? 'Take over this review' : 'Claim this review'}</button></form>`
		: '';
	const inbox = view.inboxLink ? `<p class="meta"><a href="${escapeHtml(view.inboxLink)}">Your review inbox</a> (keep this link: it is yours)</p>` : '';
	if (!claim) return claimButton || inbox ? `<section class="card" aria-label="Claim">${claimButton}${inbox}</section>` : '';
	const age = claimAge(claim.at, view.shownAt ?? new Date().toISOString());
	const text = claim.mine
		? `You claimed this review ${escapeHtml(age)}; others are asked to leave it to you.`
		: `Being reviewed by <strong>${escapeHtml(claim.by)}</strong>, claimed ${escapeHtml(age)}.`;
	return `<section class="card claim" aria-label="Claim"><p role="status">${text}</p>${claimButton}${inbox}</section>`;
}

function renderTakeOver(view: ReviewPageView): string {
	if (!view.claim || view.claim.mine) return '';
	return `<p><label><input type="checkbox" name="takeOver" value="yes"> Take over from ${escapeHtml(view.claim.by)} (recorded)</label></p>`;
}

/** Asked last, beside the buttons, so the reviewer reads the draft first. */
function renderNameField(view: ReviewPageView): string {
	if (!view.askReviewerName) return '';
	const name = view.entered?.reviewerName;
	return `<label for="reviewer-name">Your name <span class="hint">(recorded with your decision)</span></label>
<input type="text" id="reviewer-name" name="reviewerName" maxlength="120" autocomplete="name"${name ? ` value="${escapeHtml(name)}"` : ''}>`;
}

function renderProblems(problems: string[] | undefined): string {
	if (!problems || problems.length === 0) return '';
	return `<div class="notice notice-error" role="alert"><strong>Nothing was recorded yet.</strong> Your entries are kept below. Please fix:<ul>${problems
		.map((problem) => `<li>${escapeHtml(problem)}</li>`)
		.join('')}</ul></div>`;
}

/** The review page (GET): one item with three buttons, or a batch with a decision per item. */
export function renderReviewPage(given: ReviewPageView): string {
	// PCI DSS: anyone with the link sees at most a card's last four digits and no security code,
	// in every text on the page (masking keeps lengths, so finding spans still fit the draft).
	const view = { ...maskCardDataDeep(given), token: given.token };
	const single = view.items.length === 1;
	const intro = view.instructions ? `<p>${escapeHtml(view.instructions)}</p>` : '';
	const items = view.items
		.map((item, index) => {
			const idPrefix = `i${index}`;
			const entered = view.entered?.items[index] ?? {};
			const heading = single
				? `<h2 id="${idPrefix}-h">Review <span class="case">· case ${escapeHtml(item.caseId)}</span></h2>`
				: `<legend class="item-title" id="${idPrefix}-h">Item ${index + 1} of ${view.items.length} <span class="case">· case ${escapeHtml(item.caseId)}</span></legend>`;
			const body = `${heading}
${renderAssessment(item, idPrefix)}
${renderDraftField(view, item, entered, index, idPrefix)}
${single ? '' : renderChoices(entered, index, idPrefix)}
${renderReasonAndComment(view, entered, index, idPrefix)}`;
			return single
				? `<section class="card" aria-labelledby="${idPrefix}-h">${body}</section>`
				: `<fieldset class="card" aria-labelledby="${idPrefix}-h">${body}</fieldset>`;
		})
		.join('\n');
	const actions = single
		? `<div class="actions">
<button type="submit" name="action" value="approve" class="btn-approve">Approve</button>
<button type="submit" name="action" value="reject" class="btn-reject">Reject</button>
<button type="submit" name="action" value="escalate" class="btn-escalate">Escalate</button>
</div>`
		: `<div class="actions">
<button type="submit" name="action" value="submit" class="btn-approve">Submit decisions</button>
<button type="submit" name="action" value="approveRemaining" class="btn-secondary">Approve all remaining</button>
</div>
<p class="meta">“Approve all remaining” approves only the items you left without a decision, with their text as shown; the decisions you chose stay as they are.</p>`;
	const body = `<main id="main" aria-labelledby="page-title">
${renderHeader(view)}
${renderProblems(view.problems)}
${intro ? `<div class="card">${intro}</div>` : ''}
${renderClaim(view)}
<form method="post" action="${escapeHtml(view.formAction ?? '')}" accept-charset="utf-8" novalidate>${hiddenFields(view.formFields)}
<input type="hidden" name="token" value="${escapeHtml(view.token)}">${
	view.shownAt ? `\n<input type="hidden" name="shownAt" value="${escapeHtml(view.shownAt)}">` : ''
}
${renderQuorumBlock(view)}
${items}
<section class="card" aria-label="Submit">
${renderNameField(view)}
${renderTakeOver(view)}
${actions}
<p class="meta">Nothing is recorded until you press a button. Opening this page changes nothing.</p>
</section>
</form>
</main>`;
	return layout(view.title, body);
}

export type AnswerPageKind = 'recorded' | 'waitingForOthers' | 'alreadyDecided' | 'alreadyAnswered' | 'expired' | 'invalid' | 'notYetValid';

export interface AnswerPageView {
	kind: AnswerPageKind;
	title: string;
	/** Per item, what was recorded (`recorded`, `waitingForOthers`) or decided before (`alreadyDecided`, with who and when). */
	results?: { label: string; decision: ItemDecision | 'pending'; by?: string[]; at?: string }[];
	detail?: string;
	/** `notYetValid`: the earliest time a backup reviewer's link can become valid (ISO). */
	validFrom?: string;
}

const ANSWER_TEXT: Record<AnswerPageKind, { heading: string; tone: 'ok' | 'warn' | 'error'; message: string }> = {
	recorded: { heading: 'Decision recorded', tone: 'ok', message: 'Thank you. The workflow continues with your decision. You can close this page.' },
	waitingForOthers: {
		heading: 'Your answer is recorded',
		tone: 'ok',
		message: 'Thank you. More approvals are needed before the workflow continues; the other reviewers have their own links.',
	},
	alreadyDecided: {
		heading: 'Already decided',
		tone: 'warn',
		message: 'This review was decided before your answer arrived. Your answer was not recorded and changed nothing.',
	},
	alreadyAnswered: {
		heading: 'You have already answered',
		tone: 'warn',
		message: 'Your earlier answer stands; this submission changed nothing.',
	},
	expired: {
		heading: 'The deadline has passed',
		tone: 'warn',
		message: 'This review is closed: its deadline passed before your answer arrived. Nothing was recorded.',
	},
	notYetValid: {
		heading: 'This link is not valid yet',
		tone: 'warn',
		message:
			'You are a backup reviewer for this review: your link becomes valid once the review is escalated, when nobody answered in time. Nothing was recorded.',
	},
	invalid: {
		heading: 'This link is not valid',
		tone: 'error',
		message: 'The link or the form has been altered, or belongs to another review. Nothing was recorded. Use the link you were sent.',
	},
};

/** Decisions as the reviewer reads them (the codes — `edited`, … — are for the item and the store). */
export const DECISION_TEXT: Record<ItemDecision | 'pending', string> = {
	approved: 'Approved',
	edited: 'Approved with changes',
	rejected: 'Rejected',
	escalated: 'Escalated',
	pending: 'Waiting for more approvals',
};

function decidedBy(result: { by?: string[]; at?: string }): string {
	const who = result.by && result.by.length > 0 ? ` by ${escapeHtml(result.by.join(', '))}` : '';
	const when = result.at ? ` <span class="hint">· ${escapeHtml(formatTime(result.at))}</span>` : '';
	return who || when ? `<span class="decided-by">${who}${when}</span>` : '';
}

/** When a backup reviewer's link becomes valid: at the escalation, which is not before the target. */
function validFrom(view: AnswerPageView): string {
	if (view.kind !== 'notYetValid') return '';
	if (!view.validFrom) return '<p>This review has no respond-within target, so it is not escalated; your link stays closed unless that changes.</p>';
	return `<p class="valid-from">Valid from the escalation, not before <time datetime="${escapeHtml(view.validFrom)}">${escapeHtml(formatSecond(view.validFrom))}</time> (the respond-within target). Open this link again then, or wait for the escalation message.</p>`;
}

/** The page that answers a submission (or a link that cannot be used). */
export function renderAnswerPage(given: AnswerPageView): string {
	const view = maskCardDataDeep(given);
	const text = ANSWER_TEXT[view.kind];
	const results =
		view.results && view.results.length > 0
			? `<dl class="result">${view.results
					.map(
						(result) =>
							`<dt>${escapeHtml(result.label)}</dt><dd><span class="pill pill-${escapeHtml(result.decision)}">${escapeHtml(DECISION_TEXT[result.decision] ?? result.decision)}</span>${decidedBy(result)}</dd>`,
					)
					.join('')}</dl>`
			: '';
	const body = `<main id="main" aria-labelledby="page-title">
<header class="top"><h1 id="page-title">${escapeHtml(view.title)}</h1></header>
<section class="card" aria-live="polite">
<div class="notice notice-${text.tone}" role="${text.tone === 'error' ? 'alert' : 'status'}"><strong>${escapeHtml(text.heading)}.</strong> ${escapeHtml(text.message)}</div>
${view.detail ? `<p>${escapeHtml(view.detail)}</p>` : ''}
${validFrom(view)}
${results}
</section>
</main>`;
	return layout(`${text.heading} · ${view.title}`, body);
}
