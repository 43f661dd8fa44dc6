/**
 * The Review Inbox page, the review-status page and the inbox's short answer pages, built from
 * data (no n8n import; see STYLE.md). The rules of the review page hold here too: every piece of
 * content passes through escapeHtml, nothing is loaded, a restrictive Content-Security-Policy,
 * usable on a phone, labelled for screen readers, and every change is a POST (a GET — a mail
 * scanner, a chat preview, a reload — changes nothing).
 *
 * The time left is plain text from the server; one small script (allowed by its hash, nothing
 * else may run) counts it down live, and without it the text stays right as of the page's load.
 */
import { createHash } from 'node:crypto';

import { escapeHtml } from '../shared/escapeHtml';
import { pageLayout } from '../shared/pageLayout';
import { priorityName } from '../shared/reviewPriority';
import { respondWithinText } from '../shared/reviewSlaSteps';
import { pageHeaders, REVIEW_PAGE_STYLE } from '../shared/reviewPageStyle';

const INBOX_EXTRA_STYLE = `
.filters{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:0 12px;align-items:end}
.filters label{margin:8px 0 4px}
.filters .check{display:flex;gap:8px;align-items:center;font-weight:600;margin:14px 0}
.counts{display:flex;flex-wrap:wrap;gap:6px;margin:0;padding:0;list-style:none}
.counts li{background:var(--card);border:1px solid var(--line);border-radius:999px;padding:2px 10px;font-size:.85rem}
ol.queue{list-style:none;margin:0;padding:0}
ol.queue>li{background:var(--card);border:1px solid var(--line);border-radius:12px;padding:14px 16px;margin:0 0 12px}
ol.queue h2{font-size:1.02rem;margin:0 0 4px;overflow-wrap:anywhere}
.prio{display:inline-block;font-size:.72rem;font-weight:700;text-transform:uppercase;letter-spacing:.04em;padding:1px 8px;border-radius:999px;margin-right:6px;vertical-align:2px}
.prio-urgent,.prio-high{background:var(--bad-bg);color:var(--bad)}
.prio-normal{background:var(--warn-bg);color:var(--warn)}
.prio-low{background:var(--info-bg);color:var(--info)}
.left{font-weight:700;font-variant-numeric:tabular-nums}
.left.overdue{color:var(--bad)}
.summary{margin:6px 0;overflow-wrap:anywhere}
.row-actions{display:flex;flex-wrap:wrap;gap:8px;margin-top:10px}
.row-actions>*{flex:1 1 140px;margin:0}
a.btn{display:block;text-align:center;text-decoration:none;font-weight:600;min-height:48px;padding:12px 18px;border-radius:10px;background:var(--accent);color:#fff}
.claimed{color:var(--warn);font-weight:600}
ul.stopped{margin:0;padding:0 0 0 18px;overflow-wrap:anywhere}
ul.stopped li{margin:4px 0}
`;

export const INBOX_PAGE_STYLE = REVIEW_PAGE_STYLE + INBOX_EXTRA_STYLE;

/** Counts every `<time class="left" datetime>` down once a second; only text changes. */
export const COUNTDOWN_SCRIPT = `(function(){function f(ms){if(ms<=0)return'overdue';var m=Math.floor(ms/60000),d=Math.floor(m/1440),h=Math.floor(m%1440/60),n=m%60;return(d?d+' d '+h+' h':h?h+' h '+n+' min':n?n+' min':Math.floor(ms/1000)+' s')+' left'}function t(){var e=document.querySelectorAll('time.left[datetime]');for(var i=0;i<e.length;i++){var ms=Date.parse(e[i].getAttribute('datetime'))-Date.now();e[i].textContent=f(ms);if(ms<=0)e[i].className='left overdue'}}setInterval(t,1000)})();`;

const scriptHash = createHash('sha256').update(COUNTDOWN_SCRIPT).digest('base64');

/** The inbox's headers: the review page's, with exactly the countdown script allowed. */
export const INBOX_PAGE_HEADERS: Readonly<Record<string, string>> = (() => {
	const headers = { ...pageHeaders(INBOX_PAGE_STYLE) };
	headers['Content-Security-Policy'] = headers['Content-Security-Policy'].replace("script-src 'none'", `script-src 'sha256-${scriptHash}'`);
	return headers;
})();

/** Headers of the inbox's pages without the countdown (status, refusals). */
export const INBOX_MESSAGE_HEADERS = pageHeaders(INBOX_PAGE_STYLE);

