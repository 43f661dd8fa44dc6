import {
	NodeConnectionTypes,
	NodeOperationError,
	WAIT_INDEFINITELY,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
	type IWebhookFunctions,
	type IWebhookResponseData,
} from 'n8n-workflow';

import { mergeHitl } from '../shared/itemContract';
import { itemLabel, toItemError } from '../shared/itemErrors';
import { buildReviewItem, ReviewContentError, unreadableReviewItem } from './buildReviewItems';
import { decideReview, type ItemVerdict, type ReviewerAnswer } from './decideReview';
import { approvalDescription } from './description';
import { notifyReviewers } from './notifyReviewers';
import { renderAnswerPage, renderReviewPage, REVIEW_PAGE_HEADERS, type AnswerPageKind, type ReviewItemView } from './renderReviewPage';
import { parseSubmission } from './parseSubmission';
import { readEnteredAnswers, type EnteredAnswers } from './readEnteredAnswers';
import { computeDeadline, decodeReviewTimes, encodeReviewTimes, isPastDeadline, reviewTimesKey } from './reviewDeadline';
import { formToken, personalLink, signReviewer, verifyFormToken, verifyReviewer, type ReviewBinding } from './reviewerLinks';
import { memoryLedger, storeLedger, type LedgerState, type ReviewLedger } from './reviewLedger';
import { credentialTests, MIN_SECRET_LENGTH } from './credentialTests';
import { readSettings, REVIEW_SECRET_CREDENTIAL, type ApprovalSettings } from './readSettings';
import { sharedHitlStore, storeConfigFromCredential } from '../shared/store';
import { STORE_CREDENTIAL, storeOpenError } from '../shared/storeCredential';
import { openReviewInInbox, reviewInboxHooks } from './reviewInboxHooks';

/**
 * Output order, and why Timed Out comes first: when the time limit passes, n8n does not call
 * this node at all — its wait tracker resumes the execution with the node disabled, and a
 * disabled node passes its raw input to output 0 (WorkflowExecute.handleDisabledNode). So
 * output 0 is where unanswered items land whatever we do; making it "Timed Out" means an
 * unanswered item can never come out of "Approved". A person's decision always leaves on 1–3.
 */
const OUTPUT = { timedOut: 0, approved: 1, edited: 1, rejected: 2, escalated: 3 } as const;

