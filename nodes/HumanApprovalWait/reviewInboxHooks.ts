/**
 * What Human Approval Wait does for the Review Inbox (issue 14), in one place so the node calls it
 * at a few marked points: register each review it opens in the store (with its priority), hand
 * out links that go through the inbox when one is set, honour claims, and close the review when
 * it is decided or has expired.
 */
import {
	NodeOperationError,
	type IExecuteFunctions,
	type INodeExecutionData,
	type IWebhookFunctions,
} from 'n8n-workflow';

import { maskCardData } from '../shared/paymentCardData';
import { derivePriority, priorityName, readPriority } from '../shared/reviewPriority';
import {
	bareSignature,
	linkHash,
	registeredInboxUrl,
	reviewLinkFields,
	splitResumeUrl,
	viaInboxUrl,
	type ReviewLinkParts,
} from '../shared/reviewInboxLinks';
import { sealReviewUrl, signInboxReviewer } from '../shared/reviewSignatures';
import type { HitlStore, PendingReviewItem } from '../shared/store';
import { itemLabel } from '../shared/itemErrors';
import { openNodeStore } from '../shared/storeCredential';
import { deciderLabel, type ReviewInboxFacts, type ReviewStep } from './answerReviewRequest';
import type { ApprovalSettings } from './readSettings';
import type { ReviewItemView } from './renderReviewPage';

const SUMMARY_LENGTH = 140;

type Context = IExecuteFunctions | IWebhookFunctions;

interface InboxSettings {
	inboxUrl: string;
	summary: 'excerpt' | 'none';
}

function readInboxSettings(context: Context): InboxSettings {
	const get = (name: string, fallback: unknown) =>
		'getInputData' in context ? context.getNodeParameter(name, 0, fallback) : (context as IWebhookFunctions).getNodeParameter(name, fallback);
	const inboxUrl = String(get('inboxUrl', '') ?? '').trim();
	if (inboxUrl !== '' && !/^https?:\/\/[^\s]+$/.test(inboxUrl)) {
		throw new NodeOperationError(context.getNode(), `"Review Inbox URL" is not a web address: ${inboxUrl}`, {
			description: "Copy the Production URL from the Review Inbox trigger's panel (http://… or https://…), or leave it empty.",
		});
	}
	return { inboxUrl, summary: get('inboxSummary', 'excerpt') === 'none' ? 'none' : 'excerpt' };
}

/**
 * The inbox links go through: "Review Inbox URL" when given, else the Review Inbox registered on
 * the same store by its activation (the most recent one), else none (links to the review page).
 */
async function inboxUrlOf(inbox: InboxSettings, store: HitlStore): Promise<string> {
	return inbox.inboxUrl || ((await registeredInboxUrl(store)) ?? '');
}

function openStore(context: Context): Promise<HitlStore> {
	return openNodeStore(context, {
		credentialRequired: true,
		hint: 'Check the HITL Store credential (its Test button opens the store), or turn off "Record in Store".',
	});
}

function itemFacts(json: Record<string, unknown>, view: ReviewItemView, summary: InboxSettings['summary']): PendingReviewItem {
	const hitl = (json.hitl ?? {}) as {
		draft?: { intent?: unknown; riskFlags?: unknown[]; confidence?: { score?: unknown } };
		compliance?: { violations?: { severity?: string }[] };
		gate?: { reasons?: { code?: unknown }[]; sampledForAudit?: unknown };
	};
	const severities = (hitl.compliance?.violations ?? []).map((violation) => violation?.severity);
	const severity = (['block', 'review', 'info'] as const).find((level) => severities.includes(level));
	const text = (view.customerMessage ?? view.draft ?? '').replace(/\s+/g, ' ').trim();
	const score = hitl.draft?.confidence?.score;
	return {
		caseId: view.caseId,
		summary: summary === 'none' ? '' : maskCardData(text.length > SUMMARY_LENGTH ? `${text.slice(0, SUMMARY_LENGTH - 1)}…` : text),
		reasons: (hitl.gate?.reasons ?? []).map((reason) => String(reason?.code ?? '')).filter(Boolean),
		...(typeof score === 'number' ? { confidence: score } : {}),
		...(severity ? { severity } : {}),
		...(typeof hitl.draft?.intent === 'string' && hitl.draft.intent ? { intent: hitl.draft.intent } : {}),
		riskFlags: (hitl.draft?.riskFlags ?? []).map(String),
		...(hitl.gate?.sampledForAudit === true ? { sampledForAudit: true } : {}),
	};
}

