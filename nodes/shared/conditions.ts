/**
 * What "a field condition holds" means, once for the whole package: the Confidence Gate's
 * Conditions and the `when` of a Compliance Check rule both ask here, so `channel equals Voice`
 * answers the same in both nodes (issue 13: they used to differ on case, spaces and empty text).
 *
 * The semantics, chosen for data that arrives from forms, helpdesks and webhooks, where the same
 * value comes as "Voice", "voice " or `true`/`"true"`:
 * - A field's value is read as **text**: missing and `null` read as empty text, numbers and
 *   booleans as they print (`3`, `true`), objects and lists as their JSON.
 * - **Equals / Does Not Equal** compare that text with the condition's value, ignoring case and
 *   leading/trailing spaces. **In** (Compliance rules) holds when the value equals any entry.
 * - **Contains / Does Not Contain**: on a list, whether one element equals the value (as above);
 *   otherwise whether the text contains the value, ignoring case.
 * - **Is Set** holds unless the text is empty after trimming (missing, `null`, `""`, `"  "`);
 *   **Is Not Set** is its opposite. So a field equals empty text exactly when it is not set.
 * - **Is True**: `true`, or the text `true` in any case.
 * - **Greater / Less Than (or Equal)** compare numbers (numeric text too) and do not hold when
 *   either side is not a number.
 *
 * Pure; no n8n import.
 */
import { getFieldValue } from './fieldPath';

export const CONDITION_OPERATORS = [
	'equals',
	'notEquals',
	'contains',
	'notContains',
	'greaterThan',
	'greaterThanOrEqual',
	'lessThan',
	'lessThanOrEqual',
	'exists',
	'notExists',
	'isTrue',
] as const;

export type ConditionOperator = (typeof CONDITION_OPERATORS)[number];

/** A value a condition compares with: the Gate's Value box is text, a rules document may hold a number or a boolean. */
export type ConditionValue = string | number | boolean;

export interface FieldTest {
	/** Dot path on the item's JSON. */
	field: string;
	operator: ConditionOperator;
	/** Unused by exists / notExists / isTrue. */
	value?: ConditionValue;
}

/** A field's value as the text conditions compare (not yet trimmed or lower-cased). */
export function conditionText(value: unknown): string {
	if (value === null || value === undefined) return '';
	return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

const normalised = (value: unknown) => conditionText(value).trim().toLowerCase();

/** Whether a field counts as set: anything but missing, `null` or blank text. */
export function isSet(value: unknown): boolean {
	return normalised(value) !== '';
}

/** Equality as conditions mean it: as text, ignoring case and surrounding spaces. */
export function sameValue(value: unknown, expected: ConditionValue | undefined): boolean {
	return normalised(value) === normalised(expected);
}

/** A number from a number or numeric text; booleans and anything else are not numbers. */
function asNumber(value: unknown): number | undefined {
	if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
	if (typeof value === 'string' && value.trim() !== '') {
		const parsed = Number(value);
		return Number.isFinite(parsed) ? parsed : undefined;
	}
	return undefined;
}

function contains(value: unknown, expected: ConditionValue | undefined): boolean {
	if (Array.isArray(value)) return value.some((element) => sameValue(element, expected));
	return normalised(value).includes(normalised(expected));
}

/** Whether one condition holds for the value it reads. */
export function valueMeets(value: unknown, operator: ConditionOperator, expected?: ConditionValue): boolean {
	switch (operator) {
		case 'exists':
			return isSet(value);
		case 'notExists':
			return !isSet(value);
		case 'isTrue':
			return value === true || normalised(value) === 'true';
		case 'equals':
			return sameValue(value, expected);
		case 'notEquals':
			return !sameValue(value, expected);
		case 'contains':
			return contains(value, expected);
		case 'notContains':
			return !contains(value, expected);
		default: {
			const left = asNumber(value);
			const right = asNumber(expected);
			if (left === undefined || right === undefined) return false;
			if (operator === 'greaterThan') return left > right;
			if (operator === 'greaterThanOrEqual') return left >= right;
			if (operator === 'lessThan') return left < right;
			return left <= right;
		}
	}
}

/** Whether a condition on one field of the item's JSON holds. */
export function conditionHolds(json: Record<string, unknown>, condition: FieldTest): boolean {
	return valueMeets(getFieldValue(json, condition.field), condition.operator, condition.value);
}
