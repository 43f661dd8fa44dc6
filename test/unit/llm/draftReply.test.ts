/**
 * draftReply end to end over HTTP: the real OpenAI SDK client against the local
 * OpenAI-compatible server (test/llm), one test per confidence method and per failure path.
 */
import { createChatClient, type ChatClient } from '../../../nodes/LlmDraft/chatClient';
import { draftReply, type DraftSettings } from '../../../nodes/LlmDraft/draftReply';
import { applyQuirks, quirkFrom } from '../../../nodes/LlmDraft/providerQuirks';
import { LlmCallError } from '../../../nodes/LlmDraft/retryPolicy';
import { startFakeLlmServer, type ChatRequestBody, type FakeLlmServer } from '../../llm/fakeLlmServer';

let server: FakeLlmServer;
let client: ChatClient;

beforeAll(async () => {
	server = await startFakeLlmServer({ apiKey: 'sk-test', retryAfter: { ms: 20 } });
	client = createChatClient({ baseUrl: server.baseUrl, apiKey: 'sk-test', organization: 'org-1', headers: { 'X-Team': 'ops' } });
});
afterAll(() => server.close());

function settings(extra: Partial<DraftSettings> = {}): DraftSettings {
	return {
		model: 'fake-gpt',
		instructions: 'Be kind.',
		temperature: 0,
		maxTokens: 256,
		method: 'verbalized',
		samples: 5,
		retry: { maxRetries: 3, timeoutMs: 2000, baseDelayMs: 10 },
		...extra,
	};
}

const requestsFor = (message: string) => server.requests.filter((request) => request.message.startsWith(message));

test('verbalized: the self-rating from the structured answer is the score', async () => {
	const message = 'Where is my parcel? [intent:delivery] [confidence:0.62] [risk:late_delivery]';
	const { draft, notes } = await draftReply(client, settings({ promptVersion: 'v7', prices: { inputPerMillion: 2, outputPerMillion: 8 } }), { message, context: 'Parcel 123 shipped Monday.' });
	expect(notes).toEqual([]);
	expect(draft).toMatchObject({
		model: 'fake-gpt',
		promptVersion: 'v7',
		intent: 'delivery',
		sentiment: 'neutral',
		riskFlags: ['late_delivery'],
		confidence: { score: 0.62, method: 'verbalized', signals: { selfRating: 0.62 } },
	});
	expect(draft.text.length).toBeGreaterThan(10);
	expect(draft.usage.promptTokens).toBeGreaterThan(0);
	expect(draft.usage.completionTokens).toBeGreaterThan(0);
	expect(draft.usage.costUsd).toBeCloseTo((draft.usage.promptTokens * 2 + draft.usage.completionTokens * 8) / 1e6, 10);
	expect(draft.latencyMs).toBeGreaterThanOrEqual(0);

	const [request] = requestsFor('Where is my parcel?');
	expect(request.headers.authorization).toBe('Bearer sk-test');
	expect(request.headers['openai-organization']).toBe('org-1');
	expect(request.headers['x-team']).toBe('ops');
	expect(request.body.response_format).toMatchObject({ type: 'json_schema', json_schema: { name: 'draft_answer', strict: true } });
	const schema = request.body.response_format!.json_schema!.schema as { required: string[]; additionalProperties: boolean };
	expect(schema.required).toEqual(['reply', 'intent', 'sentiment', 'riskFlags', 'confidence']);
	expect(schema.additionalProperties).toBe(false);
	expect(request.body.messages!.map((entry) => entry.role)).toEqual(['system', 'system', 'user']);
});

test('no cost without prices; the rating is not asked for when the method does not use it', async () => {
	const message = 'Judge me [judge:4]';
	const { draft } = await draftReply(client, settings({ method: 'judge' }), { message });
	expect(draft.usage.costUsd).toBeUndefined();
	expect(draft.confidence).toEqual({ score: 0.333333, method: 'judge', signals: { judgeRating: 4, judgePass: 0, judgeIssues: 1 } });
	const [draftRequest, judgeRequest] = requestsFor('Judge me');
	expect(draftRequest.body.response_format!.json_schema!.schema!.properties).not.toHaveProperty('confidence');
	expect(judgeRequest.body.response_format!.json_schema!.name).toBe('draft_judgement');
	expect(judgeRequest.body.temperature).toBe(0);
});