function reviewPriority(context: IExecuteFunctions, items: INodeExecutionData[]): number {
	let highest = 1;
	items.forEach((item, itemIndex) => {
		const given = readPriority(context.getNodeParameter('priority', itemIndex, ''));
		if (given === undefined) {
			throw new NodeOperationError(context.getNode(), `${itemLabel(itemIndex)}: "Priority" is not urgent, high, normal, low or 1–4`, {
				itemIndex,
				description: 'Give Priority one of urgent, high, normal, low (or 4–1), or leave it empty to derive it from the item.',
			});
		}
		highest = Math.max(highest, given === 'derive' ? derivePriority(item.json) : given);
	});
	return highest;
}

/**
 * The review's respond-within target (issue 15) as an ISO time, from "Respond Within (Minutes)"
 * per item (an expression may differ per item; the shortest counts); undefined for 0 / empty.
 */
function respondBy(context: IExecuteFunctions, items: INodeExecutionData[], requestedAt: string): string | undefined {
	let shortest: number | undefined;
	items.forEach((_item, itemIndex) => {
		const given = context.getNodeParameter('respondWithinMinutes', itemIndex, 0);
		const minutes = given === '' || given === null || given === undefined ? 0 : Number(given);
		if (!Number.isFinite(minutes) || minutes < 0) {
			throw new NodeOperationError(context.getNode(), `${itemLabel(itemIndex)}: "Respond Within (Minutes)" is not a number of minutes: ${String(given)}`, {
				itemIndex,
				description: 'Give 0 or more minutes (fractions allowed), or 0 for no target.',
			});
		}
		if (minutes > 0) shortest = Math.min(shortest ?? Infinity, minutes);
	});
	return shortest === undefined ? undefined : new Date(Date.parse(requestedAt) + Math.round(shortest * 60_000)).toISOString();
}

export interface HandedOutLinks {
	link: string;
	/** `inboxUrl`: the reviewer's personal Review Inbox link (named reviewers, with a secret and an inbox). */
	personalLinks: { id: string; name: string; email?: string; url: string; inboxUrl?: string }[];
}

/**
 * Called by execute() before the reviewers are notified: registers the review and returns the
 * links to hand out (through the inbox: "Review Inbox URL", or the one registered on the store,
 * see inboxUrlOf). Without "Record in
 * Store" it returns the links unchanged.
 */
export async function openReviewInInbox(
	context: IExecuteFunctions,
	args: {
		settings: ApprovalSettings;
		items: INodeExecutionData[];
		views: ReviewItemView[];
		times: { requestedAt: string; deadline?: string };
		secret?: string;
		links: HandedOutLinks;
	},
): Promise<HandedOutLinks> {
	const { settings, links } = args;
	if (!settings.useStore) return links;
	const inbox = readInboxSettings(context);
	const node = context.getNode();
	const executionId = context.getExecutionId();
	const workflow = context.getWorkflow();
	const { resumeBase, signature } = splitResumeUrl(links.link);
	const target = respondBy(context, args.items, args.times.requestedAt);
	const store = await openStore(context);
	await store.pendingReviews.registerPendingReview({
		executionId,
		nodeName: node.name,
		nodeId: node.id,
		...(workflow.id ? { workflowId: String(workflow.id) } : {}),
		...(workflow.name ? { workflowName: workflow.name } : {}),
		title: settings.title,
		items: args.items.map((item, index) => itemFacts(item.json, args.views[index], inbox.summary)),
		requestedAt: args.times.requestedAt,
		...(args.times.deadline ? { deadline: args.times.deadline } : {}),
		reviewerMode: settings.reviewerMode,
		reviewers: settings.reviewers.map((reviewer) => ({ id: reviewer.id, name: reviewer.name })),
		...(settings.backupReviewers.length ? { backupReviewers: settings.backupReviewers } : {}), // Review SLAs (issue 15)
		priority: reviewPriority(context, args.items),
		...(target ? { respondBy: target } : {}),
		...(args.secret ? { sealedLink: sealReviewUrl(args.secret, links.link) } : {}),
		resumeBase,
		linkHash: linkHash(executionId, signature),
	});
	const inboxUrl = await inboxUrlOf(inbox, store);
	if (!inboxUrl) return links;
	const parts: ReviewLinkParts = { executionId, nodeName: node.name, signature };
	return {
		link: viaInboxUrl(inboxUrl, parts),
		personalLinks: links.personalLinks.map((entry) => {
			const rsig = new URL(entry.url).searchParams.get('rsig') ?? '';
			return {
				...entry,
				url: viaInboxUrl(inboxUrl, { ...parts, reviewerId: entry.id, rsig }),
				...(args.secret ? { inboxUrl: personalInboxLink(inboxUrl, args.secret, entry.id) } : {}),
			};
		}),
	};
}

