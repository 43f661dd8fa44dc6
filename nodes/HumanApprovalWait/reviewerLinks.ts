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
import { createHmac, timingSafeEqual } from 'node:crypto';

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