test('logprobs: scored from the reply tokens and the probability-weighted self-rating', async () => {
	const sure = await draftReply(client, settings({ method: 'logprobs' }), { message: 'Sure case [confidence:0.95]' });
	const unsure = await draftReply(client, settings({ method: 'logprobs' }), { message: 'Unsure case [confidence:0.35]' });
	expect(sure.notes).toEqual([]);
	expect(sure.draft.confidence.method).toBe('logprobs');
	expect(sure.draft.confidence.signals).toEqual(
		expect.objectContaining({ replyTokens: expect.any(Number), replyGeoMeanProb: expect.any(Number), selfRatingExpected: expect.any(Number) }),
	);
	expect(sure.draft.confidence.score).toBeGreaterThan(unsure.draft.confidence.score + 0.3);
	const [request] = requestsFor('Sure case');
	expect(request.body).toMatchObject({ logprobs: true, top_logprobs: 5 });
});

test('logprobs falls back to the self-rating when the model returns none, and says so', async () => {
	const { draft, notes } = await draftReply(client, settings({ method: 'logprobs', model: 'fake-gpt-nologprobs' }), {
		message: 'No logprobs here [confidence:0.7]',
	});
	expect(notes).toEqual(['logprobsUnavailable']);
	expect(draft.confidence).toEqual({ score: 0.7, method: 'verbalized', signals: { selfRating: 0.7, logprobsUnavailable: 1 } });
});

test('a reasoning model: refused parameters are adapted once, remembered, and logprobs fall back', async () => {
	const quirks = {};
	const { draft, notes } = await draftReply(client, settings({ method: 'logprobs', model: 'fake-reasoner', quirks }), {
		message: 'Reasoner [confidence:0.55]',
	});
	expect(notes).toEqual(['logprobsRefused', 'temperatureRefused']);
	expect(draft.confidence).toMatchObject({ score: 0.55, method: 'verbalized', signals: { logprobsUnavailable: 1 } });
	// refused one at a time, as OpenAI does: max_tokens, then temperature, then logprobs
	const bodies = requestsFor('Reasoner').map((request) => request.body);
	expect(bodies.map((body) => request(body))).toEqual([
		'max_tokens temperature logprobs',
		'max_completion_tokens temperature logprobs',
		'max_completion_tokens logprobs',
		'max_completion_tokens',
	]);
	expect(quirks).toEqual({ maxCompletionTokens: true, noTemperature: true, noLogprobs: true });

	// the next item of the run goes straight to the accepted shape
	await draftReply(client, settings({ method: 'logprobs', model: 'fake-reasoner', quirks }), { message: 'Reasoner two' });
	expect(requestsFor('Reasoner two')).toHaveLength(1);
});

function request(body: ChatRequestBody): string {
	return ['max_tokens', 'max_completion_tokens', 'temperature', 'logprobs'].filter((key) => body[key as keyof ChatRequestBody] !== undefined).join(' ');
}

test('consistency: agreeing samples score high, disagreeing ones low, in one request with n', async () => {
	const agree = await draftReply(client, settings({ method: 'consistency', samples: 4 }), { message: 'Agree [intent:refund]' });
	const disagree = await draftReply(client, settings({ method: 'consistency', samples: 4 }), { message: 'Disagree [vary]' });
	expect(agree.draft.confidence).toEqual({
		score: 1,
		method: 'consistency',
		signals: { samples: 4, invalidSamples: 0, intentAgreement: 1, replySimilarity: 1, riskFlagAgreement: 1 },
	});
	expect(disagree.draft.confidence.score).toBeLessThan(0.6);
	expect(disagree.draft.confidence.signals.intentAgreement).toBeLessThan(1);
	const requests = requestsFor('Agree');
	expect(requests).toHaveLength(2);
	const sampling = requests.find((request) => request.body.n === 3)!;
	expect(sampling.body.temperature).toBe(0.7);
});

test('consistency draws separate samples from a server that ignores n', async () => {
	const lone = await startFakeLlmServer({ supportsN: false });
	try {
		const loneClient = createChatClient({ baseUrl: lone.baseUrl, apiKey: '' });
		const { draft, notes } = await draftReply(loneClient, settings({ method: 'consistency', samples: 3 }), { message: 'Lone [intent:billing]' });
		expect(notes).toEqual(['nIgnored']);
		expect(draft.confidence.signals.samples).toBe(3);
		expect(lone.requests.filter((request) => request.path.endsWith('completions'))).toHaveLength(3);
	} finally {
		await lone.close();
	}
});

test('combined: the documented weighted blend of all four, with every raw signal', async () => {
	const { draft } = await draftReply(client, settings({ method: 'combined', samples: 3 }), { message: 'Blend [confidence:0.8] [judge:10]' });
	const { signals, score, method } = draft.confidence;
	expect(method).toBe('combined');
	expect(signals).toMatchObject({ logprobsWeight: 0.2, verbalizedWeight: 0.1, consistencyWeight: 0.35, judgeWeight: 0.35, judgeScore: 1, verbalizedScore: 0.8 });
	const expected = 0.2 * signals.logprobsScore + 0.1 * 0.8 + 0.35 * signals.consistencyScore + 0.35 * 1;
	expect(score).toBeCloseTo(expected, 5);
	expect(signals).toHaveProperty('replyGeoMeanProb');
	expect(signals).toHaveProperty('intentAgreement');
});