/** The gate's reason codes in the reviewers' words. */
const REASON_WORDS: Record<string, string> = {
	COMPLIANCE_BLOCK: 'Compliance: blocking finding',
	COMPLIANCE_REVIEW: 'Compliance: finding to check',
	RISK_FLAG: 'Risk flag',
	LOW_CONFIDENCE: 'Low confidence',
	NOT_LEARNED: 'Still learning',
	SCORE_MISSING: 'No confidence score',
	SCORE_OUT_OF_RANGE: 'Unusable confidence score',
	BREAKER_OPEN: 'Auto-send paused',
	AUDIT_SAMPLE: 'Audit sample',
	CONDITION: 'Condition matched',
	SHADOW_MODE: 'Shadow mode',
};

export function reasonWords(code: string): string {
	return REASON_WORDS[code] ?? code;
}

/** "45 min left", "2 h 5 min left", "3 d 4 h left", "overdue": the countdown's text at `now`. */
export function timeLeftText(deadline: string, now: string): string {
	return timeLeftAt(Date.parse(deadline) - Date.parse(now));
}

/** The page works on milliseconds: it parses `now` once, not once per row and text. */
function timeLeftAt(ms: number): string {
	if (!Number.isFinite(ms)) return '';
	if (ms <= 0) return 'overdue';
	const minutes = Math.floor(ms / 60_000);
	const days = Math.floor(minutes / 1440);
	const hours = Math.floor((minutes % 1440) / 60);
	const rest = minutes % 60;
	const text = days ? `${days} d ${hours} h` : hours ? `${hours} h ${rest} min` : minutes ? `${minutes} min` : `${Math.floor(ms / 1000)} s`;
	return `${text} left`;
}

/** "just now", "1 minute ago", "3 minutes ago", "2 hours ago". */
export function agoText(at: string, now: string): string {
	return agoAt(Date.parse(now) - Date.parse(at));
}

function agoAt(ms: number): string {
	const minutes = Math.max(0, Math.floor(ms / 60_000));
	if (!Number.isFinite(minutes)) return '';
	if (minutes === 0) return 'just now';
	if (minutes < 120) return minutes === 1 ? '1 minute ago' : `${minutes} minutes ago`;
	return `${Math.floor(minutes / 60)} hours ago`;
}

export function formatUtc(iso: string): string {
	const date = new Date(iso);
	return Number.isNaN(date.getTime()) ? iso : `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

export interface InboxForm {
	action: string;
	fields: Record<string, string>;
	label: string;
}

export interface InboxRowView {
	title: string;
	workflowName?: string;
	priority: number;
	requestedAt: string;
	deadline?: string;
	/** Review SLAs (issue 15): the respond-within target (ISO), shown as time left / overdue by. */
	respondBy?: string;
	expired: boolean;
	items: { caseId: string; summary: string; reasons: string[]; confidence?: number; intent?: string }[];
	claim?: { by: string; at: string; mine: boolean };
	/** Opens the review page (the reader's personal link, through the inbox). */
	openUrl?: string;
	/** Why there is no open link, when there is none. */
	noOpenReason?: string;
	/** Claim / release / take over: buttons of the page's one claim form (which carries the identityFields). */
	actions: InboxRowAction[];
}

/**
 * The name of a row's claim button. Its value is a form query (`inboxAction=claim&execution=…&node=…`)
 * that the inbox reads as if its fields had been posted: one form per page instead of one per row
 * with the reader's identity repeated in each (a third of the page).
 */
export const ROW_ACTION_FIELD = 'row';

export interface InboxRowAction {
	label: string;
	/** Posted as ROW_ACTION_FIELD. */
	value: string;
}

export interface InboxPageView {
	title: string;
	now: string;
	/** The named reviewer of a personal inbox link; none for a shared inbox. */
	viewer?: { id: string; name?: string };
	rows: InboxRowView[];
	/** Pending reviews matching the filters (rows shows the first page of them). */
	total: number;
	countsByReason: Record<string, number>;
	filters: { workflow?: string; intent?: string; reason?: string; mine?: boolean };
	workflows: readonly { readonly id: string; readonly name: string }[];
	/** The inbox's URL, target of the filter form and the claim form, and the identity fields both carry along. */
	filterAction: string;
	identityFields: Record<string, string>;
	/** A line on top (e.g. "You claimed …"). */
	notice?: { kind: 'ok' | 'warn' | 'error'; text: string };
	/** Reviews that stopped waiting lately without a decision: shown, never offered. */
	stopped?: { title: string; workflowName?: string; status: 'expired' | 'cancelled'; closedAt?: string }[];
}

function renderStopped(view: InboxPageView): string {
	if (!view.stopped?.length) return '';
	return `<section aria-labelledby="stopped-h">
<h2 id="stopped-h" class="meta">No longer waiting (last 24 hours): these can no longer be answered</h2>
<ul class="stopped">
${view.stopped
	.map(
		(review) =>
			`<li><strong>${escapeHtml(review.title)}</strong>${review.workflowName ? ` · ${escapeHtml(review.workflowName)}` : ''} · <span class="left overdue">${
				review.status === 'expired' ? 'expired' : 'cancelled'
			}</span>${review.closedAt ? ` at <time datetime="${escapeHtml(review.closedAt)}">${escapeHtml(formatUtc(review.closedAt))}</time>` : ''}</li>`,
	)
	.join('\n')}
</ul>
</section>`;
}

function layout(title: string, body: string, script: boolean): string {
	return pageLayout({
		title,
		style: INBOX_PAGE_STYLE,
		skipLabel: 'Skip to the reviews',
		footer: 'Review inbox · n8n-nodes-hitl',
		body,
		script: script ? COUNTDOWN_SCRIPT : undefined,
	});
}

function hidden(fields: Record<string, string>): string {
	let html = '';
	for (const name in fields) html += `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(fields[name])}">`;
	return html;
}

