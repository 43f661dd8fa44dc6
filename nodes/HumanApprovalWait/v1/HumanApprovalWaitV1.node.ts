import {
	NodeConnectionTypes,
	NodeOperationError,
	WAIT_INDEFINITELY,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeBaseDescription,
	type INodeTypeDescription,
	type IWebhookFunctions,
	type IWebhookResponseData,
} from 'n8n-workflow';

import { mergeHitl } from '../../shared/itemContract';
import { itemLabel, toItemError } from '../../shared/itemErrors';
import { answerReviewRequest, type ReviewStep } from '../answerReviewRequest';
import { ReviewContentError } from '../buildReviewItems';
import { credentialTests } from '../credentialTests';
import { approvalDescription, NODE_ICON } from '../description';
import { notifyReviewers } from '../notifyReviewers';
import { renderAnswerPage, renderReviewPage, REVIEW_PAGE_HEADERS } from '../renderReviewPage';
import { keepReviewTimes, openLedger, openReviewStore, readBackupAccess, readReviewSecret, readReviewSession, readReviewTimes, type ReviewSession } from '../reviewSession';
import { startReview } from '../startReview';
import { openReviewInInbox, reviewInboxHooks } from '../reviewInboxHooks';

// The lint rule below is for trigger nodes that register a webhook with a third-party service.
// This node's webhooks are n8n's own "restart" webhooks of a waiting execution: n8n creates
// and removes them with the execution, there is nothing to register elsewhere.
// Nor is it offered as an AI agent's tool (no `usableAsTool`, which the second rule asks for): a tool
// call cannot wait hours for a person; pausing needs the whole execution.
// eslint-disable-next-line @n8n/community-nodes/webhook-lifecycle-complete, @n8n/community-nodes/node-usable-as-tool
export class HumanApprovalWaitV1 implements INodeType {
	// Version 1 as saved workflows know it: outputs (Timed Out first, see answerReviewRequest.ts),
	// webhooks and parameters. A change of outputs or of a parameter's meaning is version 2.
	description: INodeTypeDescription = {
		displayName: 'Human Approval Wait',
		name: 'humanApprovalWait',
		icon: NODE_ICON,
		group: ['transform'],
		version: 1,
		subtitle: '={{ {email: "review by e-mail", webhook: "review via chat", none: "review link"}[$parameter["notify"]] }}',
		description: 'Pause until people approve, edit, reject or escalate each item on a web form',
		defaults: { name: 'Human Approval Wait' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main, NodeConnectionTypes.Main, NodeConnectionTypes.Main, NodeConnectionTypes.Main],
		outputNames: ['Timed Out', 'Approved', 'Rejected', 'Escalated'],
		credentials: [
			{ name: 'hitlSmtpApi', required: true, testedBy: 'hitlSmtpTest', displayOptions: { show: { notify: ['email'] } } },
			// Named reviewers: signs their personal links (the review refuses to start without it). Any
			// review recorded in the store: seals its link, so the Review Inbox can open it from its row.
			// Not required, and shown in every mode: n8n reads a credential only where it is displayed.
			{ name: 'hitlReviewSecretApi', required: false, testedBy: 'hitlReviewSecretTest' },
			{ name: 'hitlStore', required: true, testedBy: 'hitlStoreTest', displayOptions: { show: { useStore: [true] } } },
		],
		waitingNodeTooltip:
			'=Waiting for reviewers. Review page: <a href="{{ $execution.resumeUrl }}" target="_blank">{{ $execution.resumeUrl }}</a>',
		// The review page lives at the execution's resume URL ($execution.resumeUrl, the
		// /webhook-waiting/<id> route): n8n checks the execution's token, then calls the
		// restartWebhook of the matching method. GET shows the page; POST records an answer.
		//
		// Why that route and not /form-waiting ($execution.resumeFormUrl, where the page lived
		// before and which still serves links already sent): n8n 2.40 answers a request to
		// /form-waiting of an execution that is still *running* with nothing at all — the request
		// hangs — and one to a *finished* execution with its own "Your response has been
		// recorded". On /webhook-waiting it answers both at once with a 409 ("is running already",
		// "has finished already"). A link opened before the review waits (a chat preview of the
		// webhook's answer) then gets an answer, and a reviewer who answers after the review was
		// decided is told it was over instead of being thanked (WaitingForms / WaitingWebhooks
		// .executeWebhook in n8n's cli package). The node is not called in either case.
		webhooks: [
			{
				name: 'default',
				httpMethod: 'GET',
				responseMode: 'onReceived',
				path: '',
				restartWebhook: true,
				isFullPath: true,
			},
			{
				name: 'default',
				httpMethod: 'POST',
				responseMode: 'onReceived',
				path: '',
				restartWebhook: true,
				isFullPath: true,
			},
			{
				name: 'default',
				httpMethod: 'GET',
				responseMode: 'onReceived',
				path: '',
				restartWebhook: true,
				isFullPath: true,
				nodeType: 'form',
			},
			{
				name: 'default',
				httpMethod: 'POST',
				responseMode: 'onReceived',
				path: '',
				restartWebhook: true,
				isFullPath: true,
				nodeType: 'form',
			},
		],
		properties: approvalDescription,
	};

