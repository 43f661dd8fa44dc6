/**
 * What the Review Inbox answers to one request, from the store and its settings (no n8n import;
 * the node shell sends the answer). Three jobs:
 * - GET without a review: the queue page for the reader (personal link) or anyone (shared inbox);
 * - GET / POST with a review's link parts: forward to the live review page while the review is
 *   pending, else its status from the store (issue 11 defect 5: a late reviewer learns that the
 *   review was decided, by whom and how, instead of n8n's "Your response has been recorded");
 * - POST claim / take over / release: compare-and-set in the store, then back where it came from.
 * A GET changes nothing but an "inboxViewed" audit line.
 */
import { linkHash, readReviewLinkParts, reviewPageUrl, splitResumeUrl, type ReviewLinkParts } from '../shared/reviewInboxLinks';
import { openSealedReviewUrl, signInboxReviewer, signReviewer, verifyInboxReviewer, verifyReviewer } from '../shared/reviewSignatures';
import type { ExecutionState } from './checkExecution';
import type { HitlStore, ListedPendingReview, PendingReviewFilter, StoredPendingReview } from '../shared/store';
import {
	INBOX_MESSAGE_HEADERS,
	INBOX_PAGE_HEADERS,
	renderInboxMessage,
	renderInboxPage,
	renderReviewStatusPage,
	ROW_ACTION_FIELD,
	type InboxRowAction,
	type InboxRowView,
} from './renderInboxPage';

export interface InboxSettings {
	title: string;
	/** The inbox's own production URL (links and forms point here). */
	inboxUrl: string;
	/** The webhook path: personal inbox links are bound to it. */
	path: string;
	nodeName: string;
	access: 'personal' | 'shared';
	/** The HITL Review Secret (required for personal access; opens named reviewers' reviews). */
	secret?: string;
	claimMinutes: number;
	pageSize: number;
}

export interface InboxRequest {
	method: string;
	query: Record<string, unknown>;
	body?: Record<string, unknown>;
	now: string;
}

/** What the inbox asks n8n (checkExecution.ts); left out, no execution is checked (tests, bench). */
export interface InboxDeps {
	checkExecution?: (resumeUrl: string) => Promise<ExecutionState>;
}

export type InboxResponse =
	| { status: number; headers: Readonly<Record<string, string>>; html: string }
	| { status: 303 | 307; location: string };

type Viewer = { id: string; name?: string };

const text = (fields: Record<string, unknown> | undefined, name: string) => (typeof fields?.[name] === 'string' ? (fields[name] as string).trim() : '');

function page(status: number, html: string, headers = INBOX_MESSAGE_HEADERS): InboxResponse {
	return { status, headers, html };
}

export function personalInboxUrl(settings: Pick<InboxSettings, 'inboxUrl'>, reviewerId: string, isig: string, extra: Record<string, string> = {}): string {
	const url = new URL(settings.inboxUrl);
	url.searchParams.set('reviewer', reviewerId);
	url.searchParams.set('isig', isig);
	for (const [name, value] of Object.entries(extra)) url.searchParams.set(name, value);
	return url.toString();
}

function isExpired(review: Pick<StoredPendingReview, 'status' | 'deadline'>, now: string): boolean {
	return isExpiredAt(review, Date.parse(now));
}

/** The same at `nowMs`: the queue page parses its time once for all its rows. */
function isExpiredAt(review: Pick<StoredPendingReview, 'status' | 'deadline'>, nowMs: number): boolean {
	return review.status === 'expired' || (review.status === 'pending' && !!review.deadline && Date.parse(review.deadline) <= nowMs);
}

async function audit(store: HitlStore, key: { executionId: string; nodeName: string }, event: string, actor: string, detail: Record<string, string | number | null>) {
	await store.appendAudit({ ...key, event, actor, detail });
}

/**
 * Personal inbox links verified lately, with the secret that verified them: a reader reloads their
 * inbox, and an HMAC per view cost a tenth of the page's time (bench/inbox/README.md).
 */
const verifiedLinks = new Map<string, string>();

