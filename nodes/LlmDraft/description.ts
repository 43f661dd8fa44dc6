import type { INodeProperties } from 'n8n-workflow';

import { caseIdFieldOption } from '../shared/caseIdOption';

import { COMBINED_WEIGHTS } from './scoreConfidence';

const DEFAULT_INSTRUCTIONS =
	'You are a customer support agent. Answer the customer\'s message politely, briefly and accurately, using ' +
	'only the reference information you are given. Never promise refunds, credits or legal outcomes you cannot ' +
	'confirm from that information; flag such requests instead.';

const pct = (weight: number) => `${Math.round(weight * 100)}%`;

export const llmDraftDescription: INodeProperties[] = [
	{
		displayName: 'Model',
		name: 'model',
		type: 'resourceLocator',
		default: { mode: 'list', value: '' },
		required: true,
		description: 'The model that drafts the reply, as the provider names it',
		modes: [
			{
				displayName: 'From List',
				name: 'list',
				type: 'list',
				placeholder: 'Select a model…',
				typeOptions: { searchListMethod: 'searchModels', searchable: true },
			},
			{
				displayName: 'ID',
				name: 'id',
				type: 'string',
				placeholder: 'e.g. gpt-4o-mini, llama3.1:8b',
			},
		],
	},
	{
		displayName: 'Instructions',
		name: 'instructions',
		type: 'string',
		typeOptions: { rows: 6 },
		default: DEFAULT_INSTRUCTIONS,
		description: 'The system prompt: who the assistant is, the tone, the policies it must follow',
		hint: 'The node adds the answer format (reply, intent, sentiment, risk flags) itself',
	},
	{
		displayName: 'Customer Message',
		name: 'message',
		type: 'string',
		typeOptions: { rows: 3 },
		default: '={{ $json.message }}',
		required: true,
		description: 'The message to reply to; usually an expression that reads it from the item',
	},
	{
		displayName: 'Context',
		name: 'context',
		type: 'string',
		typeOptions: { rows: 4 },
		default: '',
		placeholder: 'e.g. {{ $json.knowledgeSnippets }} or {{ JSON.stringify($json.customer) }}',
		description: 'Reference information for the model: knowledge-base snippets, the customer record, order details',
	},
	{
		displayName: 'Confidence Method',
		name: 'confidenceMethod',
		type: 'options',
		default: 'verbalized',
		// Each description says how the score is computed; CONFIDENCE.md has the research behind it.
		options: [
			{
				name: 'Combined',
				value: 'combined',
				description: `Weighted mean of the others: log-probs ${pct(COMBINED_WEIGHTS.logprobs)}, self-rating ${pct(COMBINED_WEIGHTS.verbalized)}, consistency ${pct(COMBINED_WEIGHTS.consistency)}, judge ${pct(COMBINED_WEIGHTS.judge)}; missing parts are left out and the rest re-weighted. Most calls, best signal.`,
			},
			{
				name: 'Consistency (K Samples)',
				value: 'consistency',
				description:
					'Draws K−1 more answers (temperature ≥ 0.7) and measures agreement with the draft: 40% same intent, 40% word overlap of the replies, 20% same risk flags (self-consistency, SelfCheckGPT)',
			},
			{
				name: 'Judge (Second Call)',
				value: 'judge',
				description: 'A second call grades the draft 1–10 against the message and instructions; score = (rating − 1) / 9 (LLM-as-a-judge)',
			},
			{
				name: 'Token Log-Probabilities',
				value: 'logprobs',
				description:
					'Geometric mean of the reply tokens\' probabilities, averaged with the self-rating weighted by its digits\' probabilities. Models without log-probs (e.g. reasoning models) fall back to the self-rating, marked logprobsUnavailable.',
			},
			{
				name: 'Verbalized (Self-Rating)',
				value: 'verbalized',
				description: 'The model rates its own reply 0–1 in the structured answer. Cheapest; known to be over-confident.',
			},
		],
		hint: 'Score is always between 0 and 1; its raw signals are in hitl.draft.confidence.signals',
	},
	{
		displayName: 'Samples (K)',
		name: 'samples',
		type: 'number',
		default: 5,
		typeOptions: { minValue: 2, maxValue: 20 },
		displayOptions: { show: { confidenceMethod: ['consistency', 'combined'] } },
		description: 'How many answers to compare, the draft included. Sent as one request with n = K−1 where the provider supports it.',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			caseIdFieldOption,
			{
				displayName: 'Concurrency',
				name: 'concurrency',
				type: 'number',
				default: 8,
				typeOptions: { minValue: 1, maxValue: 64 },
				description: 'How many items are drafted at the same time. Lower it if the provider rate-limits you often.',
			},
			{
				displayName: 'Input Price per 1M Tokens (USD)',
				name: 'inputPricePerMillion',
				type: 'number',
				default: 0,
				typeOptions: { minValue: 0, numberPrecision: 4 },
				description: 'Your provider\'s price for prompt tokens; with an output price, fills hitl.draft.usage.costUsd',
			},
			{
				displayName: 'Max Retries',
				name: 'maxRetries',
				type: 'number',
				default: 3,
				typeOptions: { minValue: 0, maxValue: 10 },
				description:
					'Retries per request after a rate limit (429, waiting as long as Retry-After says), a server error (5xx), a network error or a timeout (exponential back-off with jitter)',
			},
			{
				displayName: 'Max Tokens',
				name: 'maxTokens',
				type: 'number',
				default: 1024,
				typeOptions: { minValue: 0 },
				description:
					'Longest answer the model may write; 0 leaves it to the provider. Sent as max_tokens, or max_completion_tokens to models that ask for it.',
			},
			{
				displayName: 'Output Price per 1M Tokens (USD)',
				name: 'outputPricePerMillion',
				type: 'number',
				default: 0,
				typeOptions: { minValue: 0, numberPrecision: 4 },
				description: 'Your provider\'s price for completion tokens',
			},
			{
				displayName: 'Prompt Version',
				name: 'promptVersion',
				type: 'string',
				default: '',
				placeholder: 'e.g. support-v3',
				description: 'A label carried into hitl.draft.promptVersion, so reviews and metrics can be compared per prompt',
			},
			{
				displayName: 'Temperature',
				name: 'temperature',
				type: 'number',
				default: 0.2,
				typeOptions: { minValue: 0, maxValue: 2, numberPrecision: 2 },
				description:
					'Lower is more predictable. Samples for Consistency use at least 0.7. Models that refuse it (reasoning models) use their default, with a hint.',
			},
			{
				displayName: 'Timeout (Seconds)',
				name: 'timeout',
				type: 'number',
				default: 60,
				typeOptions: { minValue: 1 },
				description: 'How long one request may take before it is abandoned and retried',
			},
		],
	},
];
