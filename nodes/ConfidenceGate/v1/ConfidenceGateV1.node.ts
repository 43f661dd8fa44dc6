import {
	NodeConnectionTypes,
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type NodeExecutionHint,
	type INodeTypeBaseDescription,
	type INodeTypeDescription,
} from 'n8n-workflow';

import { getFieldValue } from '../../shared/fieldPath';
import { mergeHitl, readHitlPart, resolveCaseId } from '../../shared/itemContract';
import { errorItem, toItemError } from '../../shared/itemErrors';
import { checkedNumber, numberParameter } from '../../shared/nodeParameters';
import { hitlStoreTest } from '../../shared/store/credentialTest';
import { HITL_STORE_CREDENTIAL } from '../../shared/credentialNames';
import { gateDescription } from '../description';
import { readAdaptive, type Adaptive } from '../readAdaptive';
import { auditDrawFor, CONDITION_OPERATORS, routeItem, type FieldCondition, type GatePolicy, type RuleRoute } from '../routeItem';

const NODE_NAME = 'Confidence Gate';

/** Output order is the contract with the canvas: Auto, Review, Block. */
const OUTPUT_INDEX = { auto: 0, review: 1, block: 2 } as const;

/**
 * The Confidence Gate as it is today, for node versions 1 and 2 (ConfidenceGate.node.ts maps both
 * here). Version 2 differs only in a default: *Until a Threshold Is Learned* is *Review Every Draft*
 * (issue 12), which the description expresses with `@version` display options; a saved version-1
 * gate keeps its fixed Threshold until a threshold is learned. A later change of outputs or
 * parameters becomes a new class beside this one.
 */
// The icon comes with the base description (ConfidenceGate.node.ts), and n8n resolves it beside that
// file, the one it loads; the rule looks for an icon literal in this class.
// eslint-disable-next-line @n8n/community-nodes/icon-validation
export class ConfidenceGateV1 implements INodeType {
	description: INodeTypeDescription;

	constructor(baseDescription: INodeTypeBaseDescription) {
		this.description = {
			...baseDescription,
			// Version 2 (issue 12): Adapt to Reviewers' Decisions learns on an unbiased bound and reviews
			// every draft until a threshold is learned. A saved version-1 node keeps applying its fixed
			// Threshold until then, as it did; see learningStart in description.ts.
			version: [1, 2],
			defaults: { name: 'Confidence Gate' },
			usableAsTool: true,
			inputs: [NodeConnectionTypes.Main],
			outputs: [NodeConnectionTypes.Main, NodeConnectionTypes.Main, NodeConnectionTypes.Main],
			outputNames: ['Auto', 'Review', 'Block'],
			credentials: [{ name: HITL_STORE_CREDENTIAL, required: false, testedBy: 'hitlStoreTest', displayOptions: { show: { adapt: [true] } } }],
			properties: gateDescription,
		};
	}

	methods = { credentialTest: { hitlStoreTest } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const outputs: INodeExecutionData[][] = [[], [], []];

		let adaptive: Adaptive | undefined;
		try {
			adaptive = await readAdaptive(this);
		} catch (error) {
			const runError = toItemError(this.getNode(), error, 0);
			if (!this.continueOnFail()) throw runError;
			// Without what reviewers decided, nothing may go out alone: every item to Review.
			outputs[OUTPUT_INDEX.review] = items.map((item, itemIndex) => errorItem(this.getNode(), item, runError, itemIndex));
			return outputs;
		}

		// Items that had no score, by where the score was looked for.
		const missingScores = new Map<string, number>();
		for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
			const item = items[itemIndex];
			try {
				const policy = readPolicy(this, itemIndex);
				const json = item.json;
				const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
				const scoreParameter = this.getNodeParameter('score', itemIndex) as unknown;
				const { score, scoreSource } = resolveScore(json, scoreParameter);
				const riskFlags = getFieldValue(json, (options.riskFlagsField as string) ?? 'hitl.draft.riskFlags');
				const intent = getFieldValue(json, (options.intentField as string) ?? 'hitl.draft.intent');

				const caseIdField = options.caseIdField as string | undefined;
				const caseId = resolveCaseId(json, { fromField: caseIdField ? getFieldValue(json, caseIdField) : undefined });
				const slice = typeof intent === 'string' && intent.trim() !== '' ? intent.trim() : undefined;
				const gate = routeItem(
					{
						score,
						scoreSource,
						intent: typeof intent === 'string' ? intent : undefined,
						slice,
						drift: adaptive?.driftFor?.(slice),
						riskFlags: Array.isArray(riskFlags) ? riskFlags.map(String) : [],
						compliance: policy.useCompliance ? readHitlPart(json, 'compliance', NODE_NAME) : undefined,
						json,
						auditDraw: auditDrawFor(caseId),
						learnedThreshold: adaptive?.policyFor?.(
							textOrUndefined(getFieldValue(json, 'hitl.draft.model')),
							textOrUndefined(getFieldValue(json, 'hitl.draft.promptVersion')),
						),
					},
					policy,
				);
				outputs[OUTPUT_INDEX[gate.route]].push({
					json: mergeHitl(json, { gate }, { fromField: caseId }) as IDataObject,
					pairedItem: { item: itemIndex },
				});
				if (gate.reasons.some((reason) => reason.code === 'SCORE_MISSING')) {
					missingScores.set(scoreSource, (missingScores.get(scoreSource) ?? 0) + 1);
				}
			} catch (error) {
				const itemError = toItemError(this.getNode(), error, itemIndex);
				// A failed item is never safe to send on its own: with "continue on fail" it goes to
				// Review, where a person sees the error, never to Auto.
				if (this.continueOnFail()) outputs[OUTPUT_INDEX.review].push(errorItem(this.getNode(), item, itemError, itemIndex));
				else throw itemError;
			}
		}
		// Routing on a missing score is safe, so the node succeeds; but a mistyped Confidence Score
		// path sends every item to people, and only a hint on the run says why.
		if (missingScores.size) this.addExecutionHints(...[...missingScores].map(([source, count]) => scoreMissingHint(source, count, items.length)));
		return outputs;
	}
}