/** The reader of a personal inbox link, `null` for a refused (tampered) one, undefined for a shared inbox. */
function identify(settings: InboxSettings, fields: Record<string, unknown> | undefined): Viewer | null | undefined {
	if (settings.access === 'shared') return undefined;
	const reviewerId = text(fields, 'reviewer');
	const isig = text(fields, 'isig');
	const link = `${settings.path}\n${reviewerId}\n${isig}`;
	if (!settings.secret) return null;
	if (verifiedLinks.get(link) !== settings.secret) {
		if (!verifyInboxReviewer(settings.secret, settings.path, reviewerId, isig)) return null;
		if (verifiedLinks.size >= 1000) verifiedLinks.delete(verifiedLinks.keys().next().value as string);
		verifiedLinks.set(link, settings.secret);
	}
	return { id: reviewerId };
}

/** The fields a row's claim button posts in its value (see ROW_ACTION_FIELD). */
const ROW_ACTION_FIELDS = ['inboxAction', 'execution', 'node'];

/** A posted form with a row's claim button: its value's fields as if posted one by one. */
function postedFields(body: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
	const row = body?.[ROW_ACTION_FIELD];
	if (typeof row !== 'string') return body;
	const fields: Record<string, unknown> = { ...body };
	delete fields[ROW_ACTION_FIELD];
	const given = new URLSearchParams(row);
	for (const name of ROW_ACTION_FIELDS) fields[name] = given.get(name) ?? '';
	return fields;
}

export async function serveInbox(store: HitlStore, settings: InboxSettings, given: InboxRequest, deps: InboxDeps = {}): Promise<InboxResponse> {
	const isPost = given.method === 'POST';
	const request = isPost ? { ...given, body: postedFields(given.body) } : given;
	const fields = isPost ? request.body : request.query;
	const action = isPost ? text(fields, 'inboxAction') : '';
	const parts = readReviewLinkParts(fields);
	// The queue page marks overdue reviews while it reads (showQueue).
	if (!isPost && !action && !text(fields, 'open') && !parts) return showQueue(store, settings, request, deps);
	// n8n calls no node code when a wait times out: reviews past their deadline are marked here,
	// before anything is read (an indexed probe that finds nothing on almost every request).
	await store.pendingReviews.expireOverdueReviews(request.now);
	if (action === 'claim' || action === 'takeOver' || action === 'release') return changeClaim(store, settings, request, action, deps);
	if (!isPost && text(fields, 'open')) return openFromInbox(store, settings, request, deps);
	if (parts) return forwardToReview(store, settings, parts, isPost, request.now, deps);
	return page(400, renderInboxMessage({ title: settings.title, heading: 'Nothing to do', text: 'This form is not one the inbox knows.', kind: 'error' }));
}

/** When each review was last checked in n8n by this process: a listed review is asked at most once a minute. */
const lastChecked = new Map<string, number>();
const RECHECK_MS = 60_000;
/** At most this many reviews are checked per page view (in parallel), the least recently checked first. */
const CHECKS_PER_VIEW = 10;

/**
 * Asks n8n whether the review's execution still waits; when n8n says it stopped (cancelled,
 * failed, deleted), marks the review cancelled (expired when its deadline passed) with an audit
 * line, and returns the review as it now is. Needs the secret (to open the sealed resume URL).
 */
async function confirmWaiting(store: HitlStore, settings: InboxSettings, review: StoredPendingReview, now: string, deps: InboxDeps): Promise<StoredPendingReview> {
	if (review.status !== 'pending' || !deps.checkExecution || !settings.secret || !review.sealedLink) return review;
	const resumeUrl = openSealedReviewUrl(settings.secret, review.sealedLink);
	if (!resumeUrl) return review;
	const key = { executionId: review.executionId, nodeName: review.nodeName };
	const keyText = `${key.executionId}\n${key.nodeName}`;
	lastChecked.delete(keyText);
	lastChecked.set(keyText, Date.parse(now));
	if (lastChecked.size > 10_000) lastChecked.delete(lastChecked.keys().next().value as string);
	if ((await deps.checkExecution(resumeUrl)) !== 'stopped') return review;
	const status = isExpired(review, now) ? 'expired' : 'cancelled';
	if (await store.pendingReviews.closePendingReview(key, { status, at: now })) {
		await audit(store, key, status === 'cancelled' ? 'cancelled' : 'expired', 'inbox', { via: 'n8n says the execution is not waiting' });
	}
	return { ...review, status, closedAt: now };
}

