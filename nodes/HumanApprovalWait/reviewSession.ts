/**
 * What execute() and webhook() read from n8n, read one way for both — the n8n side of the node's
 * functional core (startReview.ts, answerReviewRequest.ts).
 *
 * How state crosses from execute() to webhook(): n8n gives a resumed node's webhook() the node's
 * parameters, its input items and its credentials — the same ones execute() had — but nothing
 * execute() computed. So everything that can be derived again is: the settings (readSettings),
 * the review items (buildReviewItems), the signatures of personal links and forms (HMACs over
 * the execution, the node and the reviewer with the review secret, see reviewerLinks.ts).
 * The one thing execute() computes that webhook() cannot derive is the review's times (when it
 * was requested, its deadline); they cross in the execution's custom data
 * ({@link keepReviewTimes} / {@link readReviewTimes}), which n8n persists with the execution in
 * every mode and process. The review ledger (reviewLedger.ts) is not a channel from execute():
 * it holds what reviewers answered, from one webhook() call to the next.
 */
import {
	NodeOperationError,
	type IExecuteFunctions,
	type INodeExecutionData,
	type IWebhookFunctions,
} from 'n8n-workflow';

import { backupAccess, type BackupAccess } from '../shared/reviewSlaSteps';
import type { HitlStore } from '../shared/store';
import { openNodeStore } from '../shared/storeCredential';
import { buildReviewItems, type UnreadableItem } from './buildReviewItems';
import { MIN_SECRET_LENGTH } from './credentialTests';
import { HITL_REVIEW_SECRET_CREDENTIAL } from '../shared/credentialNames';
import { readSettings, type ApprovalSettings } from './readSettings';
import type { ReviewItemView } from './renderReviewPage';
import { decodeReviewTimes, encodeReviewTimes, reviewTimesKey, type ReviewTimes } from './reviewDeadline';
import { memoryLedger, storeLedger, type ReviewLedger } from './reviewLedger';

type Context = IExecuteFunctions | IWebhookFunctions;

export interface ReviewSession {
	settings: ApprovalSettings;
	/** Which review: the execution and the node (its id signs links, its name keys the ledger). */
	review: { executionId: string; nodeId: string; nodeName: string };
	/** The items under review: execute()'s input, the same items webhook() finds waiting. */
	items: INodeExecutionData[];
	/** The page's view of each item, and the items that could not be read. */
	views: ReviewItemView[];
	unreadable: UnreadableItem[];
}

export function readReviewSession(context: Context): ReviewSession {
	const settings = readSettings(context);
	const node = context.getNode();
	const items = 'getInputData' in context ? context.getInputData() : readWaitingItems(context);
	const { views, unreadable } = buildReviewItems(
		items.map((item) => item.json),
		settings.content,
	);
	return { settings, review: { executionId: context.getExecutionId(), nodeId: node.id, nodeName: node.name }, items, views, unreadable };
}

/**
 * The items waiting at this node. n8n hands a resumed webhook its waiting node's input as the
 * context's connection input (WebhookContext), readable through `$input`.
 */
function readWaitingItems(context: IWebhookFunctions): INodeExecutionData[] {
	const items = context.evaluateExpression('{{ $input.all() }}', 0);
	if (!Array.isArray(items) || items.length === 0) {
		throw new NodeOperationError(context.getNode(), 'The items waiting for review could not be read', {
			description: 'This execution has no input items at the Human Approval Wait node.',
		});
	}
	return items as INodeExecutionData[];
}

/** The review's times, for webhook(): in custom data, persisted with the execution. */
export function keepReviewTimes(context: IExecuteFunctions, times: ReviewTimes): void {
	context.customData.set(reviewTimesKey(context.getNode().id), encodeReviewTimes(times));
}

export function readReviewTimes(context: IWebhookFunctions): ReviewTimes | undefined {
	return decodeReviewTimes(context.customData.get(reviewTimesKey(context.getNode().id)));
}

/**
 * The HITL Review Secret, refused when too short to sign links safely: named reviewers need it (their
 * personal links); a review recorded in the store uses it when set (its sealed link lets the Review
 * Inbox open it); otherwise undefined.
 */
