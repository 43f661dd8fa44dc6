/**
 * One request to the review page, as data in and data out: who is asking, whether they may, what
 * the page shows, what is recorded and whether the execution resumes. No n8n import, no I/O, no
 * clock (see STYLE.md, "Functional core"): the node's webhook() gathers the facts, runs this,
 * applies the ledger change, writes the audit events and sends the page.
 *
 *   answerReviewRequest(request facts, ledger state, settings, now)
 *     → { status, page, audit, ledgerChange?, outputs? }
 *
 * The checks, in the order a request meets them:
 * 1. a named reviewer's personal link must carry a valid signature (403);
 * 2. a posted form must carry the token rendered for this execution, node and reviewer (403);
 * 3. past the deadline nothing is shown or recorded (410);
 *    a backup reviewer's link before the review is escalated shows when it becomes valid (403);
 * 4. a finished review says who decided and how (409); a reviewer who answered says so (409);
 * 5. a GET shows the page and records nothing but an audit line (200);
 * 6. a form that cannot be recorded comes back with its problems and all that was entered (422);
 * 7. else the answers are added: the page thanks the reviewer (200), and when every item is
 *    decided, `outputs` holds each item's review on its output and the execution resumes.
 *
 * The ledger applies `ledgerChange` by compare-and-set and, when the state moved under it, runs
 * this function again on the state that won (reviewLedger.ts), so a race is decided here too.
 */
import type { BackupAccess } from '../shared/reviewSlaSteps';
import type { JsonValue } from '../shared/store/types';
import type { Review } from '../shared/itemContract';
import { decideReview, type ItemVerdict, type ReviewerAnswer } from './decideReview';
import { parseSubmission, type Submission } from './parseSubmission';
import { readEnteredAnswers, type EnteredAnswers } from './readEnteredAnswers';
import type { ApprovalSettings } from './readSettings';
import type { AnswerPageView, ReviewItemView, ReviewPageView } from './renderReviewPage';
import { isPastDeadline, type ReviewTimes } from './reviewDeadline';
import { formToken, verifyFormToken, verifyReviewer, type ReviewBinding } from './reviewerLinks';
import { applyAnswers, whyClosedTo, type ClosedReason, type LedgerState, type ReviewAuditEvent } from './reviewLedger';

/** Everything about the request and the review it is for, as webhook() gathered it. */
export interface ReviewRequestFacts {
	method: 'GET' | 'POST';
	/** The query string: `reviewer` and `rsig` of a personal link, n8n's `signature`. */
	query: Record<string, unknown>;
	/** The posted form (POST only), as n8n parsed it. */
	body?: unknown;
	userAgent: string;
	/** Which review: the node's id signs links and forms, its name keys the ledger's audit. */
	review: { executionId: string; nodeId: string; nodeName: string };
	/** The items waiting at the node, as the page shows them (buildReviewItems.ts). */
	items: readonly ReviewItemView[];
	/** What execute() left for webhook() (reviewDeadline.ts); undefined if it could not be read. */
	times: ReviewTimes | undefined;
	/** The HITL Review Secret's value: named reviewers only. */
	reviewSecret?: string;
	/** Review Inbox (issue 14), with "Record in Store": read from the store before the step. */
	inbox?: ReviewInboxFacts;
	/**
	 * Review SLAs (issue 15): whether a backup reviewer may answer yet (the store's `escalated`
	 * step), read only when the link names a backup reviewer. Absent: not escalated.
	 */
	backupAccess?: BackupAccess;
}

/** The review's priority, the inbox's forms on the page, and the unexpired claim (reviewInboxHooks.ts). */
export interface ReviewInboxFacts {
	view: Pick<ReviewPageView, 'priority' | 'formAction' | 'formFields' | 'claimForm' | 'inboxLink' | 'respondBy'>;
	claim?: { reviewerId: string; by: string; at: string };
}