function option(value: string, label: string, selected: string | undefined): string {
	return `<option value="${escapeHtml(value)}"${value === (selected ?? '') ? ' selected' : ''}>${escapeHtml(label)}</option>`;
}

/**
 * The workflow options by list and selection: the store hands out one frozen list until a counter
 * changes (a hundred workflows are a hundred options on every view).
 */
const workflowOptions = new WeakMap<object, { selected: string; html: string }>();

function renderWorkflowOptions(view: InboxPageView): string {
	const selected = view.filters.workflow ?? '';
	const cached = workflowOptions.get(view.workflows);
	if (cached?.selected === selected) return cached.html;
	const html = view.workflows.map((workflow) => option(workflow.id, workflow.name, view.filters.workflow)).join('');
	if (Object.isFrozen(view.workflows)) workflowOptions.set(view.workflows, { selected, html });
	return html;
}

function renderFilters(view: InboxPageView): string {
	const reasons = Object.keys(view.countsByReason).sort();
	if (view.filters.reason && !reasons.includes(view.filters.reason)) reasons.push(view.filters.reason);
	return `<form method="get" action="${escapeHtml(view.filterAction)}" class="card" aria-label="Filters">${hidden(view.identityFields)}
<div class="filters">
<div><label for="f-workflow">Workflow</label><select id="f-workflow" name="workflow">${option('', 'All workflows', view.filters.workflow)}${renderWorkflowOptions(view)}</select></div>
<div><label for="f-intent">Intent</label><input type="text" id="f-intent" name="intent" value="${escapeHtml(view.filters.intent ?? '')}" placeholder="e.g. refund"></div>
<div><label for="f-reason">Reason</label><select id="f-reason" name="reason">${option('', 'All reasons', view.filters.reason)}${reasons
		.map((reason) => option(reason, reasonWords(reason), view.filters.reason))
		.join('')}</select></div>
${
	view.viewer
		? `<div><label class="check"><input type="checkbox" name="mine" value="1"${view.filters.mine ? ' checked' : ''}> Only mine</label></div>`
		: ''
}
<div class="actions"><button type="submit" class="btn-secondary">Filter</button></div>
</div>
</form>`;
}

function renderCounts(view: InboxPageView): string {
	const entries = Object.entries(view.countsByReason).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
	if (!entries.length) return '';
	return `<section aria-labelledby="counts-h" class="card"><h2 id="counts-h">Waiting, by reason</h2><ul class="counts">${entries
		.map(([reason, count]) => `<li>${escapeHtml(reasonWords(reason))}: <strong>${count}</strong></li>`)
		.join('')}</ul></section>`;
}

/** Reason words as HTML, escaped once per code. */
const reasonHtml = new Map<string, string>();

function reasonWordsHtml(code: string): string {
	let html = reasonHtml.get(code);
	if (html === undefined) {
		html = escapeHtml(reasonWords(code));
		if (reasonHtml.size < 1000) reasonHtml.set(code, html);
	}
	return html;
}