// The lint rule below is for trigger nodes that register a webhook with a third-party service.
// This node's webhooks are n8n's own "restart" webhooks of a waiting execution: n8n creates
// and removes them with the execution, there is nothing to register elsewhere.
// Nor is it offered as an AI agent's tool (no `usableAsTool`, which the second rule asks for): a tool
// call cannot wait hours for a person; pausing needs the whole execution.
// eslint-disable-next-line @n8n/community-nodes/webhook-lifecycle-complete, @n8n/community-nodes/node-usable-as-tool
export class HumanApprovalWait implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Human Approval Wait',
		name: 'humanApprovalWait',
		icon: { light: 'file:humanApprovalWait.svg', dark: 'file:humanApprovalWait.dark.svg' },
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
			{
				name: 'hitlReviewSecretApi',
				required: true,
				testedBy: 'hitlReviewSecretTest',
				displayOptions: { show: { reviewerMode: ['named'] } },
			},
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

	methods = { credentialTest: credentialTests };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const node = this.getNode();
		const settings = readSettings(this);

		const views: ReviewItemView[] = items.map((item, itemIndex) => {
			try {
				return buildReviewItem(item.json, settings.content);
			} catch (error) {
				const itemError =
					error instanceof ReviewContentError
						? new NodeOperationError(node, `${itemLabel(itemIndex)}: ${error.message}`, { itemIndex, description: error.hint })
						: toItemError(node, error, itemIndex);
				// With "continue on fail" the item is still put in front of a person, with the error.
				if (this.continueOnFail()) return unreadableReviewItem(item.json, itemError.message);
				throw itemError;
			}
		});

		const now = new Date();
		let deadline: Date | undefined;
		try {
			deadline = computeDeadline(now, settings.deadline);
		} catch (error) {
			throw new NodeOperationError(node, (error as Error).message, {
				description: 'Set "Time Limit" to None, or give a positive amount or a date in the future.',
			});
		}
		const times = { requestedAt: now.toISOString(), ...(deadline ? { deadline: deadline.toISOString() } : {}) };
		this.customData.set(reviewTimesKey(node.id), encodeReviewTimes(times));

		const reviewUrl = String(this.evaluateExpression('{{ $execution.resumeUrl }}', 0));
		const executionId = this.getExecutionId();
		const secret = settings.reviewerMode === 'named' ? await readReviewSecret(this) : undefined;
		const signedLinks = settings.reviewers.map((reviewer) => ({
			...reviewer,
			url: personalLink(reviewUrl, reviewer.id, signReviewer(secret!, { executionId, nodeId: node.id, reviewerId: reviewer.id })),
		}));
		// Review Inbox (issue 14): registers the review in the store; links go through the inbox when one is set.
		const { link, personalLinks: links } = await openReviewInInbox(this, {
			settings,
			items,
			views,
			times,
			...(secret ? { secret } : {}),
			links: { link: reviewUrl, personalLinks: signedLinks },
		});

		await notifyReviewers(this, settings, {
			title: settings.title,
			link,
			itemCount: items.length,
			firstDraft: views[0]?.draft ?? '',
			deadline: times.deadline,
			executionId,
			personalLinks: links,
		});

		const ledger = await openLedger(this, settings, executionId);
		await ledger.audit('requested', 'system', {
			items: items.length,
			requestedAt: times.requestedAt,
			deadline: times.deadline ?? null,
			reviewers: settings.reviewers.map((reviewer) => reviewer.id),
			approvalsNeeded: settings.approvalsNeeded,
		});

		await this.putExecutionToWait(deadline ?? WAIT_INDEFINITELY);
		// Nothing leaves while waiting: on resume n8n routes the webhook's items (or, on timeout,
		// the raw input to output 0).
		return [[], [], [], []];
	}

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		const request = this.getRequestObject();
		const response = this.getResponseObject();
		const respond = (status: number, html: string): IWebhookResponseData => {
			response.status(status);
			for (const [name, value] of Object.entries(REVIEW_PAGE_HEADERS)) response.setHeader(name, value);
			response.end(html);
			return { noWebhookResponse: true };
		};

		const settings = readSettings(this);
		const node = this.getNode();
		const executionId = this.getExecutionId();
		const answerPage = (status: number, kind: AnswerPageKind, detail?: string) =>
			respond(status, renderAnswerPage({ kind, title: settings.title, ...(detail ? { detail } : {}) }));

		const ledger = await openLedger(this, settings, executionId);
		const inbox = await reviewInboxHooks(this, settings); // Review Inbox (issue 14)
		// Who is asking: a named reviewer's personal link must carry a valid signature.
		const query = this.getQueryData() as Record<string, unknown>;
		let binding: ReviewBinding = { executionId, nodeId: node.id, reviewerId: '' };
		let tokenKey: string;
		let reviewer: { id: string; name?: string } | undefined;
		if (settings.reviewerMode === 'named') {
			const secret = await readReviewSecret(this);
			const reviewerId = typeof query.reviewer === 'string' ? query.reviewer : '';
			binding = { ...binding, reviewerId };
			const known = settings.reviewers.find((entry) => entry.id === reviewerId);
			if (!known || !verifyReviewer(secret, binding, query.rsig)) {
				await ledger.audit('refused', reviewerId.slice(0, 64) || 'link', { why: 'badReviewerLink', method: request.method });
				return answerPage(403, 'invalid', 'This review is for named reviewers: open the personal link you were sent.');
			}
			reviewer = { id: known.id, name: known.name };
			tokenKey = secret;
		} else {
			tokenKey = executionKey(query, executionId, node.id);
		}

		const actor = reviewer?.id ?? 'link';
		const isPost = request.method === 'POST';
		const body = isPost ? (this.getBodyData() as Record<string, unknown> | undefined) : undefined;
		// A form from another execution, node or reviewer is refused before anything else is read.
		if (isPost && !verifyFormToken(tokenKey, binding, body?.token)) {
			await ledger.audit('refused', actor, { why: 'badToken' });
			return answerPage(403, 'invalid');
		}
		const times = decodeReviewTimes(this.customData.get(reviewTimesKey(node.id)));
		const requestedAt = times?.requestedAt ?? new Date().toISOString();
		const waiting = readWaitingItems(this);
		const views = waiting.map((item) => {
			try {
				return buildReviewItem(item.json, settings.content);
			} catch (error) {
				return unreadableReviewItem(item.json, (error as Error).message);
			}
		});
		const originalTexts = views.map((view) => view.draft);

		if (isPastDeadline(times, new Date())) {
			if (isPost) await inbox?.expired(new Date().toISOString()); // Review Inbox: a GET changes nothing
			await ledger.audit('refused', actor, { why: 'expired', method: request.method });
			return answerPage(410, 'expired');
		}

		// Who decided and how, from the ledger (the store, with Record in Store), for a reviewer who
		// answers after the review was decided while n8n still routes the link here.
		const alreadyDecided = (decided: LedgerState) =>
			respond(
				409,
				renderAnswerPage({
					kind: 'alreadyDecided',
					title: settings.title,
					results: decidedResults(decideReview(decided.answers, originalTexts, settings.approvalsNeeded).verdicts),
				}),
			);
		const state = await ledger.read();
		if (state.finishedAt) {
			await ledger.audit('refused', actor, { why: 'alreadyDecided', method: request.method });
			return alreadyDecided(state);
		}
		if (reviewer && state.answers.some((answer) => answer.reviewerId === reviewer.id)) {
			await ledger.audit('refused', actor, { why: 'alreadyAnswered', method: request.method });
			return answerPage(409, 'alreadyAnswered');
		}
		const progress = decideReview(state.answers, originalTexts, settings.approvalsNeeded);
		const inboxView = (await inbox?.pageView(reviewer, reviewer ? tokenKey : undefined)) ?? {}; // Review Inbox: priority, claim, forms through the inbox
		const pageView = (problems?: string[], entered?: EnteredAnswers) => ({
			...inboxView,
			title: settings.title,
			...(settings.instructions ? { instructions: settings.instructions } : {}),
			items: views.map((view, index) => withProgress(view, progress.verdicts[index])),
			reasons: settings.reasons,
			token: formToken(tokenKey, binding),
			...(reviewer ? { reviewer } : {}),
			askReviewerName: !reviewer,
			approvalsNeeded: settings.approvalsNeeded,
			answered: answeredBy(state.answers),
			...(times?.deadline ? { deadline: times.deadline } : {}),
			allowEdit: settings.allowEdit,
			requireReasonToReject: settings.requireReasonToReject,
			...(problems ? { problems } : {}),
			...(entered ? { entered } : {}),
			// A refused form keeps the first render time: the time on the page includes the fix.
			shownAt: entered?.shownAt ?? new Date().toISOString(),
		});

		if (!isPost) {
			// A GET can be a mail scanner or a chat preview: it shows the page and records nothing
			// but an audit line.
			await ledger.audit('linkOpened', actor, { userAgent: String(request.headers['user-agent'] ?? '') });
			return respond(200, renderReviewPage(pageView()));
		}

		const parsed = parseSubmission(body, {
			itemCount: views.length,
			reasons: settings.reasons,
			requireReasonToReject: settings.requireReasonToReject,
		});
		if (!parsed.ok) {
			// The page comes back with everything the reviewer entered, so fixing one item never
			// costs the decisions, edits and comments on the others.
			return respond(422, renderReviewPage(pageView(parsed.problems, readEnteredAnswers(body, views.length, settings.reasons))));
		}

		// Review Inbox: another reviewer's claim refuses the answer unless this one takes over.
		const takeOver = body?.takeOver === 'yes';
		const claimProblem = await inbox?.claimProblem(actor, takeOver);
		if (claimProblem) {
			return respond(409, renderReviewPage(pageView([claimProblem], readEnteredAnswers(body, views.length, settings.reasons))));
		}

		const at = new Date().toISOString();
		const timeOnPageMs = timeOnPage(parsed.submission.shownAt, at);
		const reviewerId = reviewer?.id ?? 'link';
		const reviewerName = reviewer?.name ?? parsed.submission.reviewerName;
		const answers: ReviewerAnswer[] = parsed.submission.answers.map((answer) => ({
			reviewerId,
			...(reviewerName ? { reviewerName } : {}),
			itemIndex: answer.itemIndex,
			choice: answer.choice,
			// A read-only review ignores any text a forged form sends.
			...(answer.text !== undefined && settings.allowEdit ? { text: answer.text } : {}),
			...(answer.reason ? { reason: answer.reason } : {}),
			...(answer.comment ? { comment: answer.comment } : {}),
			at,
			...(timeOnPageMs !== undefined ? { timeOnPageMs } : {}),
		}));
		const result = await ledger.addAnswers(reviewerId, answers, originalTexts, settings.approvalsNeeded, at);
		if (!result.accepted) {
			await ledger.audit('refused', actor, { why: result.why });
			return result.why === 'alreadyDecided' ? alreadyDecided(result.state) : answerPage(409, result.why);
		}
		await inbox?.answered(actor, takeOver); // Review Inbox: the claim ends with the answer
		await ledger.audit('answered', actor, {
			answers: answers.map((answer) => ({ item: answer.itemIndex, choice: answer.choice, reason: answer.reason ?? null })),
		});

		const outcome = decideReview(result.state.answers, originalTexts, settings.approvalsNeeded);
		const results = outcome.verdicts.map((verdict, index) => ({
			label: batchItemLabel(index, views.length),
			decision: verdict.status === 'decided' ? verdict.decision : ('pending' as const),
		}));
		if (!result.finished) {
			respond(200, renderAnswerPage({ kind: 'waitingForOthers', title: settings.title, results }));
			return { noWebhookResponse: true };
		}

		const outputs: INodeExecutionData[][] = [[], [], [], []];
		outcome.verdicts.forEach((verdict, itemIndex) => {
			if (verdict.status !== 'decided') return; // cannot happen: finished means all decided
			const approved = verdict.decision === 'approved' || verdict.decision === 'edited';
			const review = {
				decision: verdict.decision,
				...(approved ? { finalText: verdict.finalText } : {}),
				reviewers: verdict.reviewers,
				requestedAt,
				decidedAt: verdict.decidedAt,
			};
			outputs[OUTPUT[verdict.decision]].push({
				json: mergeHitl(waiting[itemIndex].json, { review }) as IDataObject,
				pairedItem: { item: itemIndex },
			});
		});
		await inbox?.decided(outcome.verdicts, at); // Review Inbox: the review leaves the inbox
		await ledger.audit(
			'decided',
			actor,
			{ decisions: outcome.verdicts.map((verdict) => (verdict.status === 'decided' ? verdict.decision : 'pending')) },
			`decided:${executionId}:${node.name}`,
		);
		respond(200, renderAnswerPage({ kind: 'recorded', title: settings.title, results }));
		return { noWebhookResponse: true, workflowData: outputs };
	}
}