/** The settings a request is answered with (readSettings.ts). */
export type ReviewRequestSettings = Pick<
	ApprovalSettings,
	'title' | 'instructions' | 'reasons' | 'requireReasonToReject' | 'allowEdit' | 'reviewerMode' | 'reviewers' | 'approvalsNeeded'
> &
	Partial<Pick<ApprovalSettings, 'backupReviewers'>>;

export type ReviewStepPage = { kind: 'review'; view: ReviewPageView } | { kind: 'answer'; view: AnswerPageView };

/** A decided item on its way out: output 0 Timed Out, 1 Approved (and edited), 2 Rejected, 3 Escalated. */
export interface ReviewedItem {
	itemIndex: number;
	review: Review;
}

export interface ReviewStep {
	status: 200 | 403 | 409 | 410 | 422;
	page: ReviewStepPage;
	/** In the order they happened; webhook() writes them after the ledger change. */
	audit: ReviewAuditEvent[];
	/** The ledger's state after this request; absent when the request changes nothing. */
	ledgerChange?: LedgerState;
	/** Set when this answer decided the last item: the items per output; the execution resumes. */
	outputs?: ReviewedItem[][];
}

/**
 * Output order, and why Timed Out comes first: when the time limit passes, n8n does not call
 * the node at all — its wait tracker resumes the execution with the node disabled, and a
 * disabled node passes its raw input to output 0 (WorkflowExecute.handleDisabledNode). So
 * output 0 is where unanswered items land whatever we do; making it "Timed Out" means an
 * unanswered item can never come out of "Approved". A person's decision always leaves on 1–3.
 */
export const OUTPUT = { timedOut: 0, approved: 1, edited: 1, rejected: 2, escalated: 3 } as const;
export const OUTPUT_COUNT = 4;

/** The reviewer id of the shared link (no named reviewer). */
const LINK_ACTOR = 'link';

/** How a decider is named to people: their name, else their id; the shared link's reviewer in words. */
export function deciderLabel(reviewer: { id: string; name?: string }): string {
	return reviewer.name ?? (reviewer.id === LINK_ACTOR ? 'a reviewer with the link' : reviewer.id);
}

type Caller =
	| { ok: true; reviewer?: { id: string; name?: string }; backup?: boolean; tokenKey: string; binding: ReviewBinding }
	| { ok: false; claimedId: string };

/** Who is asking: a named reviewer's personal link must carry a valid signature. */
function identifyCaller(facts: ReviewRequestFacts, settings: ReviewRequestSettings): Caller {
	const { executionId, nodeId } = facts.review;
	if (settings.reviewerMode !== 'named') {
		return { ok: true, tokenKey: sharedLinkKey(facts.query, executionId, nodeId), binding: { executionId, nodeId, reviewerId: '' } };
	}
	const reviewerId = typeof facts.query.reviewer === 'string' ? facts.query.reviewer : '';
	const binding = { executionId, nodeId, reviewerId };
	const known = settings.reviewers.find((entry) => entry.id === reviewerId);
	const backup = known ? undefined : settings.backupReviewers?.find((entry) => entry.id === reviewerId);
	const person = known ?? backup;
	if (!person || !verifyReviewer(facts.reviewSecret ?? '', binding, facts.query.rsig)) return { ok: false, claimedId: reviewerId };
	return { ok: true, reviewer: { id: person.id, name: person.name }, ...(backup ? { backup: true } : {}), tokenKey: facts.reviewSecret ?? '', binding };
}

/**
 * The key of the form token for a shared link: the execution's own resume token (the
 * `signature` n8n checked before calling us), which only holders of the link know. n8n may
 * append a webhook suffix after a slash. Without one (a workflow test), the ids stand in.
 */
function sharedLinkKey(query: Record<string, unknown>, executionId: string, nodeId: string): string {
	const signature = typeof query.signature === 'string' ? query.signature.split('/')[0] : '';
	return signature !== '' ? signature : `unsigned:${executionId}:${nodeId}`;
}

