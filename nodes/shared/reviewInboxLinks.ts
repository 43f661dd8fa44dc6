/**
 * Links that reach a review through the Review Inbox (issue 14, and issue 11 defect 5).
 *
 * n8n answers a review's resume URL itself once the execution is no longer waiting (a 409 JSON on
 * /webhook-waiting/, "Your response has been recorded" on /form-waiting/); the package's code is
 * not called. So links handed out, and the review form, go to the inbox's webhook with the
 * review's parts; the inbox forwards to the live review page while the review is pending (a 303
 * for a GET, a 307 that keeps the POSTed form for the form) and otherwise answers with the
 * review's status from the store ("already decided by Ana, approved at 10:42").
 *
 * The inbox keeps no usable link: the store holds the resume URL without its token (`resumeBase`)
 * and a hash of execution and token (`linkHash`). A request proves it holds the link by carrying
 * the token whose hash matches; a reader of the store cannot produce one.
 */
import { createHash } from 'node:crypto';

import type { SharedStateStore } from './store';

export interface ReviewLinkParts {
	executionId: string;
	nodeName: string;
	/** n8n's per-execution token (the resume URL's `signature`). */
	signature: string;
	/** A named reviewer's personal link adds these (see reviewSignatures.ts). */
	reviewerId?: string;
	rsig?: string;
}

/** The query / hidden form fields that carry a review's parts. */
export const REVIEW_LINK_FIELDS = {
	executionId: 'execution',
	nodeName: 'node',
	signature: 'signature',
	reviewerId: 'reviewer',
	rsig: 'rsig',
} as const;

export function linkHash(executionId: string, signature: string): string {
	return createHash('sha256').update(`hitl-review-link-v1\n${executionId}\n${signature}`).digest('base64url');
}

/** n8n may append a webhook suffix after a slash to the token. */
export function bareSignature(signature: string): string {
	return signature.split('/')[0];
}

/** The resume URL without its token, and the token. */
export function splitResumeUrl(resumeUrl: string): { resumeBase: string; signature: string } {
	const url = new URL(resumeUrl);
	const signature = bareSignature(url.searchParams.get('signature') ?? '');
	url.searchParams.delete('signature');
	return { resumeBase: url.toString(), signature };
}

export function reviewLinkFields(parts: ReviewLinkParts): Record<string, string> {
	const fields: Record<string, string> = {
		[REVIEW_LINK_FIELDS.executionId]: parts.executionId,
		[REVIEW_LINK_FIELDS.nodeName]: parts.nodeName,
		[REVIEW_LINK_FIELDS.signature]: parts.signature,
	};
	if (parts.reviewerId && parts.rsig) {
		fields[REVIEW_LINK_FIELDS.reviewerId] = parts.reviewerId;
		fields[REVIEW_LINK_FIELDS.rsig] = parts.rsig;
	}
	return fields;
}

/** A link to one review through the inbox. */
export function viaInboxUrl(inboxUrl: string, parts: ReviewLinkParts): string {
	const url = new URL(inboxUrl);
	for (const [name, value] of Object.entries(reviewLinkFields(parts))) url.searchParams.set(name, value);
	return url.toString();
}

/** The parts of a review from a query or a form; undefined when one is missing. */
export function readReviewLinkParts(fields: Record<string, unknown> | undefined): ReviewLinkParts | undefined {
	const text = (name: string) => (typeof fields?.[name] === 'string' ? (fields[name] as string) : '');
	const executionId = text(REVIEW_LINK_FIELDS.executionId);
	const nodeName = text(REVIEW_LINK_FIELDS.nodeName);
	const signature = bareSignature(text(REVIEW_LINK_FIELDS.signature));
	if (!executionId || !nodeName || !signature) return undefined;
	const reviewerId = text(REVIEW_LINK_FIELDS.reviewerId);
	const rsig = text(REVIEW_LINK_FIELDS.rsig);
	return { executionId, nodeName, signature, ...(reviewerId && rsig ? { reviewerId, rsig } : {}) };
}

