/**
 * What a reviewer sees of each item, read from the item's JSON: the draft (from the field the
 * user chose), the customer's message, chosen context fields, and the `hitl` parts written by the
 * LLM Draft, Compliance Check and Confidence Gate nodes.
 */
import { getFieldValue } from '../shared/fieldPath';
import { readHitlPart } from '../shared/itemContract';
import { explainReviewReasons } from './explainReviewReasons';
import type { ReviewItemView } from './renderReviewPage';

export const NODE_NAME = 'Human Approval Wait';

export interface ReviewContentOptions {
	/** Dot path of the text to review, e.g. `hitl.draft.text`. */
	draftField: string;
	/** Dot path of the customer's message; '' for none. */
	customerMessageField: string;
	contextFields: { label: string; field: string }[];
}

/** Thrown when an item cannot be reviewed; names the field, like ItemFieldError. */
export class ReviewContentError extends Error {
	constructor(
		message: string,
		readonly field: string,
		readonly hint: string,
	) {
		super(message);
		this.name = 'ReviewContentError';
	}
}

function displayValue(value: unknown): string {
	if (value === undefined || value === null) return '';
	if (typeof value === 'string') return value;
	if (typeof value === 'number' || typeof value === 'boolean') return String(value);
	return JSON.stringify(value, null, 1);
}

/** The text under review, or a ReviewContentError naming the field and how to fix it. */
export function readDraftText(json: Record<string, unknown>, draftField: string): string {
	const value = getFieldValue(json, draftField);
	if (typeof value === 'string') return value;
	if (value === undefined || value === null) {
		throw new ReviewContentError(
			`${draftField} is missing`,
			draftField,
			draftField === 'hitl.draft.text'
				? 'The draft is set by the LLM Draft node. Put it before this node, or set "Text to Review" to the field that holds the text.'
				: `Set "Text to Review" to the field that holds the text to review (now "${draftField}").`,
		);
	}
	if (typeof value === 'number') return String(value);
	throw new ReviewContentError(`${draftField} is not text`, draftField, 'The text to review must be a string.');
}

export function buildReviewItem(json: Record<string, unknown>, options: ReviewContentOptions): ReviewItemView {
	const draft = readDraftText(json, options.draftField);
	const hitl = json.hitl as Record<string, unknown> | undefined;
	const caseId = typeof hitl?.caseId === 'string' && hitl.caseId !== '' ? hitl.caseId : '—';
	const draftPart = readHitlPart(json, 'draft', NODE_NAME);
	const compliance = readHitlPart(json, 'compliance', NODE_NAME);
	const gate = readHitlPart(json, 'gate', NODE_NAME);

	// Spans index into the text the Compliance Check scanned; they can mark the draft only when
	// that text is the draft under review.
	const spansApply =
		compliance !== undefined &&
		(compliance.checkedField === options.draftField || getFieldValue(json, compliance.checkedField) === draft);
	const findings = (compliance?.violations ?? []).map((violation) => ({
		ruleId: violation.ruleId,
		severity: violation.severity,
		message: violation.message,
		// A violation that names its field (a check of several fields) marks the draft only if it was found there.
		...((violation.field === undefined ? spansApply : violation.field === options.draftField) && violation.span ? { span: violation.span } : {}),
		...(violation.fix ? { fix: violation.fix } : {}),
	}));

	const customerMessage = options.customerMessageField ? getFieldValue(json, options.customerMessageField) : undefined;
	return {
		caseId,
		...(customerMessage !== undefined ? { customerMessage: displayValue(customerMessage) } : {}),
		context: options.contextFields
			.filter((field) => field.field.trim() !== '')
			.map((field) => ({ label: field.label || field.field, value: displayValue(getFieldValue(json, field.field)) })),
		draft,
		...(draftPart ? { confidence: draftPart.confidence.score } : {}),
		whyReview: explainReviewReasons(gate, { confidence: draftPart?.confidence.score, findingCount: findings.length }),
		findings,
	};
}

/** The view of an item that could not be read (continue-on-fail): the reviewer still decides it. */
export function unreadableReviewItem(json: Record<string, unknown>, error: string): ReviewItemView {
	const hitl = json.hitl as Record<string, unknown> | undefined;
	return {
		caseId: typeof hitl?.caseId === 'string' ? hitl.caseId : '—',
		context: [],
		draft: '',
		whyReview: [],
		findings: [],
		error: `This item could not be read: ${error}`,
	};
}

/** An item that could not be read, and why (a ReviewContentError names the field). */
export interface UnreadableItem {
	itemIndex: number;
	error: unknown;
}

/**
 * The page's view of every item, built the same way for execute() (which fails on an unreadable
 * item unless "continue on fail" is on) and webhook() (which shows it with its error, so a person
 * still decides it).
 */
export function buildReviewItems(
	jsons: readonly Record<string, unknown>[],
	options: ReviewContentOptions,
): { views: ReviewItemView[]; unreadable: UnreadableItem[] } {
	const unreadable: UnreadableItem[] = [];
	const views = jsons.map((json, itemIndex) => {
		try {
			return buildReviewItem(json, options);
		} catch (error) {
			unreadable.push({ itemIndex, error });
			return unreadableReviewItem(json, (error as Error).message);
		}
	});
	return { views, unreadable };
}