function batchItemLabel(index: number, count: number): string {
	return count === 1 ? 'Decision' : `Item ${index + 1}`;
}

/** Per item: the decision, who made it (the reviewers whose answers decided it) and when. */
function decidedResults(verdicts: readonly ItemVerdict[]) {
	return verdicts.map((verdict, index) => {
		if (verdict.status !== 'decided') return { label: batchItemLabel(index, verdicts.length), decision: 'pending' as const };
		const approved = verdict.decision === 'approved' || verdict.decision === 'edited';
		const deciders = verdict.reviewers.filter((reviewer) =>
			approved ? reviewer.decision === 'approved' || reviewer.decision === 'edited' : reviewer.decision === verdict.decision,
		);
		return {
			label: batchItemLabel(index, verdicts.length),
			decision: verdict.decision,
			by: deciders.map((reviewer) => reviewer.name ?? (reviewer.id === 'link' ? 'a reviewer with the link' : reviewer.id)),
			at: verdict.decidedAt,
		};
	});
}

function withProgress(view: ReviewItemView, verdict: ItemVerdict | undefined): ReviewItemView {
	if (!verdict || verdict.status !== 'pending') return view;
	return { ...view, progress: { approvals: verdict.approvals, approvalsNeeded: verdict.approvalsNeeded } };
}

