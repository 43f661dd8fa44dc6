import {
	NodeConnectionTypes,
	type INodeTypeBaseDescription,
	NodeOperationError,
	type ICredentialsDecrypted,
	type ICredentialTestFunctions,
	type IDataObject,
	type IExecuteFunctions,
	type ILoadOptionsFunctions,
	type INodeCredentialTestResult,
	type INodeExecutionData,
	type INodeListSearchResult,
	type INodeParameters,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

import { LLM_API_CREDENTIAL } from '../../shared/credentialNames';
import { getFieldValue } from '../../shared/fieldPath';
import { mergeHitl } from '../../shared/itemContract';
import { errorItem, ItemFieldError, itemLabel, toItemError } from '../../shared/itemErrors';
import { checkedNumber, type NumberSpec } from '../../shared/nodeParameters';
import { createChatClient, type LlmConnection } from '../chatClient';
import { llmDraftDescription } from '../description';
import { draftReply, type DraftCase, type DraftNote, type DraftSettings } from '../draftReply';
import { llmConnectionFromCredential, testLlmCredential } from '../llmCredential';
import type { ProviderQuirks } from '../providerQuirks';
import { LlmCallError, type FailureKind } from '../retryPolicy';
import { runPool } from '../runPool';
import type { ConfidenceMethod } from '../scoreConfidence';

/** Version 1 of the node: its shape as first released (see ../LlmDraft.node.ts). */
// eslint-disable-next-line @n8n/community-nodes/icon-validation -- the icon is on the base description in ../LlmDraft.node.ts, beside which n8n resolves every version's icon
export class LlmDraftV1 implements INodeType {
	description: INodeTypeDescription;

	constructor(baseDescription: INodeTypeBaseDescription) {
		this.description = {
			...baseDescription,
			version: 1,
			defaults: { name: 'LLM Draft' },
			usableAsTool: true,
			inputs: [NodeConnectionTypes.Main],
			outputs: [NodeConnectionTypes.Main],
			// The name is a literal (it is LLM_API_CREDENTIAL): n8n's community-node lint reads it here.
			// Tested by the node, not by a request on the credential: n8n would show only the bare status
			// ("Not Found") or error code ("ECONNREFUSED"), not which URL answered and what to change.
			credentials: [{ name: 'llmApi', required: true, testedBy: 'llmApiTest' }],
			properties: llmDraftDescription,
		};
	}

	methods = {
		credentialTest: {
			async llmApiTest(this: ICredentialTestFunctions, credential: ICredentialsDecrypted): Promise<INodeCredentialTestResult> {
				return await testLlmCredential(credential.data ?? {});
			},
		},
		listSearch: {
			async searchModels(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
				const client = createChatClient(await readConnection(this));
				const ids = await client.listModels();
				const wanted = filter?.trim().toLowerCase();
				return {
					results: ids.filter((id) => !wanted || id.toLowerCase().includes(wanted)).map((id) => ({ name: id, value: id })),
				};
			},
		},
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const node = this.getNode();
		const options = this.getNodeParameter('options', 0, {}) as IDataObject;
		// No SDK timeout: the retry policy times each attempt with the item's own Timeout option.
		const client = createChatClient(await readConnection(this));
		const continueOnFail = this.continueOnFail();
		const cancelSignal = this.getExecutionCancelSignal?.();

		// Each item's parameters are read when its turn comes, inside the pool: reading is synchronous
		// (no interleaving), and evaluating expressions for item 9 then overlaps with the network wait
		// of items 1–8 instead of delaying the first request by the whole batch's evaluation time.
		const parameters = new ParameterReader(this);
		const quirks: ProviderQuirks = {};
		const results = await runPool(
			items,
			checkedNumber(node, options.concurrency ?? 8, NUMBER_OPTIONS.concurrency, 0),
			async (item, itemIndex, signal) => {
				const job = readJob(this, parameters, item.json, itemIndex);
				const settings = { ...job.settings, quirks };
				return { caseIdValue: job.caseIdValue, ...(await draftReply(client, settings, job.input, signal)) };
			},
			{ signal: cancelSignal, stopOnError: !continueOnFail },
		);
		if (cancelSignal?.aborted) throw new NodeOperationError(node, 'The execution was cancelled');

		if (!continueOnFail) {
			// The pool stopped at the first failure and aborted the items in flight; report the failure
			// itself (lowest index), not an item that was only stopped because of it.
			const failures = results.flatMap((result, itemIndex) => (result.status === 'rejected' ? [{ itemIndex, reason: result.reason }] : []));
			const failure = failures.find(({ reason }) => !isCancellation(reason)) ?? failures[0];
			if (failure) throw toItemError(node, asFieldError(failure.reason), failure.itemIndex);
		}

		const output: INodeExecutionData[] = [];
		const notes = new Map<DraftNote, number>();
		for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
			const result = results[itemIndex];
			if (result.status === 'fulfilled') {
				for (const note of new Set(result.value.notes)) notes.set(note, (notes.get(note) ?? 0) + 1);
				output.push({
					json: mergeHitl(items[itemIndex].json, { draft: result.value.draft }, { fromField: result.value.caseIdValue }) as IDataObject,
					pairedItem: { item: itemIndex },
				});
				continue;
			}
			// With "continue on fail" every item ran: a failed one goes out as an error item in its place.
			const reason = result.status === 'rejected' ? result.reason : new Error('Not drafted');
			output.push(errorItem(node, items[itemIndex], toItemError(node, asFieldError(reason), itemIndex), itemIndex));
		}
		reportNotes(this, notes, items.length);
		return [output];
	}
}