export function answerReviewRequest(
	facts: ReviewRequestFacts,
	ledger: LedgerState,
	settings: ReviewRequestSettings,
	now: Date,
): ReviewStep {
	const { method } = facts;
	const caller = identifyCaller(facts, settings);
	if (!caller.ok) {
		return refusal(
			caller.claimedId.slice(0, 64) || LINK_ACTOR,
			{ why: 'badReviewerLink', method },
			403,
			answerPage(settings, { kind: 'invalid', detail: 'This review is for named reviewers: open the personal link you were sent.' }),
		);
	}
	const { reviewer, tokenKey, binding } = caller;
	const actor = reviewer?.id ?? LINK_ACTOR;
	// A form from another execution, node or reviewer is refused before anything else is read.
	if (method === 'POST' && !verifyFormToken(tokenKey, binding, (facts.body as Record<string, unknown> | undefined)?.token)) {
		return refusal(actor, { why: 'badToken' }, 403, answerPage(settings, { kind: 'invalid' }));
	}
	if (isPastDeadline(facts.times, now)) return refusal(actor, { why: 'expired', method }, 410, answerPage(settings, { kind: 'expired' }));
	// A backup reviewer answers only once the review is escalated (issue 15); the page says from when.
	if (caller.backup && facts.backupAccess?.allowed !== true) {
		const validFrom = facts.backupAccess?.allowed === false ? facts.backupAccess.validFrom : undefined;
		return refusal(
			actor,
			{ why: 'notYetEscalated', method, validFrom: validFrom ?? null },
			403,
			answerPage(settings, { kind: 'notYetValid', ...(validFrom ? { validFrom } : {}) }),
		);
	}
	const closed = whyClosedTo(ledger, actor);
	if (closed) return closedRefusal(closed, actor, facts, ledger, settings);

	const reviewPage = (problems?: string[], entered?: EnteredAnswers): ReviewStepPage => ({
		kind: 'review',
		view: reviewPageView(facts, ledger, settings, { reviewer, actor, token: formToken(tokenKey, binding), now, problems, entered }),
	});
	if (method === 'GET') {
		// A GET can be a mail scanner or a chat preview: it shows the page and records nothing
		// but an audit line.
		return { status: 200, page: reviewPage(), audit: [{ event: 'linkOpened', actor, detail: { userAgent: facts.userAgent } }] };
	}

	const parsed = parseSubmission(facts.body, {
		itemCount: facts.items.length,
		reasons: settings.reasons,
		requireReasonToReject: settings.requireReasonToReject,
	});
	if (!parsed.ok) {
		// The page comes back with everything the reviewer entered, so fixing one item never
		// costs the decisions, edits and comments on the others.
		return { status: 422, page: reviewPage(parsed.problems, readEnteredAnswers(facts.body, facts.items.length, settings.reasons)), audit: [] };
	}
	// Review Inbox: another reviewer's claim refuses the answer unless this one takes over (recorded).
	const claim = facts.inbox?.claim;
	const takeOver = (facts.body as Record<string, unknown> | undefined)?.takeOver === 'yes';
	if (claim && claim.reviewerId !== actor && !takeOver) {
		return {
			status: 409,
			page: reviewPage([claimProblem(claim, now)], readEnteredAnswers(facts.body, facts.items.length, settings.reasons)),
			audit: [{ event: 'refused', actor, detail: { why: 'claimedByOther', claimedBy: claim.reviewerId } }],
		};
	}
	const at = now.toISOString();
	const answers = toReviewerAnswers(parsed.submission, { id: actor, name: reviewer?.name }, settings.allowEdit, at);
	const step = recordAnswers(facts, ledger, settings, actor, answers, at);
	if (!claim || claim.reviewerId === actor || !step.ledgerChange) return step;
	return { ...step, audit: [{ event: 'takenOver', actor, detail: { from: claim.reviewerId, via: 'answer' } }, ...step.audit] };
}

