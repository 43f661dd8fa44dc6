/**
 * Several fields in one pass (Also Check Fields): each field checked with the same compiled rules,
 * optionally redacted, and the results folded into one `hitl.compliance` — together with what an
 * earlier Compliance Check found in other fields (Keep Earlier Findings), so that a message
 * checked before the model and a draft checked after it reach the gate as one result.
 * Pure: the node shell reads the texts and writes the item.
 */
import { readHitlPart, type CheckedFieldResult, type Compliance } from '../shared/itemContract';
import { checkText, type CompiledRuleset, type ComplianceResult } from './checkCompliance';
import { redactablesFromPii, redactText, type RedactionStyle } from './redactText';

/** What an earlier check found in the fields the current one does not check. */
export interface EarlierFindings {
	fields: CheckedFieldResult[];
	violations: Compliance['violations'];
}

/** One field's check: its violations, and its redacted copy when the operation redacts. */
interface FieldCheck {
	field: string;
	result: ComplianceResult;
	redactedText?: string;
}

export function checkField(
	ruleset: CompiledRuleset,
	field: string,
	text: string,
	json: Record<string, unknown>,
	redactionStyle: RedactionStyle | undefined,
): FieldCheck {
	const result = checkText(ruleset, text, json);
	if (redactionStyle === undefined) return { field, result };
	const redactables = [
		...redactablesFromPii(result.piiFindings),
		...result.redactableMatches.map((match) => ({ span: match.span, type: match.ruleId })),
	];
	return { field, result, redactedText: redactText(text, redactables, redactionStyle) };
}

/** What an earlier Compliance Check on this item found in fields this one does not check. */
export function earlierFindings(json: Record<string, unknown>, checking: string[]): EarlierFindings | undefined {
	const earlier = readHitlPart(json, 'compliance', 'Compliance Check');
	if (!earlier) return undefined;
	const fields = (
		earlier.fields ?? [
			{
				field: earlier.checkedField,
				passed: earlier.passed,
				rulesetVersion: earlier.rulesetVersion,
				...(earlier.redactedText !== undefined && { redactedText: earlier.redactedText }),
			},
		]
	).filter((result) => !checking.includes(result.field));
	const violations = earlier.violations
		.map((violation) => ({ ...violation, field: violation.field ?? earlier.checkedField }))
		.filter((violation) => !checking.includes(violation.field));
	return fields.length > 0 ? { fields, violations } : undefined;
}

/**
 * One `hitl.compliance` from the fields checked now (the Text Field first) and those kept from an
 * earlier check. A single field gives exactly the shape it always had; several add `field` to
 * each violation and the per-field `fields` list, and pass only when every field passes.
 */
export function combineFieldResults(
	checked: FieldCheck[],
	earlier: EarlierFindings | undefined,
	rulesetVersion: string,
): Compliance {
	const [primary] = checked;
	const several = checked.length > 1 || earlier !== undefined;
	const fields: CheckedFieldResult[] = [
		...checked.map(({ field, result, redactedText }) => ({
			field,
			passed: result.passed,
			rulesetVersion,
			...(redactedText !== undefined && { redactedText }),
		})),
		...(earlier?.fields ?? []),
	];
	const violations = [
		...checked.flatMap(({ field, result }) => (several ? result.violations.map((violation) => ({ ...violation, field })) : result.violations)),
		...(earlier?.violations ?? []),
	];
	return {
		passed: fields.every((result) => result.passed),
		rulesetVersion,
		checkedField: primary.field,
		violations,
		...(primary.redactedText !== undefined && { redactedText: primary.redactedText }),
		...(several && { fields }),
	};
}