/** The live review page for these parts (the resume URL with its token, plus a personal link's identity). */
export function reviewPageUrl(resumeBase: string, parts: ReviewLinkParts): string {
	const url = new URL(resumeBase);
	url.searchParams.set('signature', parts.signature);
	if (parts.reviewerId && parts.rsig) {
		url.searchParams.set('reviewer', parts.reviewerId);
		url.searchParams.set('rsig', parts.rsig);
	}
	return url.toString();
}

/**
 * Where Human Approval Wait finds an inbox without a "Review Inbox URL" (issue 11 defect 5 on the
 * default path): each active Review Inbox trigger registers its production URL in the store's
 * small shared states when n8n activates it, and removes it when it is deactivated. A review on
 * the same store then hands out links through the most recently registered inbox.
 *
 * Kept under one key of the shared states (compare-and-set, so two inboxes activated at once in
 * different processes do not lose each other); retention does not delete it.
 */
export const INBOX_REGISTRY_KEY = 'hitl:review-inboxes';

export interface InboxRegistration {
	/** The trigger's production URL (`<n8n>/webhook/<path>`). */
	url: string;
	workflowId: string;
	nodeName: string;
	registeredAt: string;
}

/** The part of the store the registry needs (the store's shared states). */
export type InboxRegistryStore = Pick<SharedStateStore, 'getGateState' | 'putGateState'>;

const MAX_REGISTRY_RETRIES = 20;

function readRegistrations(state: unknown): InboxRegistration[] {
	const list = (state as { inboxes?: unknown } | undefined)?.inboxes;
	if (!Array.isArray(list)) return [];
	return list.filter(
		(entry): entry is InboxRegistration =>
			!!entry && typeof entry === 'object' && typeof (entry as InboxRegistration).url === 'string' && /^https?:\/\//.test((entry as InboxRegistration).url),
	);
}

async function changeRegistrations(store: InboxRegistryStore, change: (current: InboxRegistration[]) => InboxRegistration[]): Promise<InboxRegistration[]> {
	for (let attempt = 0; attempt < MAX_REGISTRY_RETRIES; attempt++) {
		const stored = await store.getGateState(INBOX_REGISTRY_KEY);
		const next = change(readRegistrations(stored?.state));
		const written = await store.putGateState(INBOX_REGISTRY_KEY, { inboxes: next.map((entry) => ({ ...entry })) }, stored?.revision ?? 0);
		if (written.ok) return next;
	}
	throw new Error(`The Review Inbox registry in the HITL store kept changing under ${MAX_REGISTRY_RETRIES} attempts to update it; activate the workflow again.`);
}

/** Registers (or refreshes) an inbox; the latest registration is the one reviews use. */
export function registerInbox(store: InboxRegistryStore, registration: InboxRegistration): Promise<InboxRegistration[]> {
	return changeRegistrations(store, (current) => [...current.filter((entry) => entry.url !== registration.url), registration]);
}

/** Removes an inbox's registration (its workflow was deactivated); others stay. */
export function unregisterInbox(store: InboxRegistryStore, url: string): Promise<InboxRegistration[]> {
	return changeRegistrations(store, (current) => current.filter((entry) => entry.url !== url));
}

/** Whether this URL is registered. */
export async function isInboxRegistered(store: InboxRegistryStore, url: string): Promise<boolean> {
	const stored = await store.getGateState(INBOX_REGISTRY_KEY);
	return readRegistrations(stored?.state).some((entry) => entry.url === url);
}

/** The inbox reviews on this store use when none is given: the most recently registered one. */
export async function registeredInboxUrl(store: InboxRegistryStore): Promise<string | undefined> {
	const stored = await store.getGateState(INBOX_REGISTRY_KEY);
	return readRegistrations(stored?.state).at(-1)?.url;
}
