import {
	NodeConnectionTypes,
	type INodeTypeBaseDescription,
	NodeOperationError,
	type INode,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeParameters,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';
import type { CountryCode } from 'libphonenumber-js';

import { getFieldValue, splitFieldPath } from '../../shared/fieldPath';
import { mergeHitl } from '../../shared/itemContract';
import { errorItem, itemLabel, toItemError } from '../../shared/itemErrors';
import { checkedNumber, type NumberSpec } from '../../shared/nodeParameters';
import { buildRulesDocument, type ComplianceSettings, type DisclosureSetting, type PatternSetting } from '../buildRulesDocument';
import { compileRuleset, type CompiledRuleset } from '../checkCompliance';
import { checkField, combineFieldResults, earlierFindings } from '../checkFields';
import { complianceDescription } from '../description';
import type { PiiType } from '../piiTypes';
import { parsePhoneCountries } from '../phoneCountries';
import type { RedactionStyle } from '../redactText';

/**
 * Outputs follow the mode: Pass/Fail when routing, one output when annotating. n8n evaluates this
 * function's source as an expression in the editor (as its Switch node does), so it must stay
 * self-contained plain JavaScript.
 */
const configuredOutputs = (parameters: INodeParameters) =>
	parameters.mode === 'annotate'
		? [{ type: 'main', displayName: 'Checked' }]
		: [
				{ type: 'main', displayName: 'Pass' },
				{ type: 'main', displayName: 'Fail' },
			];

const PASS = 0;
const FAIL = 1;

/** Version 1 of the node: its shape as first released (see ../ComplianceCheck.node.ts). */
// eslint-disable-next-line @n8n/community-nodes/icon-validation -- the icon is on the base description in ../ComplianceCheck.node.ts, beside which n8n resolves every version's icon
export class ComplianceCheckV1 implements INodeType {
	description: INodeTypeDescription;

	constructor(baseDescription: INodeTypeBaseDescription) {
		this.description = {
			...baseDescription,
			version: 1,
			defaults: { name: 'Compliance Check' },
			usableAsTool: true,
			inputs: [NodeConnectionTypes.Main],
			outputs: `={{(${configuredOutputs})($parameter)}}`,
			properties: complianceDescription,
		};
	}

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const routing = this.getNodeParameter('mode', 0) === 'annotate' ? false : true;
		const outputs: INodeExecutionData[][] = routing ? [[], []] : [[]];
		// Parameters may differ per item (expressions); compile each distinct rule set once.
		const compiled = new Map<string, CompiledRuleset>();

		for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
			const item = items[itemIndex];
			try {
				const { settings, options } = readSettings(this, itemIndex);
				const key = JSON.stringify([
					settings,
					options.defaultCountry,
					options.phoneCountries,
					options.minConfidence,
					options.spokenNumbers,
					options.patternTimeoutMs,
				]);
				let ruleset = compiled.get(key);
				if (!ruleset) {
					ruleset = compileRuleset(buildRulesDocument(settings), {
						defaultCountry: options.defaultCountry,
						phoneCountries: options.phoneCountries,
						minConfidence: options.minConfidence,
						spokenNumbers: options.spokenNumbers,
						patternTimeoutMs: options.patternTimeoutMs,
					});
					compiled.set(key, ruleset);
				}

				const textField = (this.getNodeParameter('textField', itemIndex) as string).trim();
				const redacting = this.getNodeParameter('operation', itemIndex) === 'redact';
				const fields = [textField, ...options.additionalTextFields.filter((field) => field !== textField)];
				const active = ruleset;
				const checked = fields.map((field) =>
					checkField(
						active,
						field,
						readText(this.getNode(), item.json, field, itemIndex, field === textField ? 'Text Field' : 'Also Check Fields'),
						item.json,
						redacting ? options.redactionStyle : undefined,
					),
				);
				const earlier = options.keepEarlierFindings ? earlierFindings(item.json, fields) : undefined;
				const compliance = combineFieldResults(checked, earlier, ruleset.version);
				let json: IDataObject = item.json;
				if (redacting) {
					if (options.redactInPlace) for (const { field, redactedText } of checked) json = withField(json, field, redactedText!);
					if (options.redactedTextField) json = withField(json, options.redactedTextField, checked[0].redactedText!);
				}
				const caseIdField = options.caseIdField;
				outputs[routing && !compliance.passed ? FAIL : PASS].push({
					json: mergeHitl(json, { compliance }, { fromField: caseIdField ? getFieldValue(json, caseIdField) : undefined }) as IDataObject,
					...(item.binary && { binary: item.binary }),
					pairedItem: { item: itemIndex },
				});
			} catch (error) {
				const itemError = toItemError(this.getNode(), error, itemIndex);
				// An item that could not be checked is never safe to pass: with "continue on fail"
				// it leaves on Fail (route mode), carrying the error.
				if (this.continueOnFail()) outputs[routing ? FAIL : PASS].push(errorItem(this.getNode(), item, itemError, itemIndex));
				else throw itemError;
			}
		}
		return outputs;
	}
}