/**
 * From the page being rendered to the answer, for the Feedback Log's rubber-stamp figure: the
 * time from the request counts hours in an inbox, not the seconds spent reading. The render time
 * comes back in the form, so a value that is not a time, lies in the future or is over a day old
 * (a page left open, or a forged field) is ignored rather than trusted.
 */
function timeOnPage(shownAt: string | undefined, answeredAt: string): number | undefined {
	if (shownAt === undefined) return undefined;
	const elapsed = Date.parse(answeredAt) - Date.parse(shownAt);
	return Number.isFinite(elapsed) && elapsed >= 0 && elapsed <= 86_400_000 ? elapsed : undefined;
}

function answeredBy(answers: readonly ReviewerAnswer[]): { name: string; at: string }[] {
	const seen = new Map<string, { name: string; at: string }>();
	for (const answer of answers) {
		if (!seen.has(answer.reviewerId)) seen.set(answer.reviewerId, { name: answer.reviewerName ?? answer.reviewerId, at: answer.at });
	}
	return [...seen.values()];
}

/**
 * The key of the form token for a shared link: the execution's own resume token (the
 * `signature` n8n checked before calling us), which only holders of the link know. n8n may
 * append a webhook suffix after a slash. Without one (a workflow test), the ids stand in.
 */
function executionKey(query: Record<string, unknown>, executionId: string, nodeId: string): string {
	const signature = typeof query.signature === 'string' ? query.signature.split('/')[0] : '';
	return signature !== '' ? signature : `unsigned:${executionId}:${nodeId}`;
}

async function readReviewSecret(context: IExecuteFunctions | IWebhookFunctions): Promise<string> {
	const credential = await context.getCredentials<{ secret?: string }>(REVIEW_SECRET_CREDENTIAL);
	const secret = credential.secret ?? '';
	if (secret.length < MIN_SECRET_LENGTH) {
		throw new NodeOperationError(context.getNode(), 'The HITL Review Secret is too short', {
			description: `Personal review links are signed with it: use at least ${MIN_SECRET_LENGTH} (better 32) random characters.`,
		});
	}
	return secret;
}

async function openLedger(
	context: IExecuteFunctions | IWebhookFunctions,
	settings: ApprovalSettings,
	executionId: string,
): Promise<ReviewLedger> {
	const key = { executionId, nodeName: context.getNode().name };
	if (!settings.useStore) return memoryLedger(key);
	const data = await context.getCredentials(STORE_CREDENTIAL);
	try {
		const store = await sharedHitlStore(storeConfigFromCredential(data as Record<string, unknown>));
		return storeLedger(store, key);
	} catch (error) {
		throw storeOpenError(
			context.getNode(),
			error,
			'Check the HITL Store credential (its Test button opens the store), or turn off "Record in Store".',
		);
	}
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