interface Job {
	settings: DraftSettings;
	input: DraftCase;
	caseIdValue: unknown;
}

/**
 * Reads a parameter once when it holds no expression (its value is then the same for every item)
 * and per item otherwise. Evaluating n8n expressions costs about a millisecond per parameter and
 * item, which at 8 requests in flight is a noticeable share of a 100 ms round trip.
 */
class ParameterReader {
	private readonly constants = new Map<string, unknown>();
	/** The node's saved parameters, copied once (n8n's `getNode()` copies the whole node on each call). */
	private readonly saved: INodeParameters;

	constructor(private readonly context: IExecuteFunctions) {
		this.saved = context.getNode().parameters;
	}

	get<T>(name: string, itemIndex: number, fallback: T, extractValue = false): T {
		if (this.constants.has(name)) return this.constants.get(name) as T;
		const value = this.context.getNodeParameter(name, itemIndex, fallback as never, { extractValue }) as T;
		// A parameter missing from the node's saved parameters may have an expression as its default.
		const raw = this.saved[name];
		if (raw !== undefined && !holdsExpression(raw)) this.constants.set(name, value);
		return value;
	}
}

function holdsExpression(raw: unknown): boolean {
	if (typeof raw === 'string') return raw.startsWith('=');
	if (Array.isArray(raw)) return raw.some(holdsExpression);
	if (raw !== null && typeof raw === 'object') return Object.values(raw).some(holdsExpression);
	return false;
}

function readJob(context: IExecuteFunctions, parameters: ParameterReader, json: IDataObject, itemIndex: number): Job {
	const options = parameters.get<IDataObject>('options', itemIndex, {});
	const model = String(parameters.get<unknown>('model', itemIndex, '', true) ?? '').trim();
	if (!model) {
		throw new NodeOperationError(context.getNode(), `${itemLabel(itemIndex)}: no model chosen`, {
			itemIndex,
			description: 'Pick a model from the list or type its ID.',
		});
	}
	const message = parameters.get<unknown>('message', itemIndex, '');
	const text = typeof message === 'string' ? message : message === undefined || message === null ? '' : JSON.stringify(message);
	if (text.trim() === '') {
		throw new NodeOperationError(context.getNode(), `${itemLabel(itemIndex)}: the customer message is empty`, {
			itemIndex,
			description: 'Point Customer Message at the field that holds the text, e.g. {{ $json.body.text }}.',
		});
	}
	const context_ = parameters.get<unknown>('context', itemIndex, '');
	const method = parameters.get<ConfidenceMethod>('confidenceMethod', itemIndex, 'verbalized');
	const caseIdField = String(options.caseIdField ?? '').trim();
	const option = (name: keyof typeof NUMBER_OPTIONS, fallback: number) =>
		checkedNumber(() => context.getNode(), options[name] ?? fallback, NUMBER_OPTIONS[name], itemIndex);
	const samples = method === 'consistency' || method === 'combined' ? parameters.get<number>('samples', itemIndex, 5) : 1;
	return {
		input: {
			message: text,
			context: typeof context_ === 'string' ? context_ : context_ ? JSON.stringify(context_) : undefined,
		},
		caseIdValue: caseIdField ? getFieldValue(json, caseIdField) : undefined,
		settings: {
			model,
			instructions: parameters.get<string>('instructions', itemIndex, ''),
			temperature: option('temperature', 0.2),
			maxTokens: option('maxTokens', 1024),
			method,
			samples: samples === 1 ? 1 : checkedNumber(() => context.getNode(), samples, SAMPLES, itemIndex),
			promptVersion: options.promptVersion ? String(options.promptVersion) : undefined,
			prices: {
				inputPerMillion: option('inputPricePerMillion', 0),
				outputPerMillion: option('outputPricePerMillion', 0),
			},
			retry: {
				maxRetries: option('maxRetries', 3),
				timeoutMs: option('timeout', 60) * 1000,
			},
		},
	};
}

