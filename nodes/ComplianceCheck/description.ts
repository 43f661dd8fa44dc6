import type { INodeProperties } from 'n8n-workflow';

import { caseIdFieldOption } from '../shared/caseIdOption';

import { PII_LABELS, PII_TYPES } from './piiTypes';
import { RULE_PACKS } from './rulePacks';

const severityOptions = [
	{ name: 'Block', value: 'block', description: 'The text must not go out' },
	{ name: 'Review', value: 'review', description: 'A person must look first' },
	{ name: 'Info', value: 'info', description: 'Recorded only; the item still passes' },
];

export const complianceDescription: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		default: 'check',
		description: 'Whether to only check the text, or also write a redacted copy of it',
		options: [
			{
				name: 'Check',
				value: 'check',
				action: 'Check text for PII, disclosures and prohibited wording',
				description: 'Find PII, missing required disclosures, prohibited phrases and custom-pattern hits',
			},
			{
				name: 'Check and Redact',
				value: 'redact',
				action: 'Check text and redact the PII found',
				description: 'As Check, and also write a copy of the text with the PII replaced',
			},
		],
	},
	{
		displayName: 'Mode',
		name: 'mode',
		type: 'options',
		noDataExpression: true,
		default: 'route',
		description: 'Whether items are split into Pass and Fail, or all leave on one output with the result attached',
		options: [
			{ name: 'Route', value: 'route', description: 'Two outputs: Pass, and Fail for items with a block or review finding' },
			{ name: 'Annotate', value: 'annotate', description: 'One output; read the result in hitl.compliance' },
		],
	},
	{
		displayName: 'Text Field',
		name: 'textField',
		type: 'string',
		default: 'hitl.draft.text',
		required: true,
		placeholder: 'hitl.draft.text',
		hint: 'Dot path to the text to check; the default is the LLM Draft node\'s reply',
		description: 'The field holding the text to check, e.g. "message" or "email.body"',
	},
	{
		displayName: 'PII Types',
		name: 'piiTypes',
		type: 'multiOptions',
		default: [...PII_TYPES],
		options: PII_TYPES.map((type) => ({ name: PII_LABELS[type], value: type })),
		description:
			'Personal data to look for. Cards, IBANs, SSNs and routing numbers are checksum-validated; date of birth, CVV and expiry are reported only after a context word such as "DOB" or "CVV".',
	},
	{
		displayName: 'PII Severity',
		name: 'piiSeverity',
		type: 'options',
		default: 'review',
		options: severityOptions,
				description: 'How a PII finding counts. A rule pack can raise it (PCI makes card numbers "block").',
	},
	{
		displayName: 'Rule Packs',
		name: 'rulePacks',
		type: 'multiOptions',
		default: [],
		options: Object.values(RULE_PACKS).map((pack) => ({
			name: `${pack.title} (v${pack.version})`,
			value: pack.name,
			description: pack.description,
		})),
		description: 'Ready-made rules to switch on. Each rule has an ID, a severity, a message and a suggested fix.',
	},
	{
		displayName: 'Required Disclosures',
		name: 'requiredDisclosures',
		type: 'fixedCollection',
		placeholder: 'Add Required Disclosure',
		typeOptions: { multipleValues: true },
		default: {},
		description: 'Wording that must appear, checked without regard to case, punctuation or spacing',
		options: [
			{
				displayName: 'Disclosure',
				name: 'disclosures',
				values: [
					{
						displayName: 'Equals',
						name: 'whenEquals',
						type: 'string',
						default: '',
						placeholder: 'voice',
						description: 'Compared as text, without regard to case (\'true\' matches a boolean true)',
					},
					{
						displayName: 'Message',
						name: 'message',
						type: 'string',
						default: 'Required disclosure missing',
						description: 'What the reviewer reads when the disclosure is missing',
					},
					{
						displayName: 'Only When Field',
						name: 'whenField',
						type: 'string',
						default: '',
						placeholder: 'channel',
						description: 'Apply the rule only to items whose field (dot path) has the value below;	empty	=	always',
					},
					{
						displayName: 'Phrases',
						name: 'phrases',
						type: 'string',
						default: '',
						placeholder: 'This call may be recorded',
						description: 'One phrase per line;	any one of them satisfies the rule',
					},
					{
						displayName: 'Severity',
						name: 'severity',
						type: 'options',
						default: '',
					},
					{
						displayName: 'Within First N Sentences',
						name: 'withinSentences',
						type: 'number',
						default: 0,
						description: 'Only the first N sentences count;	0 means anywhere in the text',
					},
				],
			},
		],
	},
	{
		displayName: 'Prohibited Phrases',
		name: 'prohibitedPhrases',
		type: 'string',
		typeOptions: { rows: 3 },
		default: '',
		placeholder: 'calm down\nnot our problem',
		description: 'One phrase per line; matched without regard to case, punctuation or spacing',
	},
	{
		displayName: 'Prohibited Phrase Options',
		name: 'prohibitedOptions',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: { hide: { prohibitedPhrases: [''] } },
		options: [
			{
				displayName: 'Allowed Phrases',
				name: 'allow',
				type: 'string',
				typeOptions: { rows: 2 },
				default: '',
				placeholder: 'risk-free trial',
				description: 'Known-safe phrases, one per line: a prohibited phrase inside one of them is not reported',
			},
			{
				displayName: 'Tolerated Typos',
				name: 'maxEdits',
				type: 'number',
				default: 1,
				typeOptions: { minValue: 0, maxValue: 2 },
				description: 'Letters that may differ per phrase ("garanteed"); words under 5 letters must match exactly',
			},
			{ displayName: 'Severity', name: 'severity', type: 'options', options: severityOptions, default: 'block' },
			{ displayName: 'Message', name: 'message', type: 'string', default: 'Prohibited phrase' },
		],
	},
	{
		displayName: 'Custom Patterns',
		name: 'customPatterns',
		type: 'fixedCollection',
		placeholder: 'Add Custom Pattern',
		typeOptions: { multipleValues: true },
		default: {},
		description:
			'Regular expressions that must not match, e.g. internal account IDs. Patterns that could hang (nested repetition) are refused, and all patterns of one text share a time limit.',
		options: [
			{
				displayName: 'Pattern',
				name: 'patterns',
				values: [
					{
						displayName: 'Ignore Case',
						name: 'ignoreCase',
						type: 'boolean',
						default: true,
						description: 'Whether to match without regard to case',
					},
					{
						displayName: 'Message',
						name: 'message',
						type: 'string',
						default: 'Custom pattern matched',
					},
					{
						displayName: 'Redact Matches',
						name: 'redact',
						type: 'boolean',
						default: false,
						description: 'Whether Check and Redact also replaces matches of this pattern',
					},
					{
						displayName: 'Regular Expression',
						name: 'pattern',
						type: 'string',
						default: '',
						placeholder: 'ACC-\\d{8}',
						description: 'JavaScript syntax, without the surrounding slashes',
					},
					{
						displayName: 'Rule ID',
						name: 'id',
						type: 'string',
						default: '',
						placeholder: 'internal-account-ID',
					},
					{
						displayName: 'Severity',
						name: 'severity',
						type: 'options',
						default: '',
					},
				],
			},
		],
	},
	{
		displayName: 'Rules JSON',
		name: 'rulesJson',
		type: 'json',
		// Valid JSON meaning "no rules": n8n's JSON editor marks an empty text as an error.
		default: '{}',
		placeholder: '{ "version": "2026-11-01", "packs": ["pci"], "rules": [ … ] }',
		description:
			'Optional rules document kept in version control; added to the rules above. Rules have an ID, a kind (pii, disclosure, prohibited, pattern), a severity, a message and an optional fix. "version" is optional (default: the Ruleset Version option, else a fingerprint of the rules); see the README.',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Also Check Fields',
				name: 'additionalTextFields',
				type: 'string',
				default: '',
				placeholder: 'body.message',
				description:
					'More fields to check in the same pass with the same rules, as dot paths separated by commas (e.g. the customer\'s message besides the draft). Each violation then names its field, and the item passes only when every field does.',
			},
			{
				displayName: 'Candidate Phone Countries',
				name: 'phoneCountries',
				type: 'string',
				default: '',
				placeholder: 'IL, JP, CN, IN',
				description:
					'Two-letter countries, comma-separated, whose national phone format (no + country code) is also read, after the Default Phone Country. List only the countries your customers write from: each adds numbering plans a digit run can happen to fit.',
			},
			caseIdFieldOption,
			{
				displayName: 'Custom Pattern Time Limit (Ms)',
				name: 'patternTimeoutMs',
				type: 'number',
				default: 250,
				typeOptions: { minValue: 10 },
				description: 'Custom patterns that run longer on one text are stopped, and the item is flagged for review',
			},
			{
				displayName: 'Default Phone Country',
				name: 'defaultCountry',
				type: 'string',
				default: 'US',
				placeholder: 'GB',
				description: 'Two-letter country for phone numbers written without a + country code',
			},
			{
				displayName: 'Keep Earlier Findings',
				name: 'keepEarlierFindings',
				type: 'boolean',
				default: false,
				description:
					'Whether to keep, in hitl.compliance, what an earlier Compliance Check found in fields this one does not check (e.g. the customer\'s message, checked before the model), so the gate routes on both',
			},
			{
				displayName: 'Minimum Confidence',
				name: 'minConfidence',
				type: 'number',
				default: 0.5,
				typeOptions: { minValue: 0, maxValue: 1, numberPrecision: 2 },
				description:
					'PII findings scoring below this (0–1) are not reported. The default reports checksum-, format- and context-backed findings; lower it (e.g. to 0.3) to also get weak shapes such as nine bare digits that pass the ABA routing checksum.',
			},
			{
				displayName: 'Read Spoken Numbers',
				name: 'spokenNumbers',
				type: 'boolean',
				default: false,
				description: 'Whether to also find numbers spelled out as words ("four one one one …"), as in call transcripts',
			},
			{
				displayName: 'Redact in Place',
				name: 'redactInPlace',
				type: 'boolean',
				default: false,
				displayOptions: { show: { '/operation': ['redact'] } },
				description:
					'Whether to replace the text of every checked field with its redacted copy, so later nodes (the model, the review page, the store) never see the original',
			},
			{
				displayName: 'Redacted Text Field',
				name: 'redactedTextField',
				type: 'string',
				default: '',
				placeholder: 'safeText',
				description: 'Also write the redacted text to this field (dot path); it is always in hitl.compliance.redactedText',
			},
			{
				displayName: 'Redaction Style',
				name: 'redactionStyle',
				type: 'options',
				default: 'placeholder',
				options: [
					{ name: 'Typed Placeholder', value: 'placeholder', description: 'E.g. [CARD], [EMAIL].' },
					{ name: 'Mask', value: 'mask', description: 'E.g. **** **** **** 1111, j***@example.com.' },
				],
			},
			{
				displayName: 'Ruleset Version',
				name: 'rulesetVersion',
				type: 'string',
				default: '',
				placeholder: '2026-11-01',
				description:
					'Recorded in hitl.compliance.rulesetVersion with the pack versions. Empty: a fingerprint of the rules, which changes whenever they do.',
			},
		],
	},
];