const EXPRESSION_SOURCE = 'the Confidence Score expression';

function scoreMissingHint(scoreSource: string, count: number, total: number): NodeExecutionHint {
	const where = scoreSource === EXPRESSION_SOURCE ? `from ${scoreSource}` : `at "${scoreSource}"`;
	return {
		type: 'warning',
		location: 'outputPane',
		message:
			`${count} of ${total} item${total === 1 ? '' : 's'} had no confidence score ${where} (missing or not a number), ` +
			`so none of them could go out on its own (SCORE_MISSING). Check Confidence Score: LLM Draft writes its score at hitl.draft.confidence.score.`,
	};
}

const textOrUndefined = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);

/**
 * The score parameter is either a dot path to the score on the item (the default,
 * `hitl.draft.confidence.score`) or, in expression mode, the score itself.
 */
function resolveScore(json: IDataObject, parameter: unknown): { score: unknown; scoreSource: string } {
	if (typeof parameter === 'string' && parameter.trim() !== '' && !Number.isFinite(Number(parameter))) {
		return { score: getFieldValue(json, parameter.trim()), scoreSource: parameter.trim() };
	}
	return { score: parameter, scoreSource: EXPRESSION_SOURCE };
}

function readPolicy(context: IExecuteFunctions, itemIndex: number): GatePolicy {
	const threshold = checkThreshold(context, context.getNodeParameter('threshold', itemIndex), 'Threshold', itemIndex);

	const intentEntries = (context.getNodeParameter('intentThresholds.entries', itemIndex, []) as IDataObject[]).map(
		(entry, index) => {
			const value = checkThreshold(context, entry.threshold, `Intent Thresholds → entry ${index + 1} → Threshold`, itemIndex);
			return { intent: String(entry.intent ?? ''), threshold: value };
		},
	);
	const riskFlagRules = (context.getNodeParameter('riskFlagRules.rules', itemIndex, []) as IDataObject[]).map((rule) => ({
		flag: String(rule.flag ?? ''),
		route: rule.route as RuleRoute,
	}));
	const conditions = (context.getNodeParameter('conditions.conditions', itemIndex, []) as IDataObject[]).map(
		(condition, index): FieldCondition => {
			const operator = condition.operator as FieldCondition['operator'];
			if (!CONDITION_OPERATORS.includes(operator) || !condition.field) {
				throw new NodeOperationError(context.getNode(), `Conditions → entry ${index + 1} is incomplete`, {
					itemIndex,
					description: 'Each condition needs a field (a dot path such as "amount") and an operator.',
				});
			}
			return {
				field: String(condition.field),
				operator,
				value: String(condition.value ?? ''),
				route: condition.route as RuleRoute,
			};
		},
	);
	const auditPercent = numberParameter(context, 'options.auditSamplePercent', itemIndex, 0, {
		label: 'Audit Sample Rate (%)',
		min: 0,
		max: 100,
		description: 'The share of confident items a person checks anyway, e.g. 5 for one in twenty. 0 turns sampling off.',
	});
	return {
		threshold,
		shadow: context.getNodeParameter('shadow', itemIndex, false) as boolean,
		auditSampleRate: auditPercent / 100,
		intentThresholds: intentEntries.filter((entry) => entry.intent.trim() !== ''),
		useCompliance: context.getNodeParameter('useCompliance', itemIndex, true) as boolean,
		riskFlagRules: riskFlagRules.filter((rule) => rule.flag.trim() !== ''),
		conditions,
	};
}

function checkThreshold(context: IExecuteFunctions, value: unknown, label: string, itemIndex: number): number {
	return checkedNumber(() => context.getNode(), value, { label, min: 0, max: 1, description: THRESHOLD_HINT }, itemIndex);
}

const THRESHOLD_HINT = 'Scores are probabilities: 0.85 means "auto-send when the model is at least 85% sure".';