export async function readReviewSecret(context: Context, settings: ApprovalSettings): Promise<string | undefined> {
	const named = settings.reviewerMode === 'named';
	if (!named && !(settings.useStore && context.getNode().credentials?.[HITL_REVIEW_SECRET_CREDENTIAL])) return undefined;
	const credential = await context.getCredentials<{ secret?: string }>(HITL_REVIEW_SECRET_CREDENTIAL).catch((error: unknown) => {
		// Not required on the node (it also seals links in the store), so n8n's own words would be "Node does not require credentials".
		const why = (error as Error).message;
		throw named
			? new NodeOperationError(context.getNode(), 'Named reviewers need the HITL Review Secret credential', {
					description: `Pick or create one on this node (at least 32 random characters): it signs each reviewer's personal link. (${why})`,
				})
			: new NodeOperationError(context.getNode(), 'The HITL Review Secret credential on this node cannot be read', {
					description: `It seals the review's link in the store so that the Review Inbox can open it. Pick a working one, or remove it. (${why})`,
				});
	});
	const secret = credential.secret ?? '';
	if (secret.length < MIN_SECRET_LENGTH) {
		throw new NodeOperationError(context.getNode(), 'The HITL Review Secret is too short', {
			description: `Personal review links are signed with it: use at least ${MIN_SECRET_LENGTH} (better 32) random characters.`,
		});
	}
	return secret;
}

/**
 * How long a review page (webhook()) reuses the HITL Store credential it read in this process. A
 * credential read there costs n8n a new V8 isolate, most of an answer's time to the resumed
 * execution (see openNodeStore's `reuseCredentialForMs`). execute() reads it every time.
 */
export const STORE_CREDENTIAL_REUSE_MS = 60_000;

/**
 * The store of "Record in Store" (undefined without it): the process-wide shared store for the
 * credential. webhook() opens it once per request and hands it to the ledger and to the Review
 * Inbox hooks.
 */
export async function openReviewStore(context: Context, settings: ApprovalSettings): Promise<HitlStore | undefined> {
	if (!settings.useStore) return undefined;
	return await openNodeStore(context, {
		credentialRequired: true,
		hint: 'Check the HITL Store credential (its Test button opens the store), or turn off "Record in Store".',
		...('getRequestObject' in context ? { reuseCredentialForMs: STORE_CREDENTIAL_REUSE_MS } : {}),
	});
}

/** The review's ledger: in the store when one is open (see {@link openReviewStore}), else in this process's memory. */
export function openLedger(session: ReviewSession, store: HitlStore | undefined): ReviewLedger {
	const key = { executionId: session.review.executionId, nodeName: session.review.nodeName };
	return store ? storeLedger(store, key) : memoryLedger(key);
}

/**
 * Review SLAs (issue 15): whether the backup reviewer a link names may answer yet — once the
 * Review SLA Trigger recorded the review's `escalated` step in the store. Read only for a link that
 * names a backup reviewer, so the reviewers' requests cost no extra query; in the store webhook()
 * already opened. Undefined otherwise.
 */
export async function readBackupAccess(context: IWebhookFunctions, session: ReviewSession, opened: HitlStore | undefined): Promise<BackupAccess | undefined> {
	const reviewerId = (context.getQueryData() as Record<string, unknown>).reviewer;
	if (!session.settings.backupReviewers.some((backup) => backup.id === reviewerId)) return undefined;
	const store =
		opened ??
		(await openNodeStore(context, {
			credentialRequired: true,
			hint: 'Check the HITL Store credential (its Test button opens the store); backup reviewers need it.',
		}));
	const key = { executionId: session.review.executionId, nodeName: session.review.nodeName };
	const [steps, review] = await Promise.all([store.reviewSla.listSlaSteps(key), store.pendingReviews.getPendingReview(key, new Date().toISOString())]);
	return backupAccess(review ?? {}, steps.find((step) => step.step === 'escalated')?.emittedAt);
}
