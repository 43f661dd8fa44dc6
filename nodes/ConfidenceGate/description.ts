import type { INodeProperties } from 'n8n-workflow';

import { caseIdFieldOption } from '../shared/caseIdOption';

const routeOptions = [
	{ name: 'Review', value: 'review', description: 'Send the item to a person' },
	{ name: 'Block', value: 'block', description: 'Never send the item' },
];

export const gateDescription: INodeProperties[] = [
	{
		displayName:
			'Items leave on <b>Auto</b> only when every check passes. A missing score, a low score, a compliance finding or a matching rule sends them to <b>Review</b> or <b>Block</b>, with the reasons in <code>hitl.gate.reasons</code>.',
		name: 'notice',
		type: 'notice',
		default: '',
	},
	{
		displayName: 'Confidence Score',
		name: 'score',
		type: 'string',
		default: 'hitl.draft.confidence.score',
		required: true,
		placeholder: 'hitl.draft.confidence.score',
		hint: 'Path to a score between 0 and 1 on the item, or an expression that returns one',
		description:
			'Where the score is. The default reads the LLM Draft node\'s score. Items with no score, or a score that is not a number, always go to Review.',
	},
	{
		displayName: 'Threshold',
		name: 'threshold',
		type: 'number',
		default: 0.85,
		typeOptions: { minValue: 0, maxValue: 1, numberPrecision: 2 },
		hint: 'Items scoring below this go to Review',
		description: 'The lowest score at which an item may be sent without a person looking at it',
	},
	{
		displayName: 'Route on Compliance Findings',
		name: 'useCompliance',
		type: 'boolean',
		default: true,
		description:
			'Whether findings of a Compliance Check node earlier in the flow decide the route: severity "block" goes to Block, severity "review" to Review',
	},
	{
		displayName: 'Intent Thresholds',
		name: 'intentThresholds',
		type: 'fixedCollection',
		placeholder: 'Add Intent Threshold',
		typeOptions: { multipleValues: true },
		default: {},
		description: 'Stricter or looser thresholds for some intents, e.g. refunds need 0.95',
		options: [
			{
				displayName: 'Entry',
				name: 'entries',
				values: [
					{
						displayName: 'Intent',
						name: 'intent',
						type: 'string',
						default: '',
						placeholder: 'refund',
						description: 'The intent as the LLM Draft node reports it (matched without regard to case)',
					},
					{
						displayName: 'Threshold',
						name: 'threshold',
						type: 'number',
						default: 0.95,
						typeOptions: { minValue: 0, maxValue: 1, numberPrecision: 2 },
						description: 'Used instead of the main threshold for items of this intent',
					},
				],
			},
		],
	},
	{
		displayName: 'Risk Flag Rules',
		name: 'riskFlagRules',
		type: 'fixedCollection',
		placeholder: 'Add Risk Flag Rule',
		typeOptions: { multipleValues: true },
		default: {},
		description: 'Send items whose draft carries a risk flag to Review or Block, whatever their score',
		options: [
			{
				displayName: 'Rule',
				name: 'rules',
				values: [
					{
						displayName: 'Risk Flag',
						name: 'flag',
						type: 'string',
						default: '',
						placeholder: 'legal_threat',
						description: 'A flag in hitl.draft.riskFlags (matched without regard to case)',
					},
					{ displayName: 'Route To', name: 'route', type: 'options', options: routeOptions, default: 'review' },
				],
			},
		],
	},
	{
		displayName: 'Conditions',
		name: 'conditions',
		type: 'fixedCollection',
		placeholder: 'Add Condition',
		typeOptions: { multipleValues: true },
		default: {},
		description: 'Send items that match a field condition to Review or Block, e.g. amount > 500',
		options: [
			{
				displayName: 'Condition',
				name: 'conditions',
				values: [
					{
						displayName: 'Field',
						name: 'field',
						type: 'string',
						default: '',
						placeholder: 'amount',
						description: 'Dot path to a field on the item, e.g. order.total',
					},
					{
						displayName: 'Operator',
						name: 'operator',
						type: 'options',
						default: 'greaterThan',
						options: [
							{ name: 'Contains', value: 'contains' },
							{ name: 'Does Not Contain', value: 'notContains' },
							{ name: 'Does Not Equal', value: 'notEquals' },
							{ name: 'Equals', value: 'equals' },
							{ name: 'Greater Than', value: 'greaterThan' },
							{ name: 'Greater Than or Equal', value: 'greaterThanOrEqual' },
							{ name: 'Is Not Set', value: 'notExists' },
							{ name: 'Is Set', value: 'exists' },
							{ name: 'Is True', value: 'isTrue' },
							{ name: 'Less Than', value: 'lessThan' },
							{ name: 'Less Than or Equal', value: 'lessThanOrEqual' },
						],
					},
					{
						displayName: 'Value',
						name: 'value',
						type: 'string',
						default: '',
						displayOptions: { hide: { operator: ['exists', 'notExists', 'isTrue'] } },
						description: 'Compared as a number for greater/less than, as text otherwise',
					},
					{ displayName: 'Route To', name: 'route', type: 'options', options: routeOptions, default: 'review' },
				],
			},
		],
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Audit Sample Rate (%)',
				name: 'auditSamplePercent',
				type: 'number',
				default: 0,
				typeOptions: { minValue: 0, maxValue: 100, numberPrecision: 1 },
				hint: 'E.g. 5: one in twenty items that would go out on their own goes to Review instead',
				description:
					'Share of confident items sent to a person anyway, marked hitl.gate.sampledForAudit, with the reason AUDIT_SAMPLE. The Feedback Log measures the precision of automatic replies on them. Picked by case ID, so a case is picked the same way on every run.',
			},
			caseIdFieldOption,
			{
				displayName: 'Intent Field',
				name: 'intentField',
				type: 'string',
				default: 'hitl.draft.intent',
				description: 'Where the intent used by Intent Thresholds is read',
			},
			{
				displayName: 'Risk Flags Field',
				name: 'riskFlagsField',
				type: 'string',
				default: 'hitl.draft.riskFlags',
				description: 'Where the list of risk flags used by Risk Flag Rules is read',
			},
		],
	},
];
