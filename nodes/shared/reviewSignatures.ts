/**
 * Signatures that tie a review page to one execution, one node and one reviewer.
 *
 * n8n already refuses any request to the execution's resume URL without the execution's own
 * token (`?signature=`); these signatures add what n8n cannot know:
 * - a **personal link** (`&reviewer=<id>&rsig=<mac>`) says who is answering. Its key is the
 *   secret of a "HITL Review Secret" credential, which reviewers never see, so holding one
 *   reviewer's link does not let anyone compute another's;
 * - a **form token** (hidden field) binds a submitted form to the execution, node and reviewer
 *   it was rendered for, so a form copied from another review, or edited to claim another
 *   reviewer, is refused.
 */
import { createCipheriv, createDecipheriv, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** The shortest HITL Review Secret accepted (a shorter one is refused before signing anything). */
export const MIN_REVIEW_SECRET_LENGTH = 16;

export interface ReviewBinding {
	executionId: string;
	/** The node's id (stable across renames within one execution). */
	nodeId: string;
	/** `''` for the shared link (no named reviewer). */
	reviewerId: string;
}

function mac(key: string, purpose: string, binding: ReviewBinding): string {
	return createHmac('sha256', key)
		.update(['hitl-review-v1', purpose, binding.executionId, binding.nodeId, binding.reviewerId].join('\n'))
		.digest('base64url');
}

function equalMacs(expected: string, given: unknown): boolean {
	if (typeof given !== 'string') return false;
	const a = Buffer.from(expected);
	const b = Buffer.from(given);
	return a.length === b.length && timingSafeEqual(a, b);
}

/** The `rsig` of a named reviewer's personal link. */
export function signReviewer(secret: string, binding: ReviewBinding): string {
	return mac(secret, 'reviewer', binding);
}

export function verifyReviewer(secret: string, binding: ReviewBinding, signature: unknown): boolean {
	return binding.reviewerId !== '' && equalMacs(signReviewer(secret, binding), signature);
}

/** The hidden `token` field of the review form. */
export function formToken(key: string, binding: ReviewBinding): string {
	return mac(key, 'form', binding);
}

export function verifyFormToken(key: string, binding: ReviewBinding, token: unknown): boolean {
	return equalMacs(formToken(key, binding), token);
}

/** Appends a reviewer's identity to the execution's resume URL (which keeps its `signature`). */
export function personalLink(resumeUrl: string, reviewerId: string, signature: string): string {
	const url = new URL(resumeUrl);
	url.searchParams.set('reviewer', reviewerId);
	url.searchParams.set('rsig', signature);
	return url.toString();
}

/** A reviewer id from what the user typed: lower-case letters, digits, `.`, `_`, `-`, `@`. */
export function reviewerIdFrom(nameOrEmail: string): string {
	return nameOrEmail
		.trim()
		.toLowerCase()
		.replace(/[^a-z0-9._@-]+/g, '-')
		.replace(/^-+|-+$/g, '')
		.slice(0, 64);
}

/**
 * A named reviewer's personal Review Inbox link (`?reviewer=<id>&isig=<mac>`), signed with the
 * same HITL Review Secret and scheme as their review links, bound to one inbox (its webhook path):
 * holding it does not let anyone compute another reviewer's, nor use it on another inbox.
 */
export function signInboxReviewer(secret: string, inboxPath: string, reviewerId: string): string {
	return mac(secret, 'inbox', { executionId: '', nodeId: inboxPath, reviewerId });
}

export function verifyInboxReviewer(secret: string, inboxPath: string, reviewerId: string, signature: unknown): boolean {
	return reviewerId !== '' && equalMacs(signInboxReviewer(secret, inboxPath, reviewerId), signature);
}

/**
 * The `osig` of a link that opens one review through the inbox (mail links, the inbox's own
 * "Open" links): who may open which review. `reviewerId` is '' for a shared-link review.
 */
export function signReviewOpening(secret: string, binding: ReviewBinding): string {
	return mac(secret, 'open', binding);
}

export function verifyReviewOpening(secret: string, binding: ReviewBinding, signature: unknown): boolean {
	return equalMacs(signReviewOpening(secret, binding), signature);
}

function sealKey(secret: string): Buffer {
	return createHmac('sha256', secret).update('hitl-review-v1\nseal').digest();
}

/**
 * Seals a review page's URL (n8n's resume URL, which carries the execution's token) for the store
 * with AES-256-GCM under a key derived from the HITL Review Secret: a reader of the store alone
 * can neither read nor alter it, so cannot open — let alone decide — the review.
 */
export function sealReviewUrl(secret: string, url: string): string {
	const iv = randomBytes(12);
	const cipher = createCipheriv('aes-256-gcm', sealKey(secret), iv);
	const body = Buffer.concat([cipher.update(url, 'utf8'), cipher.final()]);
	return ['v1', iv.toString('base64url'), body.toString('base64url'), cipher.getAuthTag().toString('base64url')].join('.');
}

/** The URL of {@link sealReviewUrl}, or undefined when it was sealed with another secret or altered. */
export function openSealedReviewUrl(secret: string, sealed: string): string | undefined {
	const [version, iv, body, tag] = sealed.split('.');
	if (version !== 'v1' || !iv || !body || !tag) return undefined;
	try {
		const decipher = createDecipheriv('aes-256-gcm', sealKey(secret), Buffer.from(iv, 'base64url'));
		decipher.setAuthTag(Buffer.from(tag, 'base64url'));
		return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
	} catch {
		return undefined;
	}
}