/** Checks the listed reviews not checked within the last minute (at most CHECKS_PER_VIEW); true when one stopped. */
async function checkListed(store: HitlStore, settings: InboxSettings, reviews: ListedPendingReview[], now: string, deps: InboxDeps): Promise<boolean> {
	if (!deps.checkExecution || !settings.secret) return false;
	const nowMs = Date.parse(now);
	const due = reviews
		.filter((review) => review.opensFromInbox && nowMs - (lastChecked.get(`${review.executionId}\n${review.nodeName}`) ?? 0) >= RECHECK_MS)
		.slice(0, CHECKS_PER_VIEW);
	const results = await Promise.all(
		due.map(async (listed) => {
			const review = await store.pendingReviews.getPendingReview(listed, now);
			return review ? (await confirmWaiting(store, settings, review, now, deps)).status !== 'pending' : false;
		}),
	);
	return results.some(Boolean);
}

function refusedLink(settings: InboxSettings): InboxResponse {
	return page(
		403,
		renderInboxMessage({
			title: settings.title,
			heading: 'This link is not valid',
			text: 'It was changed or is not for this inbox. Open the personal inbox link you were sent, unchanged.',
			kind: 'error',
		}),
	);
}

async function forwardToReview(
	store: HitlStore,
	settings: InboxSettings,
	parts: ReviewLinkParts,
	isPost: boolean,
	now: string,
	deps: InboxDeps,
): Promise<InboxResponse> {
	const stored = await store.pendingReviews.getPendingReview(parts, now);
	if (!stored && !isPost) {
		// A link handed out just before the review started waiting (a webhook's answer, unfurled by a
		// chat at once): say so rather than "not valid" (issue 11 defects 5 and 6).
		return page(
			409,
			renderInboxMessage({
				title: settings.title,
				heading: 'This review is not open yet',
				text: 'No review is waiting at this link yet. If you just received it, open it again in a moment; otherwise check that you opened the whole link.',
				kind: 'warn',
			}),
		);
	}
	// Holding the link is proven by the execution's token, whose hash the store keeps.
	if (!stored?.linkHash || stored.linkHash !== linkHash(parts.executionId, parts.signature)) return refusedLink(settings);
	const review = await confirmWaiting(store, settings, stored, now, deps);
	if (review.status === 'pending' && !isExpired(review, now) && review.resumeBase) {
		// 307 keeps the method and the posted form: the browser sends the answer on to the review page.
		return { status: isPost ? 307 : 303, location: reviewPageUrl(review.resumeBase, parts) };
	}
	// A way back to the reader's own inbox, only for a personal review link whose signature holds.
	const secret = settings.access === 'personal' ? settings.secret : undefined;
	const viewer =
		secret && parts.reviewerId && verifyReviewer(secret, { executionId: review.executionId, nodeId: review.nodeId, reviewerId: parts.reviewerId }, parts.rsig)
			? parts.reviewerId
			: undefined;
	const inboxUrl = viewer && secret ? personalInboxUrl(settings, viewer, signInboxReviewer(secret, settings.path, viewer)) : undefined;
	return page(
		isPost ? 409 : 200,
		renderReviewStatusPage({
			title: review.title,
			status: isExpired(review, now) ? 'expired' : review.status,
			...(review.decisions ? { decisions: review.decisions } : {}),
			...(review.decidedBy ? { decidedBy: review.decidedBy } : {}),
			...(review.closedAt ? { closedAt: review.closedAt } : {}),
			...(review.deadline ? { deadline: review.deadline } : {}),
			...(inboxUrl ? { inboxUrl } : {}),
			triedToAnswer: isPost,
		}),
	);
}