test('combined without logprobs re-weights the rest and says so', async () => {
	const { draft, notes } = await draftReply(client, settings({ method: 'combined', samples: 2, model: 'fake-gpt-nologprobs' }), {
		message: 'Blend without [confidence:0.5] [judge:7]',
	});
	expect(notes).toEqual(['logprobsUnavailable']);
	expect(draft.confidence.method).toBe('combined');
	expect(draft.confidence.signals).toMatchObject({ logprobsUnavailable: 1, verbalizedWeight: 0.125, consistencyWeight: 0.4375, judgeWeight: 0.4375 });
	expect(draft.confidence.signals).not.toHaveProperty('logprobsScore');
});

test('an answer that is not valid JSON gets exactly one repair attempt', async () => {
	const { draft } = await draftReply(client, settings(), { message: 'Repair me [answer:invalid] [intent:account]' });
	expect(draft.intent).toBe('account');
	const requests = requestsFor('Repair me');
	expect(requests).toHaveLength(2);
	expect(requests[1].body.messages!.slice(-2).map((entry) => entry.role)).toEqual(['assistant', 'user']);
	expect(draft.usage.promptTokens).toBeGreaterThan(0);
});

test('an answer still invalid after the repair fails the item with a clear message', async () => {
	const error = (await draftReply(client, settings(), { message: 'Hopeless [answer:invalid-always]' }).catch((e: unknown) => e)) as LlmCallError;
	expect(error.kind).toBe('invalidAnswer');
	expect(error.message).toMatch(/could not be used after one repair attempt: the answer is not valid JSON/);
	expect(requestsFor('Hopeless')).toHaveLength(2);
});

test('429, 500, a garbled body and a hang are retried; the item completes exactly once', async () => {
	const faults = ['[fault:429x2]', '[fault:500x2]', '[fault:malformed]', '[fault:hang]'];
	for (const fault of faults) {
		const message = `Flaky ${fault}`;
		const { draft } = await draftReply(client, settings({ retry: { maxRetries: 3, timeoutMs: 300, baseDelayMs: 10 } }), { message });
		expect(draft.text).toBeTruthy();
		expect(server.completionsByMessage().get(message)).toBe(1);
	}
});

test('a 4xx other than 429 fails at once with the provider message', async () => {
	const error = await draftReply(client, settings({ model: 'no-such-model' }), { message: 'Unknown model' }).catch((e: unknown) => e);
	expect(error).toBeInstanceOf(LlmCallError);
	expect((error as LlmCallError).message).toBe('The provider answered 404: The model `no-such-model` does not exist');
	expect(requestsFor('Unknown model')).toHaveLength(1);
});

test('a wrong API key fails at once with 401', async () => {
	const wrong = createChatClient({ baseUrl: server.baseUrl, apiKey: 'sk-wrong' });
	const error = (await draftReply(wrong, settings(), { message: 'Wrong key' }).catch((e: unknown) => e)) as LlmCallError;
	expect(error.kind).toBe('client');
	expect(error.message).toBe('The provider answered 401: Incorrect API key provided.');
});

test('listModels reads /models', async () => {
	expect(await client.listModels()).toEqual(['fake-gpt', 'fake-gpt-nologprobs', 'fake-reasoner']);
});

test('quirks: only a 400 naming a parameter the request sent is adapted to', () => {
	const refusal = (message: string, status = 400) => new LlmCallError(message, 'client', { status });
	const sent = { model: 'm', messages: [], temperature: 0.2, max_tokens: 10, logprobs: true, top_logprobs: 5 };
	expect(quirkFrom(refusal("Unsupported parameter: 'logprobs'"), sent)).toBe('noLogprobs');
	expect(quirkFrom(refusal("Unsupported parameter: 'max_tokens'"), sent)).toBe('maxCompletionTokens');
	expect(quirkFrom(refusal("'temperature' does not support 0.2"), sent)).toBe('noTemperature');
	expect(quirkFrom(refusal("'temperature' does not support 0.2"), { model: 'm', messages: [] })).toBeUndefined();
	expect(quirkFrom(refusal('Invalid API key', 401), sent)).toBeUndefined();
	expect(quirkFrom(refusal('Bad request'), sent)).toBeUndefined();
	expect(applyQuirks(sent, { noLogprobs: true, noTemperature: true, maxCompletionTokens: true })).toEqual({
		request: { model: 'm', messages: [], max_completion_tokens: 10 },
		applied: ['noLogprobs', 'noTemperature', 'maxCompletionTokens'],
	});
});