function claimProblem(claim: { by: string; at: string }, now: Date): string {
	const minutes = Math.max(0, Math.round((now.getTime() - Date.parse(claim.at)) / 60_000));
	return `${claim.by} is reviewing this (claimed ${minutes === 1 ? '1 minute' : `${minutes} minutes`} ago). Tick “Take over” to answer anyway; the take-over is recorded.`;
}

function answerPage(settings: ReviewRequestSettings, view: Omit<AnswerPageView, 'title'>): ReviewStepPage {
	return { kind: 'answer', view: { title: settings.title, ...view } };
}

function refusal(actor: string, detail: Record<string, JsonValue>, status: ReviewStep['status'], page: ReviewStepPage): ReviewStep {
	return { status, page, audit: [{ event: 'refused', actor, detail }] };
}

/** The review is finished, or this reviewer answered before (reviewLedger.whyClosedTo). */
function closedRefusal(
	why: ClosedReason,
	actor: string,
	facts: ReviewRequestFacts,
	ledger: LedgerState,
	settings: ReviewRequestSettings,
): ReviewStep {
	const detail = { why, method: facts.method };
	if (why === 'alreadyAnswered') return refusal(actor, detail, 409, answerPage(settings, { kind: 'alreadyAnswered' }));
	// Who decided and how, from the ledger, for a reviewer who answers after the review was
	// decided while n8n still routes the link here.
	const { verdicts } = decideReview(ledger.answers, facts.items.map((item) => item.draft), settings.approvalsNeeded);
	return refusal(actor, detail, 409, answerPage(settings, { kind: 'alreadyDecided', results: decidedResults(verdicts) }));
}

/** A valid form's answers as the ledger keeps them: who, when, and how long the page was open. */
function toReviewerAnswers(
	submission: Submission,
	reviewer: { id: string; name?: string },
	allowEdit: boolean,
	at: string,
): ReviewerAnswer[] {
	const timeOnPageMs = timeOnPage(submission.shownAt, at);
	const reviewerName = reviewer.name ?? submission.reviewerName;
	return submission.answers.map((answer) => ({
		reviewerId: reviewer.id,
		...(reviewerName ? { reviewerName } : {}),
		itemIndex: answer.itemIndex,
		choice: answer.choice,
		// A read-only review ignores any text a forged form sends.
		...(answer.text !== undefined && allowEdit ? { text: answer.text } : {}),
		...(answer.reason ? { reason: answer.reason } : {}),
		...(answer.comment ? { comment: answer.comment } : {}),
		at,
		...(timeOnPageMs !== undefined ? { timeOnPageMs } : {}),
	}));
}

/** The answers added to the ledger: thanks, and when every item is decided, the outputs. */
function recordAnswers(
	facts: ReviewRequestFacts,
	ledger: LedgerState,
	settings: ReviewRequestSettings,
	actor: string,
	answers: ReviewerAnswer[],
	at: string,
): ReviewStep {
	const originalTexts = facts.items.map((item) => item.draft);
	const added = applyAnswers(ledger, actor, answers, originalTexts, settings.approvalsNeeded, at);
	if (!added.accepted) return closedRefusal(added.why, actor, facts, ledger, settings); // not reached: answerReviewRequest checked
	const answered: ReviewAuditEvent = {
		event: 'answered',
		actor,
		detail: { answers: answers.map((answer) => ({ item: answer.itemIndex, choice: answer.choice, reason: answer.reason ?? null })) },
	};
	const { verdicts } = decideReview(added.state.answers, originalTexts, settings.approvalsNeeded);
	const results = verdicts.map((verdict, index) => ({
		label: batchItemLabel(index, verdicts.length),
		decision: verdict.status === 'decided' ? verdict.decision : ('pending' as const),
	}));
	if (!added.finished) {
		return { status: 200, page: answerPage(settings, { kind: 'waitingForOthers', results }), audit: [answered], ledgerChange: added.state };
	}
	const decided: ReviewAuditEvent = {
		event: 'decided',
		actor,
		detail: { decisions: results.map((result) => result.decision) },
		// One `decided` line per review, whichever process writes it.
		idempotencyKey: `decided:${facts.review.executionId}:${facts.review.nodeName}`,
	};
	return {
		status: 200,
		page: answerPage(settings, { kind: 'recorded', results }),
		audit: [answered, decided],
		ledgerChange: added.state,
		outputs: reviewedItems(verdicts, facts.times?.requestedAt ?? at),
	};
}