/** The reasons of all items, each once, in the reviewers' words. */
function reasonsHtml(items: InboxRowView['items']): string {
	if (items.length === 1) {
		const reasons = items[0].reasons;
		if (reasons.length === 1) return reasonWordsHtml(reasons[0]);
		if (new Set(reasons).size === reasons.length) return reasons.map(reasonWordsHtml).join(' · ');
	}
	return [...new Set(items.flatMap((item) => item.reasons))].map(reasonWordsHtml).join(' · ');
}

/**
 * One row: one template, the static parts written in it (the page has 50 rows; per-row pieces and
 * helpers were the largest part of an inbox GET's time, bench/inbox/README.md).
 */
function renderRow(row: InboxRowView, index: number, now: string, nowMs: number): string {
	const id = `r${index}-h`;
	const name = priorityName(row.priority);
	const first = row.items[0];
	const count = row.items.length;
	const more = count > 1 ? ` and ${count - 1} more item${count > 2 ? 's' : ''}` : '';
	let left: string;
	if (row.expired) left = '<span class="left overdue">expired</span>';
	else if (row.deadline) {
		const ms = Date.parse(row.deadline) - nowMs;
		const deadline = escapeHtml(row.deadline);
		left = `<time class="left${ms <= 0 ? ' overdue' : ''}" datetime="${deadline}">${timeLeftAt(ms)}</time>`;
	} else left = '<span class="left">no time limit</span>';
	// The respond-within target beside the time limit: plain text at `now` (the countdown script counts only the limit).
	let target = '';
	if (row.respondBy && !row.expired) {
		const step = respondWithinText(row.respondBy, now);
		if (step.text) target = ` · <span class="left${step.overdue ? ' overdue' : ''}">${step.overdue ? '' : 'target: '}${escapeHtml(step.text)}</span>`;
	}
	const claim = row.claim
		? `<p class="claimed" role="status">${row.claim.mine ? 'Claimed by you' : `Being reviewed by ${escapeHtml(row.claim.by)}`}, claimed ${agoAt(nowMs - Date.parse(row.claim.at))}</p>\n`
		: '';
	let actions = row.openUrl ? `<a class="btn" href="${escapeHtml(row.openUrl)}" aria-describedby="${id}">Open review</a>` : '';
	for (const action of row.actions) {
		actions += `<button class="btn-secondary" name="${ROW_ACTION_FIELD}" value="${escapeHtml(action.value)}" aria-describedby="${id}">${escapeHtml(action.label)}</button>`;
	}
	return `<li aria-labelledby="${id}">
<h2 id="${id}"><span class="prio prio-${name}">${name}<span class="sr-only"> priority</span></span>${escapeHtml(row.title)}</h2>
<p class="meta">${row.workflowName ? `${escapeHtml(row.workflowName)} · ` : ''}case ${first ? escapeHtml(first.caseId) : '—'}${more} · ${left}${target} · requested ${agoAt(nowMs - Date.parse(row.requestedAt))}</p>
${first?.summary ? `<p class="summary">${escapeHtml(first.summary)}</p>\n` : ''}<p class="meta">${reasonsHtml(row.items)}${
		first?.confidence !== undefined ? ` · confidence ${Math.round(first.confidence * 100)}%` : ''
	}${first?.intent ? ` · intent ${escapeHtml(first.intent)}` : ''}</p>
${claim}${row.noOpenReason ? `<p class="meta">${escapeHtml(row.noOpenReason)}</p>\n` : ''}${actions ? `<div class="row-actions">${actions}</div>\n` : ''}</li>`;
}

export function renderInboxPage(view: InboxPageView): string {
	const who = view.viewer
		? `Signed in by your personal link as <strong>${escapeHtml(view.viewer.name ?? view.viewer.id)}</strong>`
		: 'Shared inbox: anyone with this address sees the queue; nobody is identified, so there are no claims and no “mine”.';
	const shown = view.rows.length < view.total ? `the first ${view.rows.length} of ${view.total}` : `${view.total}`;
	const nowMs = Date.parse(view.now);
	let rows = '';
	for (let index = 0; index < view.rows.length; index++) rows += `${index ? '\n' : ''}${renderRow(view.rows[index], index, view.now, nowMs)}`;
	// The rows' claim buttons belong to one form, which carries the reader's identity once.
	const queue = view.rows.some((row) => row.actions.length)
		? `<form method="post" action="${escapeHtml(view.filterAction)}">${hidden(view.identityFields)}
<ol class="queue">
${rows}
</ol>
</form>`
		: `<ol class="queue">
${rows}
</ol>`;
	const notice = view.notice ? `<div class="notice notice-${view.notice.kind}" role="status">${escapeHtml(view.notice.text)}</div>` : '';
	const body = `<main id="main" aria-labelledby="page-title">
<header class="top"><h1 id="page-title">${escapeHtml(view.title)}</h1><p class="meta">${who}</p></header>
${notice}
${renderCounts(view)}
${renderFilters(view)}
<section aria-labelledby="queue-h">
<h2 id="queue-h" class="meta">${view.total === 0 ? 'Nothing is waiting for review.' : `Waiting for review: ${shown}, most urgent first`}</h2>
${queue}
</section>
${renderStopped(view)}
</main>`;
	return layout(view.title, body, view.rows.some((row) => row.deadline && !row.expired));
}

