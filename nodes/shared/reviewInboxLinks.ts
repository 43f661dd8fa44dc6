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