function reviewPageView(
	facts: ReviewRequestFacts,
	ledger: LedgerState,
	settings: ReviewRequestSettings,
	page: { reviewer?: { id: string; name?: string }; actor: string; token: string; now: Date; problems?: string[]; entered?: EnteredAnswers },
): ReviewPageView {
	const progress = decideReview(ledger.answers, facts.items.map((item) => item.draft), settings.approvalsNeeded);
	const { reviewer, problems, entered } = page;
	return {
		title: settings.title,
		...(settings.instructions ? { instructions: settings.instructions } : {}),
		items: facts.items.map((item, index) => withProgress(item, progress.verdicts[index])),
		reasons: settings.reasons,
		token: page.token,
		...(reviewer ? { reviewer } : {}),
		...(facts.backupAccess?.allowed && settings.backupReviewers?.some((entry) => entry.id === reviewer?.id)
			? { escalatedAt: facts.backupAccess.escalatedAt }
			: {}),
		askReviewerName: !reviewer,
		approvalsNeeded: settings.approvalsNeeded,
		answered: answeredBy(ledger.answers),
		...(facts.times?.deadline ? { deadline: facts.times.deadline } : {}),
		allowEdit: settings.allowEdit,
		requireReasonToReject: settings.requireReasonToReject,
		...(problems ? { problems } : {}),
		...(entered ? { entered } : {}),
		// A refused form keeps the first render time: the time on the page includes the fix.
		shownAt: entered?.shownAt ?? page.now.toISOString(),
		...facts.inbox?.view,
		...(facts.inbox?.claim ? { claim: { by: facts.inbox.claim.by, at: facts.inbox.claim.at, mine: facts.inbox.claim.reviewerId === page.actor } } : {}),
	};
}

/** Each decided item's `hitl.review`, on the output of its decision. */
function reviewedItems(verdicts: readonly ItemVerdict[], requestedAt: string): ReviewedItem[][] {
	const outputs: ReviewedItem[][] = Array.from({ length: OUTPUT_COUNT }, () => []);
	verdicts.forEach((verdict, itemIndex) => {
		if (verdict.status !== 'decided') return; // cannot happen: finished means all decided
		const approved = verdict.decision === 'approved' || verdict.decision === 'edited';
		outputs[OUTPUT[verdict.decision]].push({
			itemIndex,
			review: {
				decision: verdict.decision,
				...(approved ? { finalText: verdict.finalText } : {}),
				reviewers: verdict.reviewers,
				requestedAt,
				decidedAt: verdict.decidedAt,
			},
		});
	});
	return outputs;
}

function batchItemLabel(index: number, count: number): string {
	return count === 1 ? 'Decision' : `Item ${index + 1}`;
}

/** Per item: the decision, who made it (the reviewers whose answers decided it) and when. */
function decidedResults(verdicts: readonly ItemVerdict[]): NonNullable<AnswerPageView['results']> {
	return verdicts.map((verdict, index) => {
		if (verdict.status !== 'decided') return { label: batchItemLabel(index, verdicts.length), decision: 'pending' as const };
		const approved = verdict.decision === 'approved' || verdict.decision === 'edited';
		const deciders = verdict.reviewers.filter((reviewer) =>
			approved ? reviewer.decision === 'approved' || reviewer.decision === 'edited' : reviewer.decision === verdict.decision,
		);
		return {
			label: batchItemLabel(index, verdicts.length),
			decision: verdict.decision,
			by: deciders.map(deciderLabel),
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