export interface ReviewStatusView {
	title: string;
	status: 'pending' | 'decided' | 'expired' | 'cancelled';
	decisions?: string[];
	decidedBy?: string[];
	closedAt?: string;
	deadline?: string;
	/** Back to the reader's inbox, when known. */
	inboxUrl?: string;
	/** The reader tried to answer (a late POST) rather than just open the link. */
	triedToAnswer: boolean;
}

const DECISION_WORDS: Record<string, string> = {
	approved: 'approved',
	edited: 'approved with changes',
	rejected: 'rejected',
	escalated: 'escalated',
	timedOut: 'timed out',
	pending: 'left undecided',
};

/** What a reviewer sees who opens or answers a review that is no longer waiting (issue 11 defect 5). */
export function renderReviewStatusPage(view: ReviewStatusView): string {
	const notRecorded = view.triedToAnswer ? ' Your answer was <strong>not</strong> recorded.' : '';
	let heading: string;
	let text: string;
	if (view.status === 'decided') {
		const decisions = [...new Set((view.decisions ?? []).map((decision) => DECISION_WORDS[decision] ?? decision))];
		const by = (view.decidedBy ?? []).length ? (view.decidedBy ?? []).map(escapeHtml).join(', ') : 'another reviewer';
		heading = 'Already decided';
		text = `This review was already decided by <strong>${by}</strong>: ${escapeHtml(decisions.join(', ') || 'decided')}${
			view.closedAt ? ` at <time datetime="${escapeHtml(view.closedAt)}">${escapeHtml(formatUtc(view.closedAt))}</time>` : ''
		}.${notRecorded}`;
	} else if (view.status === 'expired') {
		heading = 'This review has expired';
		const when = view.deadline ?? view.closedAt;
		text = `The time to answer ended${when ? ` at <time datetime="${escapeHtml(when)}">${escapeHtml(formatUtc(when))}</time>` : ''}; the item went on as “timed out”.${notRecorded}`;
	} else if (view.status === 'cancelled') {
		heading = 'This review was cancelled';
		text = `The workflow stopped waiting for it.${notRecorded}`;
	} else {
		heading = 'This review is not open right now';
		text = `Try the link again in a moment.${notRecorded}`;
	}
	const back = view.inboxUrl ? `<p><a href="${escapeHtml(view.inboxUrl)}">Back to your review inbox</a></p>` : '';
	const body = `<main id="main" aria-labelledby="page-title">
<header class="top"><h1 id="page-title">${escapeHtml(view.title)}</h1></header>
<div class="notice notice-warn" role="status"><strong>${heading}.</strong> ${text}</div>
${back}
</main>`;
	return layout(view.title, body, false);
}

/** A short answer page: a refused link, a refused claim, a missing review. */
export function renderInboxMessage(view: { title: string; heading: string; text: string; kind: 'ok' | 'warn' | 'error'; backUrl?: string; form?: InboxForm }): string {
	const form = view.form
		? `<form method="post" action="${escapeHtml(view.form.action)}">${hidden(view.form.fields)}<div class="actions"><button type="submit" class="btn-secondary">${escapeHtml(view.form.label)}</button></div></form>`
		: '';
	const body = `<main id="main" aria-labelledby="page-title">
<header class="top"><h1 id="page-title">${escapeHtml(view.title)}</h1></header>
<div class="notice notice-${view.kind}" role="status"><strong>${escapeHtml(view.heading)}.</strong> ${escapeHtml(view.text)}</div>
${form}
${view.backUrl ? `<p><a href="${escapeHtml(view.backUrl)}">Back to the review inbox</a></p>` : ''}
</main>`;
	return layout(view.title, body, false);
}
