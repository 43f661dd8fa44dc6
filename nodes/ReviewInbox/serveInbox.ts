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
import type { HitlStore, PendingReviewFilter, StoredPendingReview } from '../shared/store';
import {
	INBOX_MESSAGE_HEADERS,
	INBOX_PAGE_HEADERS,
	renderInboxMessage,
	renderInboxPage,
	renderReviewStatusPage,
	type InboxForm,
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

function isExpired(review: StoredPendingReview, now: string): boolean {
	return review.status === 'expired' || (review.status === 'pending' && !!review.deadline && Date.parse(review.deadline) <= Date.parse(now));
}

async function audit(store: HitlStore, key: { executionId: string; nodeName: string }, event: string, actor: string, detail: Record<string, string | number | null>) {
	await store.appendAudit({ ...key, event, actor, detail });
}

/** The reader of a personal inbox link, `null` for a refused (tampered) one, undefined for a shared inbox. */
function identify(settings: InboxSettings, fields: Record<string, unknown> | undefined): Viewer | null | undefined {
	if (settings.access === 'shared') return undefined;
	const reviewerId = text(fields, 'reviewer');
	if (!settings.secret || !verifyInboxReviewer(settings.secret, settings.path, reviewerId, text(fields, 'isig'))) return null;
	return { id: reviewerId };
}

export async function serveInbox(store: HitlStore, settings: InboxSettings, request: InboxRequest): Promise<InboxResponse> {
	const isPost = request.method === 'POST';
	const fields = isPost ? request.body : request.query;
	const action = isPost ? text(fields, 'inboxAction') : '';
	if (action === 'claim' || action === 'takeOver' || action === 'release') return changeClaim(store, settings, request, action);
	if (!isPost && text(fields, 'open')) return openFromInbox(store, settings, request);
	const parts = readReviewLinkParts(fields);
	if (parts) return forwardToReview(store, settings, parts, isPost, request.now);
	if (isPost) return page(400, renderInboxMessage({ title: settings.title, heading: 'Nothing to do', text: 'This form is not one the inbox knows.', kind: 'error' }));
	return showQueue(store, settings, request);
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
): Promise<InboxResponse> {
	const review = await store.pendingReviews.getPendingReview(parts, now);
	// Holding the link is proven by the execution's token, whose hash the store keeps.
	if (!review?.linkHash || review.linkHash !== linkHash(parts.executionId, parts.signature)) return refusedLink(settings);
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
 * The "Open review" link of a row, or why there is none. It names the review and the reader; the
 * sealed link is opened only when it is followed (see openFromInbox), not for every row shown.
 */
function openLink(settings: InboxSettings, review: StoredPendingReview, viewer: Viewer | undefined, identity: Record<string, string>): { url?: string; why?: string } {
	if (!review.sealedLink || !settings.secret) {
		return { why: 'Open it from the link in the message you were sent (this review keeps no link the inbox can open).' };
	}
	if (review.reviewerMode === 'named' && !viewer) return { why: 'Named reviewers open it from their personal inbox link.' };
	if (viewer && review.reviewerMode === 'named' && !review.reviewers.some((reviewer) => reviewer.id === viewer.id)) {
		return { why: `For ${review.reviewers.map((reviewer) => reviewer.name).join(', ')}.` };
	}
	const url = new URL(settings.inboxUrl);
	for (const [name, value] of Object.entries({ ...identity, open: review.executionId, node: review.nodeName })) url.searchParams.set(name, value);
	return { url: url.toString() };
}

/** Follows an inbox "Open review" link: to the reader's own review page while pending, else the status. */
async function openFromInbox(store: HitlStore, settings: InboxSettings, request: InboxRequest): Promise<InboxResponse> {
	const viewer = identify(settings, request.query);
	if (viewer === null) return refusedLink(settings);
	const key = { executionId: text(request.query, 'open'), nodeName: text(request.query, 'node') };
	const review = await store.pendingReviews.getPendingReview(key, request.now);
	if (!review) return page(404, renderInboxMessage({ title: settings.title, heading: 'No such review', text: 'It may have been deleted by retention.', kind: 'error' }));
	const back = viewer && settings.secret ? personalInboxUrl(settings, viewer.id, text(request.query, 'isig')) : settings.inboxUrl;
	const link = openLink(settings, review, viewer, {});
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

function mayClaim(review: StoredPendingReview, viewer: Viewer): boolean {
	return review.reviewerMode === 'link' || review.reviewers.some((reviewer) => reviewer.id === viewer.id);
}

function claimForms(settings: InboxSettings, review: StoredPendingReview, viewer: Viewer, identity: Record<string, string>): InboxForm[] {
	const fields = { ...identity, execution: review.executionId, node: review.nodeName };
	if (!review.claim) return [{ action: settings.inboxUrl, fields: { ...fields, inboxAction: 'claim' }, label: 'Claim' }];
	if (review.claim.reviewerId === viewer.id) return [{ action: settings.inboxUrl, fields: { ...fields, inboxAction: 'release' }, label: 'Release' }];
	return [{ action: settings.inboxUrl, fields: { ...fields, inboxAction: 'takeOver' }, label: `Take over from ${review.claim.reviewerName ?? review.claim.reviewerId}` }];
}

const NOTICES: Record<string, { kind: 'ok' | 'warn'; text: string }> = {
	claimed: { kind: 'ok', text: 'Claimed: others now see that you are on it.' },
	takenOver: { kind: 'ok', text: 'Taken over: the review is yours now (recorded).' },
	released: { kind: 'ok', text: 'Released: anyone may claim it.' },
};

async function showQueue(store: HitlStore, settings: InboxSettings, request: InboxRequest): Promise<InboxResponse> {
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
	const [reviews, total, countsByReason, workflows] = await Promise.all([
		store.pendingReviews.listPendingReviews(filter, { now: request.now, limit: settings.pageSize }),
		store.pendingReviews.countPendingReviews(filter),
		store.pendingReviews.countPendingByReason(),
		store.pendingReviews.listPendingWorkflows(),
	]);
	const rows: InboxRowView[] = reviews.map((review) => {
		const expired = isExpired(review, request.now);
		const open = expired ? { why: 'Expired: the item went on as “timed out”.' } : openLink(settings, review, viewer, identity);
		const mine = !!viewer && review.claim?.reviewerId === viewer.id;
		return {
			title: review.title,
			...(review.workflowName ? { workflowName: review.workflowName } : {}),
			priority: review.priority,
			requestedAt: review.requestedAt,
			...(review.deadline ? { deadline: review.deadline } : {}),
			...(review.respondBy ? { respondBy: review.respondBy } : {}),
			expired,
			items: review.items,
			...(review.claim ? { claim: { by: review.claim.reviewerName ?? review.claim.reviewerId, at: review.claim.claimedAt, mine } } : {}),
			...(open.url ? { openUrl: open.url } : {}),
			...(open.why ? { noOpenReason: open.why } : {}),
			forms: viewer && !expired && mayClaim(review, viewer) ? claimForms(settings, review, viewer, identity) : [],
		};
	});
	await audit(store, { executionId: 'inbox', nodeName: settings.path }, 'inboxViewed', viewer?.id ?? 'shared', {
		rows: rows.length,
		total,
		workflow: filters.workflow ?? null,
		reason: filters.reason ?? null,
		intent: filters.intent ?? null,
		mine: filters.mine ? 1 : 0,
	});
	const notice = NOTICES[text(request.query, 'done')];
	return page(
		200,
		renderInboxPage({
			title: settings.title,
			now: request.now,
			...(viewer ? { viewer } : {}),
			rows,
			total,
			countsByReason,
			filters,
			workflows,
			filterAction: settings.inboxUrl,
			identityFields: identity,
			...(notice ? { notice } : {}),
		}),
		INBOX_PAGE_HEADERS,
	);
}

async function changeClaim(
	store: HitlStore,
	settings: InboxSettings,
	request: InboxRequest,
	action: 'claim' | 'takeOver' | 'release',
): Promise<InboxResponse> {
	const body = request.body;
	const key = { executionId: text(body, 'execution'), nodeName: text(body, 'node') };
	const review = key.executionId && key.nodeName ? await store.pendingReviews.getPendingReview(key, request.now) : undefined;
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