const MIN_CONFIDENCE: NumberSpec = {
	label: 'Options → Minimum Confidence',
	min: 0,
	max: 1,
	description: 'Use 0.5 (the default) for findings backed by a checksum, a format or a context word; lower it to also get weak ones.',
};

const PATTERN_TIMEOUT: NumberSpec = {
	label: 'Options → Custom Pattern Time Limit (Ms)',
	min: 10,
	description: 'Set the time budget of the custom patterns per text to at least 10 ms (250 ms is the default).',
};

interface ShellOptions {
	caseIdField?: string;
	patternTimeoutMs?: number;
	defaultCountry?: CountryCode;
	phoneCountries?: CountryCode[];
	minConfidence?: number;
	spokenNumbers?: boolean;
	redactionStyle: RedactionStyle;
	redactedTextField?: string;
	/** More fields checked in the same pass (Also Check Fields); the Text Field comes first. */
	additionalTextFields: string[];
	redactInPlace: boolean;
	keepEarlierFindings: boolean;
}

function readSettings(context: IExecuteFunctions, itemIndex: number): { settings: ComplianceSettings; options: ShellOptions } {
	const get = <T>(name: string, fallback: T) => context.getNodeParameter(name, itemIndex, fallback) as T;
	const options = get<IDataObject>('options', {});
	const prohibitedOptions = get<IDataObject>('prohibitedOptions', {});
	const defaultCountry = typeof options.defaultCountry === 'string' ? options.defaultCountry.trim().toUpperCase() : '';
	if (defaultCountry !== '' && !/^[A-Z]{2}$/.test(defaultCountry)) {
		throw new NodeOperationError(context.getNode(), `Default Phone Country must be a two-letter code (got "${defaultCountry}")`, {
			itemIndex,
			description: 'Use an ISO 3166 code such as US, GB or DE.',
		});
	}
	const phoneCountries = parsePhoneCountries(String(options.phoneCountries ?? ''));
	if (phoneCountries.unknown.length > 0) {
		throw new NodeOperationError(context.getNode(), `Candidate Phone Countries: "${phoneCountries.unknown.join('", "')}" is not a country with a phone numbering plan`, {
			itemIndex,
			description: 'Use two-letter ISO 3166 codes separated by commas, such as IL, JP, CN, IN.',
		});
	}
	const minConfidence =
		options.minConfidence === undefined ? undefined : checkedNumber(() => context.getNode(), options.minConfidence, MIN_CONFIDENCE, itemIndex);
	const patternTimeoutMs =
		options.patternTimeoutMs === undefined ? undefined : checkedNumber(() => context.getNode(), options.patternTimeoutMs, PATTERN_TIMEOUT, itemIndex);
	const settings: ComplianceSettings = {
		piiTypes: get<PiiType[]>('piiTypes', []),
		piiSeverity: get('piiSeverity', 'review'),
		rulePacks: get<string[]>('rulePacks', []),
		disclosures: get<IDataObject[]>('requiredDisclosures.disclosures', []).map(
			(entry): DisclosureSetting => ({
				phrases: String(entry.phrases ?? ''),
				withinSentences: Number(entry.withinSentences ?? 0),
				whenField: String(entry.whenField ?? ''),
				whenEquals: String(entry.whenEquals ?? ''),
				severity: (entry.severity as DisclosureSetting['severity']) ?? 'block',
				message: String(entry.message ?? ''),
			}),
		),
		prohibitedPhrases: get('prohibitedPhrases', ''),
		prohibited: {
			allow: String(prohibitedOptions.allow ?? ''),
			maxEdits: Number(prohibitedOptions.maxEdits ?? 1),
			severity: (prohibitedOptions.severity as ComplianceSettings['prohibited']['severity']) ?? 'block',
			message: String(prohibitedOptions.message ?? 'Prohibited phrase'),
		},
		patterns: get<IDataObject[]>('customPatterns.patterns', []).map(
			(entry): PatternSetting => ({
				id: String(entry.id ?? ''),
				pattern: String(entry.pattern ?? ''),
				ignoreCase: entry.ignoreCase !== false,
				severity: (entry.severity as PatternSetting['severity']) ?? 'review',
				message: String(entry.message ?? ''),
				redact: entry.redact === true,
			}),
		),
		rulesJson: get<unknown>('rulesJson', ''),
		rulesetVersion: String(options.rulesetVersion ?? ''),
	};
	return {
		settings,
		options: {
			caseIdField: (options.caseIdField as string | undefined) || undefined,
			patternTimeoutMs,
			defaultCountry: (defaultCountry || undefined) as CountryCode | undefined,
			phoneCountries: phoneCountries.countries.length > 0 ? phoneCountries.countries : undefined,
			minConfidence,
			spokenNumbers: options.spokenNumbers === true,
			redactionStyle: options.redactionStyle === 'mask' ? 'mask' : 'placeholder',
			redactedTextField: (options.redactedTextField as string | undefined)?.trim() || undefined,
			additionalTextFields: [
				...new Set(
					String(options.additionalTextFields ?? '')
						.split(/[,\n]/)
						.map((field) => field.trim())
						.filter((field) => field !== ''),
				),
			],
			redactInPlace: options.redactInPlace === true,
			keepEarlierFindings: options.keepEarlierFindings === true,
		},
	};
}