	/** The wrapper's description (../HumanApprovalWait.node.ts) under this version's. */
	constructor(baseDescription: INodeTypeBaseDescription) {
		this.description = { ...baseDescription, ...this.description };
	}

	methods = { credentialTest: credentialTests };

	/**
	 * Items arrive: announce the review, record the request, wait. The decisions are made in
	 * startReview.ts; this reads n8n and does what it says.
	 */
	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const session = readReviewSession(this);
		failOnUnreadableItem(this, session);
		const reviewSecret = await readReviewSecret(this, session.settings);
		const reviewUrl = String(this.evaluateExpression('{{ $execution.resumeUrl }}', 0));
		const start = startReview({ review: session.review, items: session.views, reviewUrl, reviewSecret }, session.settings, new Date());
		if ('timeLimitProblem' in start) {
			throw new NodeOperationError(this.getNode(), start.timeLimitProblem, {
				description: 'Set "Time Limit" to None, or give a positive amount or a date in the future.',
			});
		}
		keepReviewTimes(this, start.times);
		// Review Inbox (issue 14): registers the review in the store; links go through the inbox when one is set.
		const links = await openReviewInInbox(this, {
			settings: session.settings,
			items: session.items,
			views: session.views,
			times: start.times,
			...(reviewSecret ? { secret: reviewSecret } : {}),
			links: { link: start.announcement.link, personalLinks: start.announcement.personalLinks },
		});
		await notifyReviewers(this, session.settings, { ...start.announcement, ...links });
		const ledger = openLedger(session, await openReviewStore(this, session.settings));
		await ledger.audit(start.audit);
		await this.putExecutionToWait(start.waitTill ?? WAIT_INDEFINITELY);
		// Nothing leaves while waiting: on resume n8n routes the webhook's items (or, on timeout,
		// the raw input to output 0).
		return [[], [], [], []];
	}

	/**
	 * A request to the review page (GET shows it, POST records an answer). The decisions are made
	 * in answerReviewRequest.ts; this gathers the facts, applies the ledger change, writes the
	 * audit events and responds — resuming the execution when the review is decided.
	 */
	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		const session = readReviewSession(this);
		// The answer's time to the resumed execution is mostly store round trips: one credential read
		// for the store, the independent reads at once, one conditional write, then the writes that do
		// not depend on each other at once (bench/queue measures it).
		const [store, reviewSecret] = await Promise.all([openReviewStore(this, session.settings), readReviewSecret(this, session.settings)]);
		const ledger = openLedger(session, store);
		const inbox = await reviewInboxHooks(this, session.settings, store); // Review Inbox (issue 14)
		const request = this.getRequestObject();
		// A backup reviewer's link (Review SLAs, issue 15) reads the escalation; other links read nothing more.
		const [snapshot, inboxFacts, backupAccess] = await Promise.all([ledger.read(), inbox?.facts(reviewSecret), readBackupAccess(this, session, store)]);
		const facts = {
			method: request.method === 'POST' ? ('POST' as const) : ('GET' as const),
			query: this.getQueryData() as Record<string, unknown>,
			body: request.method === 'POST' ? this.getBodyData() : undefined,
			userAgent: String(request.headers['user-agent'] ?? ''),
			review: session.review,
			items: session.views,
			times: readReviewTimes(this),
			reviewSecret,
			...(inboxFacts ? { inbox: inboxFacts } : {}),
			...(backupAccess ? { backupAccess } : {}),
		};
		const now = new Date();
		// Run again on the state that won when another answer changed the ledger first.
		const step = await ledger.update(snapshot, (state) => answerReviewRequest(facts, state, session.settings, now));
		// The audit lines (in their order) and the Review Inbox's update (claims end with the answer,
		// the decision closes the review) touch different rows: both are written before the page.
		await Promise.all([ledger.audit(step.audit), inbox?.after(step, facts.method, now)]);
		sendPage(this, step);
		return { noWebhookResponse: true, ...(step.outputs ? { workflowData: outputItems(step, session) } : {}) };
	}
}

/** Fails on the first item that cannot be reviewed, unless "continue on fail" puts it in front of a person with its error. */
function failOnUnreadableItem(context: IExecuteFunctions, session: ReviewSession): void {
	const [first] = session.unreadable;
	if (!first || context.continueOnFail()) return;
	const { itemIndex, error } = first;
	throw error instanceof ReviewContentError
		? new NodeOperationError(context.getNode(), `${itemLabel(itemIndex)}: ${error.message}`, { itemIndex, description: error.hint })
		: toItemError(context.getNode(), error, itemIndex);
}

function sendPage(context: IWebhookFunctions, step: ReviewStep): void {
	const response = context.getResponseObject();
	response.status(step.status);
	for (const [name, value] of Object.entries(REVIEW_PAGE_HEADERS)) response.setHeader(name, value);
	response.end(step.page.kind === 'review' ? renderReviewPage(step.page.view) : renderAnswerPage(step.page.view));
}

/** Each decided item with its `hitl.review`, on the output of its decision, paired with its input. */
function outputItems(step: ReviewStep, session: ReviewSession): INodeExecutionData[][] {
	return (step.outputs ?? []).map((output) =>
		output.map(({ itemIndex, review }) => ({
			json: mergeHitl(session.items[itemIndex].json, { review }) as IDataObject,
			pairedItem: { item: itemIndex },
		})),
	);
}