/**
 * `a=1&b=2` exactly as URLSearchParams writes it (spaces as `+`), built as a string: the inbox
 * writes one link per row and a URL object per row cost more than the row's whole HTML.
 */
function formQuery(fields: Record<string, string>): string {
	return Object.entries(fields)
		.map(([name, value]) => `${formEncode(name)}=${formEncode(value)}`)
		.join('&');
}

function formEncode(value: string): string {
	// Ids are mostly letters and digits, which stay as they are.
	if (/^[\w.-]*$/.test(value)) return value;
	return encodeURIComponent(value)
		.replace(/%20/g, '+')
		.replace(/[!'()~]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Links to the inbox with the reader's identity, for every row of one page. */
interface InboxLinks {
	/** The inbox URL as URL writes it, `?`, and the identity fields' query with its `&` (or ''). */
	prefix: string;
	/** Encoded node names: the rows of a page mostly share theirs. */
	encoded: Map<string, string>;
}

/** The inbox URL as URL writes it, without a query: parsed once per inbox URL, not per view. */
const inboxBases = new Map<string, string>();

function inboxLinks(settings: InboxSettings, identity: Record<string, string>): InboxLinks {
	let base = inboxBases.get(settings.inboxUrl);
	if (base === undefined) {
		const url = new URL(settings.inboxUrl);
		url.search = '';
		base = url.toString();
		if (inboxBases.size < 100) inboxBases.set(settings.inboxUrl, base);
	}
	const identityQuery = formQuery(identity);
	return { prefix: `${base}?${identityQuery ? `${identityQuery}&` : ''}`, encoded: new Map() };
}

function encodeOnce(links: InboxLinks, value: string): string {
	let encoded = links.encoded.get(value);
	if (encoded === undefined) {
		encoded = formEncode(value);
		links.encoded.set(value, encoded);
	}
	return encoded;
}

/** `open=…&node=…`, `inboxAction=claim&execution=…&node=…`: what a row's link and button carry. */
function rowQuery(links: InboxLinks, first: string, review: Pick<ListedPendingReview, 'executionId' | 'nodeName'>): string {
	return `${first}${formEncode(review.executionId)}&node=${encodeOnce(links, review.nodeName)}`;
}

/**
 * The "Open review" link of a row, or why there is none. It names the review and the reader; the
 * sealed link is opened only when it is followed (see openFromInbox), not for every row shown.
 */
function openLink(settings: InboxSettings, review: ListedPendingReview, viewer: Viewer | undefined, links: InboxLinks): { url?: string; why?: string } {
	if (!review.opensFromInbox || !settings.secret) {
		return { why: 'Open it from the link in the message you were sent (this review keeps no link the inbox can open).' };
	}
	if (review.reviewerMode === 'named' && !viewer) return { why: 'Named reviewers open it from their personal inbox link.' };
	if (viewer && review.reviewerMode === 'named' && !review.reviewers.some((reviewer) => reviewer.id === viewer.id)) {
		return { why: `For ${review.reviewers.map((reviewer) => reviewer.name).join(', ')}.` };
	}
	return { url: `${links.prefix}${rowQuery(links, 'open=', review)}` };
}

/** Follows an inbox "Open review" link: to the reader's own review page while pending, else the status. */
async function openFromInbox(store: HitlStore, settings: InboxSettings, request: InboxRequest, deps: InboxDeps): Promise<InboxResponse> {
	const viewer = identify(settings, request.query);
	if (viewer === null) return refusedLink(settings);
	const key = { executionId: text(request.query, 'open'), nodeName: text(request.query, 'node') };
	const stored = await store.pendingReviews.getPendingReview(key, request.now);
	if (!stored) return page(404, renderInboxMessage({ title: settings.title, heading: 'No such review', text: 'It may have been deleted by retention.', kind: 'error' }));
	const review = await confirmWaiting(store, settings, stored, request.now, deps);
	const back = viewer && settings.secret ? personalInboxUrl(settings, viewer.id, text(request.query, 'isig')) : settings.inboxUrl;
	const link = openLink(settings, { ...review, opensFromInbox: !!review.sealedLink }, viewer, inboxLinks(settings, {}));
	if (review.status !== 'pending' || isExpired(review, request.now)) {
		return page(
			200,
			renderReviewStatusPage({
				title: review.title,
				status: isExpired(review, request.now) ? 'expired' : review.status,
				...(review.decisions ? { decisions: review.decisions } : {}),
				...(review.decidedBy ? { decidedBy: review.decidedBy } : {}),
				...(review.closedAt ? { closedAt: review.closedAt } : {}),
				...(review.deadline ? { deadline: review.deadline } : {}),
				inboxUrl: back,
				triedToAnswer: false,
			}),
		);
	}
	const resumeUrl = link.url && settings.secret && review.sealedLink ? openSealedReviewUrl(settings.secret, review.sealedLink) : undefined;
	if (!resumeUrl) {
		return page(403, renderInboxMessage({ title: settings.title, heading: 'Not from this inbox', text: link.why ?? 'This review cannot be opened here.', kind: 'warn', backUrl: back }));
	}
	const { signature } = splitResumeUrl(resumeUrl);
	const parts: ReviewLinkParts = { executionId: review.executionId, nodeName: review.nodeName, signature };
	if (review.reviewerMode === 'named' && viewer) {
		parts.reviewerId = viewer.id;
		parts.rsig = signReviewer(settings.secret!, { executionId: review.executionId, nodeId: review.nodeId, reviewerId: viewer.id });
	}
	if (!review.resumeBase) return page(404, renderInboxMessage({ title: settings.title, heading: 'No such review', text: 'The store keeps no page address for it.', kind: 'error' }));
	return { status: 303, location: reviewPageUrl(review.resumeBase, parts) };
}

function mayClaim(review: ListedPendingReview, viewer: Viewer): boolean {
	return review.reviewerMode === 'link' || review.reviewers.some((reviewer) => reviewer.id === viewer.id);
}

/** A row's claim button (of the page's one form, which carries the reader's identity). */
function claimAction(review: ListedPendingReview, viewer: Viewer, links: InboxLinks): InboxRowAction {
	if (!review.claim) return { label: 'Claim', value: rowQuery(links, 'inboxAction=claim&execution=', review) };
	if (review.claim.reviewerId === viewer.id) return { label: 'Release', value: rowQuery(links, 'inboxAction=release&execution=', review) };
	return { label: `Take over from ${review.claim.reviewerName ?? review.claim.reviewerId}`, value: rowQuery(links, 'inboxAction=takeOver&execution=', review) };
}

const NOTICES: Record<string, { kind: 'ok' | 'warn'; text: string }> = {
	claimed: { kind: 'ok', text: 'Claimed: others now see that you are on it.' },
	takenOver: { kind: 'ok', text: 'Taken over: the review is yours now (recorded).' },
	released: { kind: 'ok', text: 'Released: anyone may claim it.' },
};

/** How far back the page shows reviews that stopped waiting without a decision. */
const STOPPED_SHOWN_MS = 24 * 3_600_000;

async function showQueue(store: HitlStore, settings: InboxSettings, request: InboxRequest, deps: InboxDeps): Promise<InboxResponse> {
	const viewer = identify(settings, request.query);
	if (viewer === null) return refusedLink(settings);
	const identity: Record<string, string> = viewer ? { reviewer: viewer.id, isig: text(request.query, 'isig') } : {};
	const filters = {
		workflow: text(request.query, 'workflow') || undefined,
		intent: text(request.query, 'intent') || undefined,
		reason: text(request.query, 'reason') || undefined,
		mine: !!viewer && text(request.query, 'mine') === '1',
	};
	const filter: PendingReviewFilter = {
		...(filters.workflow ? { workflowId: filters.workflow } : {}),
		...(filters.intent ? { intent: filters.intent } : {}),
		...(filters.reason ? { reason: filters.reason } : {}),
		...(filters.mine && viewer ? { reviewerId: viewer.id } : {}),
	};
	const filtered = Object.keys(filter).length > 0;
	// The expiry probe, the page and the counters at once (one round trip on PostgreSQL, each on its
	// own pool connection); a filtered total needs a COUNT.
	const stoppedSince = new Date(Date.parse(request.now) - STOPPED_SHOWN_MS).toISOString();
	const read = () =>
		Promise.all([
			// n8n calls no node code when a wait times out: reviews past their deadline are marked here
			// (an indexed probe that finds nothing on almost every request).
			store.pendingReviews.expireOverdueReviews(request.now),
			store.pendingReviews.listPendingReviews(filter, { now: request.now, limit: settings.pageSize }),
			store.pendingReviews.pendingCounts(),
			filtered ? store.pendingReviews.countPendingReviews(filter) : undefined,
			store.pendingReviews.listStoppedReviews(stoppedSince, { now: request.now, limit: 10 }),
		]);
	const [markedExpired, ...firstRead] = await read();
	let [reviews, counts, filteredTotal, stopped] = firstRead;
	// A listed review whose execution n8n no longer holds is marked cancelled.
	const markedCancelled = await checkListed(store, settings, reviews, request.now, deps);
	// Reviews were marked while the page was read: read it again as it now is.
	if (markedExpired > 0 || markedCancelled) [, reviews, counts, filteredTotal, stopped] = await read();
	const total = filteredTotal ?? counts.all;
	const nowMs = Date.parse(request.now);
	const links = inboxLinks(settings, identity);
	const rows: InboxRowView[] = reviews.map((review) => {
		const expired = isExpiredAt(review, nowMs);
		const open: { url?: string; why?: string } = expired ? { why: 'Expired: the item went on as “timed out”.' } : openLink(settings, review, viewer, links);
		return {
			title: review.title,
			workflowName: review.workflowName,
			priority: review.priority,
			requestedAt: review.requestedAt,
			deadline: review.deadline,
			respondBy: review.respondBy,
			expired,
			items: review.items,
			claim: review.claim && { by: review.claim.reviewerName ?? review.claim.reviewerId, at: review.claim.claimedAt, mine: review.claim.reviewerId === viewer?.id },
			openUrl: open.url,
			noOpenReason: open.why,
			actions: viewer && !expired && mayClaim(review, viewer) ? [claimAction(review, viewer, links)] : [],
		};
	});
	// The audit line is written while the page is built, and is in the store before the page is sent.
	const audited = audit(store, { executionId: 'inbox', nodeName: settings.path }, 'inboxViewed', viewer?.id ?? 'shared', {
		rows: rows.length,
		total,
		workflow: filters.workflow ?? null,
		reason: filters.reason ?? null,
		intent: filters.intent ?? null,
		mine: filters.mine ? 1 : 0,
	});
	// The PostgreSQL pool hands out a connection on the next tick: let it send the insert first.
	await new Promise<void>((resolve) => process.nextTick(resolve));
	const notice = NOTICES[text(request.query, 'done')];
	let html: string;
	try {
		html = renderInboxPage({
			title: settings.title,
			now: request.now,
			...(viewer ? { viewer } : {}),
			rows,
			total,
			countsByReason: counts.byReason,
			filters,
			workflows: counts.workflows,
			filterAction: settings.inboxUrl,
			identityFields: identity,
			stopped: stopped.map((review) => ({
				title: review.title,
				...(review.workflowName ? { workflowName: review.workflowName } : {}),
				status: review.status === 'expired' ? 'expired' : 'cancelled',
				...(review.closedAt ? { closedAt: review.closedAt } : {}),
			})),
			...(notice ? { notice } : {}),
		});
	} finally {
		await audited;
	}
	return page(200, html, INBOX_PAGE_HEADERS);
}

async function changeClaim(
	store: HitlStore,
	settings: InboxSettings,
	request: InboxRequest,
	action: 'claim' | 'takeOver' | 'release',
	deps: InboxDeps,
): Promise<InboxResponse> {
	const body = request.body;
	const key = { executionId: text(body, 'execution'), nodeName: text(body, 'node') };
	const stored = key.executionId && key.nodeName ? await store.pendingReviews.getPendingReview(key, request.now) : undefined;
	// Nobody claims a review whose execution n8n no longer holds.
	const review = stored && action !== 'release' ? await confirmWaiting(store, settings, stored, request.now, deps) : stored;
	if (!review) {
		return page(404, renderInboxMessage({ title: settings.title, heading: 'No such review', text: 'It may have been deleted by retention.', kind: 'error' }));
	}
	// Who is asking: a personal inbox link (isig) or a personal review link (the review page's claim button).
	let reviewerId = text(body, 'reviewer');
	let fromReviewPage: ReviewLinkParts | undefined;
	const isig = text(body, 'isig');
	if (isig) {
		if (identify(settings, body) === null) return refusedLink(settings);
	} else {
		const parts = readReviewLinkParts(body);
		const valid =
			!!parts?.reviewerId &&
			!!settings.secret &&
			review.linkHash === linkHash(parts.executionId, parts.signature) &&
			verifyReviewer(settings.secret, { executionId: review.executionId, nodeId: review.nodeId, reviewerId: parts.reviewerId }, parts.rsig);
		if (!valid || !parts) return refusedLink(settings);
		reviewerId = parts.reviewerId ?? '';
		fromReviewPage = parts;
	}
	if (review.reviewerMode === 'named' && !review.reviewers.some((reviewer) => reviewer.id === reviewerId)) {
		return page(403, renderInboxMessage({ title: settings.title, heading: 'Not your review', text: `It is for ${review.reviewers.map((reviewer) => reviewer.name).join(', ')}.`, kind: 'error' }));
	}
	const reviewerName = review.reviewers.find((reviewer) => reviewer.id === reviewerId)?.name;
	const back = (done: string): InboxResponse =>
		fromReviewPage && review.resumeBase
			? { status: 303, location: reviewPageUrl(review.resumeBase, fromReviewPage) }
			: { status: 303, location: personalInboxUrl(settings, reviewerId, isig, { done }) };

	if (action === 'release') {
		if (await store.pendingReviews.releaseClaim(key, reviewerId)) await audit(store, key, 'released', reviewerId, { via: 'inbox' });
		return back('released');
	}
	const result = await store.pendingReviews.claimReview(key, {
		reviewerId,
		...(reviewerName ? { reviewerName } : {}),
		now: request.now,
		ttlMs: settings.claimMinutes * 60_000,
		takeOver: action === 'takeOver',
	});
	if (result.ok) {
		await audit(store, key, result.tookOverFrom ? 'takenOver' : 'claimed', reviewerId, {
			...(result.tookOverFrom ? { from: result.tookOverFrom.reviewerId } : {}),
			until: result.claim.expiresAt,
		});
		return back(result.tookOverFrom ? 'takenOver' : 'claimed');
	}
	await audit(store, key, 'refused', reviewerId, { why: result.why, action });
	if (result.why === 'claimedByOther') {
		const by = result.claim.reviewerName ?? result.claim.reviewerId;
		return page(
			409,
			renderInboxMessage({
				title: settings.title,
				heading: `Being reviewed by ${by}`,
				text: `${by} claimed this review at ${result.claim.claimedAt.slice(11, 16)} UTC. Take it over only if you agreed to; the take-over is recorded.`,
				kind: 'warn',
				form: { action: settings.inboxUrl, fields: { ...Object.fromEntries(Object.entries(body ?? {}).map(([name, value]) => [name, String(value)])), inboxAction: 'takeOver' }, label: `Take over from ${by}` },
				...(isig ? { backUrl: personalInboxUrl(settings, reviewerId, isig) } : {}),
			}),
		);
	}
	return page(
		409,
		renderReviewStatusPage({
			title: review.title,
			status: result.status === 'unknown' || result.status === 'pending' ? 'pending' : result.status,
			...(review.decisions ? { decisions: review.decisions } : {}),
			...(review.decidedBy ? { decidedBy: review.decidedBy } : {}),
			...(review.closedAt ? { closedAt: review.closedAt } : {}),
			...(isig ? { inboxUrl: personalInboxUrl(settings, reviewerId, isig) } : {}),
			triedToAnswer: false,
		}),
	);
}