/** Samples (K) of the Consistency and Combined methods: the panel's range. */
const SAMPLES: NumberSpec = {
	label: 'Samples (K)',
	min: 2,
	max: 20,
	integer: true,
	description: 'Set Samples (K) to a whole number from 2 to 20 (5 is a good start).',
};

/** The number options and their ranges, as the panel offers them. */
const NUMBER_OPTIONS = {
	concurrency: {
		label: 'Options → Concurrency',
		min: 1,
		max: 64,
		integer: true,
		description: 'Set Concurrency to how many requests may be in flight at once, from 1 to 64.',
	},
	temperature: { label: 'Options → Temperature', min: 0, max: 2, description: 'Set Temperature from 0 to 2 (0.2 is the default).' },
	maxTokens: {
		label: 'Options → Max Tokens',
		min: 0,
		integer: true,
		description: 'Set Max Tokens to the longest answer allowed, in tokens (1024 is the default).',
	},
	inputPricePerMillion: {
		label: 'Options → Input Price per 1M Tokens (USD)',
		min: 0,
		description: 'Set the price in USD per million prompt tokens, or 0 to record no cost.',
	},
	outputPricePerMillion: {
		label: 'Options → Output Price per 1M Tokens (USD)',
		min: 0,
		description: 'Set the price in USD per million completion tokens, or 0 to record no cost.',
	},
	maxRetries: {
		label: 'Options → Max Retries',
		min: 0,
		max: 10,
		integer: true,
		description: 'Set Max Retries from 0 to 10: how often a rate-limited or failed request is tried again.',
	},
	timeout: { label: 'Options → Timeout (Seconds)', min: 1, description: 'Set Timeout to at least 1 second per attempt.' },
} satisfies Record<string, NumberSpec>;

async function readConnection(context: IExecuteFunctions | ILoadOptionsFunctions): Promise<LlmConnection> {
	const read = llmConnectionFromCredential(await context.getCredentials(LLM_API_CREDENTIAL));
	if (!read.ok) {
		throw new NodeOperationError(context.getNode(), read.problem, {
			description: 'Fix Extra Headers in the LLM API credential.',
		});
	}
	return read.connection;
}

const WHAT_TO_CHANGE: Record<FailureKind, string> = {
	rateLimit: 'The provider kept rate-limiting the requests. Lower Concurrency, raise Max Retries, or ask the provider for a higher limit.',
	server: 'The provider had errors. Try again later, or raise Max Retries.',
	network: 'Check the Base URL in the LLM API credential and that the server is reachable from n8n.',
	timeout: 'The model answered too slowly. Raise Timeout, lower Max Tokens, or pick a faster model.',
	client: 'The provider refused the request. Check the model name, the API key and the parameters.',
	cancelled: 'The execution was cancelled.',
	invalidAnswer: 'Use a model that supports structured output (JSON schema), or lower Temperature.',
};

function isCancellation(error: unknown): boolean {
	return error instanceof LlmCallError && error.kind === 'cancelled';
}

function asFieldError(error: unknown): unknown {
	if (!(error instanceof LlmCallError)) return error;
	return new ItemFieldError(error.message, 'Model', WHAT_TO_CHANGE[error.kind]);
}

function reportNotes(context: IExecuteFunctions, notes: Map<DraftNote, number>, total: number): void {
	if (notes.size === 0 || typeof context.addExecutionHints !== 'function') return;
	const of = (note: DraftNote) => `${notes.get(note)} of ${total} items`;
	const messages: string[] = [];
	if (notes.has('logprobsUnavailable')) {
		messages.push(
			`The model returned no token log-probabilities for ${of('logprobsUnavailable')}: their confidence was scored without them (verbalized self-rating, or combined without log-probs) and carries logprobsUnavailable = 1 in its signals.`,
		);
	}
	if (notes.has('logprobsRefused')) {
		messages.push(
			`The provider refused log-probabilities for ${of('logprobsRefused')} (reasoning models do): they were drafted without them and scored by the fallback, marked logprobsUnavailable = 1.`,
		);
	}
	if (notes.has('temperatureRefused')) {
		messages.push(`The model does not accept a Temperature setting: ${of('temperatureRefused')} were drafted with its default.`);
	}
	if (notes.has('nIgnored')) {
		messages.push(`The provider ignored "n" for ${of('nIgnored')}: the consistency samples were drawn with separate calls.`);
	}
	context.addExecutionHints(...messages.map((message) => ({ message, type: 'warning' as const, location: 'outputPane' as const })));
}