export interface ReviewInboxHooks {
	/** `secret`: the HITL Review Secret, for a named reviewer's personal inbox link. */
	facts(secret: string | undefined): Promise<ReviewInboxFacts>;
	/** After the step: a claim ends with the answer; a decision or a late answer past the deadline closes the review. */
	after(step: ReviewStep, method: 'GET' | 'POST', now: Date): Promise<void>;
}

/**
 * A named reviewer's personal inbox link. The inbox binds its signatures to its webhook path: the
 * Review Inbox URL's path after n8n's webhook prefix (`/webhook/`).
 */
export function personalInboxLink(inboxUrl: string, secret: string, reviewerId: string): string {
	const url = new URL(inboxUrl);
	const path = url.pathname.split('/').filter(Boolean).slice(1).join('/');
	url.searchParams.set('reviewer', reviewerId);
	url.searchParams.set('isig', signInboxReviewer(secret, path, reviewerId));
	return url.toString();
}

/** Called by webhook(), with the store it opened for the ledger; undefined without "Record in Store". */
export async function reviewInboxHooks(
	context: IWebhookFunctions,
	settings: ApprovalSettings,
	opened?: HitlStore,
): Promise<ReviewInboxHooks | undefined> {
	if (!settings.useStore) return undefined;
	const inbox = readInboxSettings(context);
	const store = opened ?? (await openStore(context));
	const key = { executionId: context.getExecutionId(), nodeName: context.getNode().name };
	const query = context.getQueryData() as Record<string, unknown>;
	const signature = typeof query.signature === 'string' ? bareSignature(query.signature) : '';
	// Who the link says is asking; the step verifies the signature before anything is shown.
	const reviewerId = settings.reviewerMode === 'named' && typeof query.reviewer === 'string' ? query.reviewer : undefined;
	const rsig = typeof query.rsig === 'string' ? query.rsig : '';
	/** The claim facts() read, which the answer ends (after() needs no second read). */
	let seenClaim: string | undefined;
	return {
		async facts(secret) {
			const review = await store.pendingReviews.getPendingReview(key, new Date().toISOString());
			if (!review) return { view: {} };
			seenClaim = review.claim?.reviewerId;
			const view: ReviewInboxFacts['view'] = { priority: priorityName(review.priority), ...(review.respondBy ? { respondBy: review.respondBy } : {}) };
			const claim = review.claim
				? { reviewerId: review.claim.reviewerId, by: review.claim.reviewerName ?? review.claim.reviewerId, at: review.claim.claimedAt }
				: undefined;
			const inboxUrl = signature ? await inboxUrlOf(inbox, store) : '';
			if (inboxUrl) {
				const fields = reviewLinkFields({ ...key, signature, ...(reviewerId && rsig ? { reviewerId, rsig } : {}) });
				view.formAction = inboxUrl;
				view.formFields = { ...fields, inboxAction: 'answer' };
				// Claims are the review's reviewers' (the inbox refuses anyone else): a backup reviewer answers, never claims.
				const mayClaim = !!reviewerId && !!rsig && review.reviewers.some((reviewer) => reviewer.id === reviewerId);
				if (mayClaim && claim?.reviewerId !== reviewerId) {
					view.claimForm = { action: inboxUrl, fields: { ...fields, inboxAction: claim ? 'takeOver' : 'claim' } };
				}
				if (reviewerId && secret) view.inboxLink = personalInboxLink(inboxUrl, secret, reviewerId);
			}
			return { view, ...(claim ? { claim } : {}) };
		},
		async after(step, method, now) {
			const at = now.toISOString();
			const answered = step.audit.find((event) => event.event === 'answered');
			// A decision closes the review below, which ends its claim as well.
			if (answered?.actor && !step.outputs && seenClaim) await store.pendingReviews.releaseClaim(key, seenClaim);
			if (step.outputs) {
				const decisions: string[] = [];
				const decidedBy = new Set<string>();
				for (const output of step.outputs) {
					for (const { itemIndex, review } of output) {
						decisions[itemIndex] = review.decision;
						for (const reviewer of review.reviewers) decidedBy.add(deciderLabel(reviewer));
					}
				}
				await store.pendingReviews.closePendingReview(key, { status: 'decided', at, decisions, decidedBy: [...decidedBy] });
			}
			// A GET changes nothing: an answer posted after the deadline marks the review expired.
			const expired = step.audit.some((event) => event.event === 'refused' && (event.detail as { why?: string } | undefined)?.why === 'expired');
			if (expired && method === 'POST') await store.pendingReviews.closePendingReview(key, { status: 'expired', at });
		},
	};
}
