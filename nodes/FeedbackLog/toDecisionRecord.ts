/**
 * One store row from one item's `hitl` object (issue #5, "Record"): what the model drafted, where
 * the gate sent it, what the reviewers did, and what it cost. In privacy mode the texts are kept
 * only as SHA-256 hashes — enough to tell whether a reviewer changed the draft, nothing to leak.
 */
import { createHash } from 'node:crypto';

import type { Hitl } from '../shared/itemContract';
import type { DecisionOutcome, DecisionRecord } from '../shared/store/types';
import { editDistance } from './editDistance';
import { storedReviewerId } from './reviewerIdentity';

export interface RecordContext {
	executionId: string;
	nodeName: string;
	itemIndex: number;
	workflowId: string | null;
	workflowName: string | null;
	/** ISO timestamp of recording. */
	now: string;
	privacyMode: boolean;
	/** The message the draft answers, when the user pointed the node at it. */
	inputText?: string;
	/**
	 * A Human Approval Wait node comes before this one in the workflow. An item the gate sent to
	 * review that still has no review then left that node on Timed Out: on a time-out n8n passes
	 * the waiting node's input on without running it, so nothing else can mark the item.
	 */
	afterApprovalWait?: boolean;
}

export function hashText(text: string): string {
	return `sha256:${createHash('sha256').update(text, 'utf8').digest('hex')}`;
}

function outcomeOf(hitl: Hitl, afterApprovalWait: boolean): DecisionOutcome {
	if (hitl.review) return hitl.review.decision;
	if (hitl.gate?.route === 'auto') return 'auto';
	if (hitl.gate?.route === 'block') return 'blocked';
	if (hitl.gate?.route === 'review' && afterApprovalWait) return 'timedOut';
	return 'none';
}

function elapsedMs(from: string | undefined, to: string | undefined): number | null {
	if (!from || !to) return null;
	const ms = Date.parse(to) - Date.parse(from);
	return Number.isFinite(ms) && ms >= 0 ? ms : null;
}

export function toDecisionRecord(hitl: Hitl, context: RecordContext): DecisionRecord {
	const draft = hitl.draft;
	const review = hitl.review;
	const draftText = draft?.text ?? null;
	const finalText = review?.finalText ?? (review?.decision === 'approved' ? draftText : null);
	const edited = draftText !== null && finalText !== null && finalText !== draftText;
	// The reviewer whose answer settled the case gives the reason and comment shown in reports.
	const decisive = review ? [...review.reviewers].reverse().find((vote) => vote.reason || vote.comment) : undefined;
	const keep = (text: string | null | undefined) =>
		text === null || text === undefined ? null : context.privacyMode ? hashText(text) : text;
	const ruleIds = [...new Set((hitl.compliance?.violations ?? []).map((violation) => violation.ruleId))];

	return {
		executionId: context.executionId,
		nodeName: context.nodeName,
		itemIndex: context.itemIndex,
		caseId: hitl.caseId,
		workflowId: context.workflowId,
		workflowName: context.workflowName,
		route: hitl.gate?.route ?? null,
		decision: outcomeOf(hitl, context.afterApprovalWait ?? false),
		confidence: draft?.confidence.score ?? null,
		confidenceMethod: draft?.confidence.method ?? null,
		model: draft?.model ?? null,
		promptVersion: draft?.promptVersion ?? null,
		inputText: keep(context.inputText),
		draftText: keep(draftText),
		finalText: keep(finalText),
		textsHashed: context.privacyMode,
		edited: edited || review?.decision === 'edited',
		editDistance: draftText !== null && finalText !== null ? editDistance(draftText, finalText) : null,
		reviewers: (review?.reviewers ?? []).map((vote) => ({
			id: storedReviewerId(vote),
			...(vote.name !== undefined && { name: vote.name }),
			decision: vote.decision.toLowerCase(),
			...(vote.reason !== undefined && { reason: vote.reason }),
			...(vote.comment !== undefined && { comment: context.privacyMode ? hashText(vote.comment) : vote.comment }),
			at: vote.at,
			// The page's own clock for the rubber-stamp figure (Human Approval Wait measures it):
			// without it the store falls back to request → answer, hours in an inbox included.
			...(vote.timeOnPageMs !== undefined && { timeOnPageMs: vote.timeOnPageMs }),
		})),
		reason: decisive?.reason ?? null,
		comment: keep(decisive?.comment),
		ruleIds,
		sampledForAudit: hitl.gate?.sampledForAudit ?? false,
		reviewProbability: hitl.gate?.reviewProbability ?? null,
		slice: hitl.gate?.slice ?? null,
		timeToDecisionMs: elapsedMs(review?.requestedAt, review?.decidedAt),
		promptTokens: draft?.usage.promptTokens ?? null,
		completionTokens: draft?.usage.completionTokens ?? null,
		costUsd: draft?.usage.costUsd ?? null,
		requestedAt: review?.requestedAt ?? null,
		decidedAt: review?.decidedAt ?? null,
		recordedAt: context.now,
	};
}