/** The text to check; a missing or non-text field is an error naming the field and the parameter that names it. */
function readText(node: INode, json: IDataObject, field: string, itemIndex: number, parameter: 'Text Field' | 'Also Check Fields'): string {
	const fail = (message: string, description: string) =>
		new NodeOperationError(node, `${itemLabel(itemIndex)}: ${message}`, { itemIndex, description });
	if (field === '') throw fail('Text Field is empty', 'Enter the dot path of the text to check, e.g. hitl.draft.text.');
	const value = getFieldValue(json, field);
	if (typeof value === 'string') return value;
	if (value === undefined || value === null) {
		throw fail(
			`The field "${field}" to check is missing on this item`,
			field.startsWith('hitl.draft')
				? `hitl.draft.text is set by the LLM Draft node. Put LLM Draft before Compliance Check, or set ${parameter} to the field that holds your text.`
				: `Set ${parameter} to the dot path of a text field on the item.`,
		);
	}
	const kind = Array.isArray(value) ? 'a list' : typeof value === 'object' ? 'an object' : `a ${typeof value}`;
	throw fail(
		`The field "${field}" must be text, but it is ${kind}`,
		`Point ${parameter} at a string, or convert the value to text with an expression such as {{ String($json.field) }}.`,
	);
}

/** A copy of `json` with `value` written at the dot path `field` (objects created on the way). */
function withField(json: IDataObject, field: string, value: string): IDataObject {
	const path = splitFieldPath(field);
	const copy: IDataObject = { ...json };
	let cursor: IDataObject = copy;
	path.forEach((segment, index) => {
		if (index === path.length - 1) cursor[segment] = value;
		else {
			const next = cursor[segment];
			cursor[segment] = next !== null && typeof next === 'object' && !Array.isArray(next) ? { ...(next as IDataObject) } : {};
			cursor = cursor[segment] as IDataObject;
		}
	});
	return copy;
}

