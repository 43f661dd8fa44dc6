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
		displayName: 'Shadow Mode (Trial)',
		name: 'shadow',
		type: 'boolean',
		default: false,
		description:
			'Whether to try the policy without trusting it: every item goes to Review, with the route the gate would have taken in hitl.gate.shadowRoute and the reason SHADOW_MODE. Reviewers\' verdicts on the would-be Auto items become the Feedback Log\'s auto precision.',
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
		displayName: 'Adapt to Reviewers\' Decisions',
		name: 'adapt',
		type: 'boolean',
		default: false,
		description:
			'Whether to read what reviewers decided on this workflow\'s drafts, as a Feedback Log node recorded it, to learn the threshold and to pause auto-send when reviewers override too often',
	},
	{
		displayName:
			'Reads the decisions the <b>Feedback Log</b> recorded for this workflow in the HITL store (the embedded file in the n8n user folder without a credential). Put a Feedback Log (Record) where the branches meet.',
		name: 'adaptNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { adapt: [true] } },
	},
	{
		displayName: 'Learn Threshold',
		name: 'learnThreshold',
		type: 'boolean',
		default: true,
		displayOptions: { show: { adapt: [true] } },
		description:
			'Whether to apply, per model and prompt version, the lowest threshold whose 95% lower bound on the precision of all drafts above it reaches the Target Precision. Until then nothing goes out alone (see Until a Threshold Is Learned). Intent Thresholds still win.',
	},
	{
		displayName: 'Target Precision',
		name: 'targetPrecision',
		type: 'number',
		default: 0.95,
		typeOptions: { minValue: 0.5, maxValue: 0.999, numberPrecision: 3 },
		displayOptions: { show: { adapt: [true], learnThreshold: [true] } },
		hint: 'Share of drafts going out alone that a reviewer would have approved unchanged (95% lower confidence bound)',
	},
	{
		displayName: 'Minimum Reviewed Drafts',
		name: 'minSamples',
		type: 'number',
		default: 100,
		typeOptions: { minValue: 1 },
		displayOptions: { show: { adapt: [true], learnThreshold: [true] } },
		description: 'Labelled drafts (reviewed or audited) needed at or above a threshold before it can be learned',
	},
	{
		displayName: 'Learn From Last Days',
		name: 'learnDays',
		type: 'number',
		default: 30,
		typeOptions: { minValue: 0.001, numberPrecision: 3 },
		displayOptions: { show: { adapt: [true] } },
		description:
			'Only decisions recorded in this many days count (0.5 = 12 hours). Shorter follows a changing model sooner; longer gives tighter bounds.',
	},
	{
		displayName: 'Lowest Learned Threshold',
		name: 'learnedFloor',
		type: 'number',
		default: 0.5,
		typeOptions: { minValue: 0, maxValue: 1, numberPrecision: 2 },
		displayOptions: { show: { adapt: [true], learnThreshold: [true] } },
		description: 'A learned threshold is never below this',
	},
	// Same parameter, per version: a saved version-1 gate keeps its fixed Threshold until a threshold
	// is learned (what it did before version 2); a new gate reviews every draft until then.
	{
		displayName: 'Until a Threshold Is Learned',
		name: 'learningStart',
		type: 'options',
		default: 'threshold',
		options: [
			{ name: 'Review Every Draft', value: 'reviewAll', description: 'Nothing goes out alone until the evidence supports a threshold' },
			{ name: 'Apply the Threshold Above', value: 'threshold', description: 'A high Threshold you trust as a start' },
		],
		displayOptions: { show: { adapt: [true], learnThreshold: [true], '@version': [1] } },
		description:
			'What applies to a new model or prompt version, and whenever no threshold reaches the Target Precision. Never a laxer setting than this.',
	},
	{
		displayName: 'Until a Threshold Is Learned',
		name: 'learningStart',
		type: 'options',
		default: 'reviewAll',
		options: [
			{ name: 'Review Every Draft', value: 'reviewAll', description: 'Nothing goes out alone until the evidence supports a threshold' },
			{ name: 'Apply the Threshold Above', value: 'threshold', description: 'A high Threshold you trust as a start' },
		],
		displayOptions: { show: { adapt: [true], learnThreshold: [true], '@version': [{ _cnd: { gte: 2 } }] } },
		description:
			'What applies to a new model or prompt version, and whenever no threshold reaches the Target Precision. Never a laxer setting than this.',
	},
	{
		displayName: 'Pause Auto-Send on Drift',
		name: 'breaker',
		type: 'boolean',
		default: true,
		displayOptions: { show: { adapt: [true] } },
		description:
			'Whether to send every would-be-Auto item to Review (reason BREAKER_OPEN) while reviewers override more drafts than the calibration expects, for the whole workflow or the item\'s intent',
	},
	{
		displayName: 'False Alarm: One per Labelled Drafts',
		name: 'driftAlarmEvery',
		type: 'number',
		default: 10000,
		typeOptions: { minValue: 10 },
		displayOptions: { show: { adapt: [true], breaker: [true] } },
		description:
			'About how many labelled drafts of a slice pass between two false alarms when nothing changed. Higher: fewer false alarms, slower detection.',
	},
	{
		displayName: 'Detect an Override Rate Increase Of (×)',
		name: 'driftIncrease',
		type: 'number',
		default: 2,
		typeOptions: { minValue: 1.1, maxValue: 10, numberPrecision: 1 },
		displayOptions: { show: { adapt: [true], breaker: [true] } },
		description: 'The change the detector is tuned to find fastest: 2 = reviewers override twice as often as the calibration expects',
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
					'Share of confident items sent to a person anyway, marked hitl.gate.sampledForAudit, with the reason AUDIT_SAMPLE. The Feedback Log measures the precision of automatic replies on them. Picked by case ID, so a case is picked the same way on every run. While the gate learns its threshold this is the lowest audit rate (at least 1%); it audits more while the estimate is uncertain.',
			},
			caseIdFieldOption,
			{
				displayName: 'Intent Field',
				name: 'intentField',
				type: 'string',
				default: 'hitl.draft.intent',
				description: 'Where the intent used by Intent Thresholds is read; the drift detector also watches each intent on its own',
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
