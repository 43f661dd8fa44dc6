/**
 * LLM Draft in real workflows run by n8n-core over the compiled node, against the local
 * OpenAI-compatible server: parameters, expressions, the credential, item pairing, continue-on-fail
 * and execution hints are n8n's own code paths.
 */
import type { ICredentialsDecrypted, ICredentialTestFunctions, IDataObject, IHttpRequestOptions, INodeParameters } from 'n8n-workflow';

import { draftSchema } from '../../../nodes/shared/itemContract';
import { loadPackageCredentials, loadPackageNodes, nodeTypeVersion } from '../../support/packageNodes';
import { startFakeLlmServer, type FakeLlmServer } from '../../llm/fakeLlmServer';
import { oneNodeWorkflow, runWorkflow, type WorkflowJson } from '../harness';

const NODE = 'LLM Draft';
let server: FakeLlmServer;

beforeAll(async () => {
	server = await startFakeLlmServer({ apiKey: 'sk-flow', retryAfter: { ms: 10 } });
});
afterAll(() => server.close());

function draftWorkflow(parameters: INodeParameters, nodeExtras: Record<string, unknown> = {}): WorkflowJson {
	return oneNodeWorkflow(NODE, 'n8n-nodes-hitl.llmDraft', {
		parameters: { model: { __rl: true, mode: 'id', value: 'fake-gpt' }, ...parameters },
		credentials: { llmApi: { id: '1', name: 'Local LLM' } },
		...nodeExtras,
	});
}

const credentials = () => ({ llmApi: { baseUrl: server.baseUrl, apiKey: 'sk-flow', headers: '{"X-Flow": "yes"}' } });
const hitlOf = (item: { json: IDataObject }) => item.json.hitl as IDataObject & { draft: IDataObject & { confidence: IDataObject } };

test('drafts every item in order, keeps user fields and pairing, writes hitl.draft and the case id', async () => {
	const input = Array.from({ length: 6 }, (_, index) => ({
		ticketId: `T-${index}`,
		message: `Ticket ${index}: where is my order? [intent:delivery] [confidence:0.${index + 3}]`,
	}));
	const run = await runWorkflow(
		draftWorkflow({
			instructions: 'Be brief.',
			confidenceMethod: 'verbalized',
			options: { caseIdField: 'ticketId', promptVersion: 'support-v3', concurrency: 3, inputPricePerMillion: 1, outputPricePerMillion: 4 },
		}),
		{ input, credentials: credentials() },
	);
	expect(run.status).toBe('success');
	const output = run.output(NODE);
	expect(output.map((item) => item.json.ticketId)).toEqual(input.map((item) => item.ticketId));
	expect(output.map((item) => item.pairedItem)).toEqual(input.map((_, index) => ({ item: index })));
	output.forEach((item, index) => {
		const hitl = hitlOf(item);
		expect(hitl.caseId).toBe(`T-${index}`);
		expect(hitl.version).toBe(1);
		expect(draftSchema.safeParse(hitl.draft).success).toBe(true);
		expect(hitl.draft).toMatchObject({ model: 'fake-gpt', promptVersion: 'support-v3', intent: 'delivery' });
		expect(hitl.draft.confidence).toEqual({ score: Number(`0.${index + 3}`), method: 'verbalized', signals: { selfRating: Number(`0.${index + 3}`) } });
		expect((hitl.draft.usage as IDataObject).costUsd).toBeGreaterThan(0);
	});
	const request = server.requests.find((entry) => entry.message.startsWith('Ticket 0'))!;
	expect(request.headers['x-flow']).toBe('yes');
	expect(request.body.messages![0].content).toMatch(/^Be brief\./);
});

test('items are drafted in parallel up to the Concurrency option', async () => {
	server.setLatency(60);
	try {
		const input = Array.from({ length: 12 }, (_, index) => ({ message: `Parallel ${index}` }));
		const before = server.requests.length;
		const run = await runWorkflow(draftWorkflow({ options: { concurrency: 4 } }), { input, credentials: credentials() });
		expect(run.status).toBe('success');
		expect(run.output(NODE)).toHaveLength(12);
		expect(server.requests.length - before).toBe(12);
		expect(server.peakInFlight()).toBe(4);
	} finally {
		server.setLatency(0);
	}
});

test('without log-probabilities every item is still scored, says which method, and the run has a hint', async () => {
	const input = [{ message: 'No logprobs A [confidence:0.6]' }, { message: 'No logprobs B [confidence:0.9]' }];
	const run = await runWorkflow(
		draftWorkflow({ model: { __rl: true, mode: 'id', value: 'fake-gpt-nologprobs' }, confidenceMethod: 'logprobs' }),
		{ input, credentials: credentials() },
	);
	expect(run.status).toBe('success');
	expect(run.output(NODE).map((item) => hitlOf(item).draft.confidence)).toEqual([
		{ score: 0.6, method: 'verbalized', signals: { selfRating: 0.6, logprobsUnavailable: 1 } },
		{ score: 0.9, method: 'verbalized', signals: { selfRating: 0.9, logprobsUnavailable: 1 } },
	]);
	const hints = run.run.data.resultData.runData[NODE][0].hints ?? [];
	expect(hints).toHaveLength(1);
	expect(hints[0].message).toMatch(/no token log-probabilities for 2 of 2 items/);
});

test('a reasoning model that refuses logprobs, temperature and max_tokens: adapted once, every item scored', async () => {
	const input = Array.from({ length: 5 }, (_, index) => ({ message: `Reasoning ${index} [confidence:0.7]` }));
	const run = await runWorkflow(
		draftWorkflow({ model: { __rl: true, mode: 'id', value: 'fake-reasoner' }, confidenceMethod: 'logprobs', options: { concurrency: 1 } }),
		{ input, credentials: credentials() },
	);
	expect(run.status).toBe('success');
	expect(run.output(NODE).map((item) => hitlOf(item).draft.confidence.method)).toEqual(Array(5).fill('verbalized'));
	// three refusals on the first item, none after: the run remembers what the model refuses
	expect(server.requests.filter((request) => request.message.startsWith('Reasoning ')).length).toBe(5 + 3);
	const hints = (run.run.data.resultData.runData[NODE][0].hints ?? []).map((hint) => hint.message);
	expect(hints).toEqual([
		expect.stringMatching(/refused log-probabilities for 5 of 5 items/),
		expect.stringMatching(/does not accept a Temperature setting: 5 of 5 items/),
	]);
});

test('a reasoning model at the default concurrency: requests already in flight when a refusal is learned are adapted too', async () => {
	// Eight items at once, each drafting and sampling in parallel (Combined): many requests go out
	// before the first refusal comes back, and every one of them must be sent again adapted.
	const input = Array.from({ length: 8 }, (_, index) => ({ message: `Parallel reasoning ${index} [confidence:0.8]` }));
	const run = await runWorkflow(
		draftWorkflow({ model: { __rl: true, mode: 'id', value: 'fake-reasoner' }, confidenceMethod: 'combined', samples: 3 }),
		{ input, credentials: credentials() },
	);
	expect(run.status).toBe('success');
	const drafts = run.output(NODE).map((item) => hitlOf(item).draft);
	expect(drafts).toHaveLength(8);
	for (const draft of drafts) {
		expect(draft.confidence).toMatchObject({ method: 'combined', signals: { logprobsUnavailable: 1 } });
		expect(draft.confidence.score).toBeGreaterThan(0);
	}
});

test('with log-probabilities the method is logprobs and the signals are the raw token figures', async () => {
	const run = await runWorkflow(draftWorkflow({ confidenceMethod: 'logprobs' }), {
		input: [{ message: 'With logprobs [confidence:0.9]' }],
		credentials: credentials(),
	});
	const { confidence } = hitlOf(run.output(NODE)[0]).draft;
	expect(confidence.method).toBe('logprobs');
	expect(confidence.signals).toHaveProperty('replyGeoMeanProb');
	expect(run.run.data.resultData.runData[NODE][0].hints ?? []).toEqual([]);
});

test('an item that keeps failing fails the node with its index and the provider message', async () => {
	const input = [{ message: 'Fine one' }, { message: 'Broken one [fault:500xall]' }, { message: 'Fine two' }];
	const run = await runWorkflow(draftWorkflow({ options: { maxRetries: 1 } }), { input, credentials: credentials() });
	expect(run.status).toBe('error');
	expect(run.error?.message).toBe(
		'Item 2: The provider answered 500: The server had an error while processing your request. (gave up after 2 attempts)',
	);
	expect((run.error as unknown as { description?: string }).description).toMatch(/Max Retries/);
});

test('the first real failure is reported, and the items in flight are stopped rather than finished', async () => {
	const input = [{ message: 'Slow one [delay:1500]' }, { message: 'Failing one [fault:500xall]' }, { message: 'Never started' }];
	const run = await runWorkflow(draftWorkflow({ options: { maxRetries: 0, concurrency: 2 } }), { input, credentials: credentials() });
	expect(run.status).toBe('error');
	expect(run.error?.message).toBe('Item 2: The provider answered 500: The server had an error while processing your request.');
	expect(server.completionsByMessage().get('Slow one [delay:1500]')).toBeUndefined();
	expect(server.requests.some((request) => request.message === 'Never started')).toBe(false);
});

test('with continue on fail the failed item goes out as an error item, the others succeed, nothing lost', async () => {
	const input = [
		{ n: 0, message: 'Good A' },
		{ n: 1, message: 'Bad B [answer:invalid-always]' },
		{ n: 2, message: 'Good C' },
		{ n: 3, message: '' },
	];
	const run = await runWorkflow(draftWorkflow({}, { onError: 'continueRegularOutput' }), { input, credentials: credentials() });
	expect(run.status).toBe('success');
	const output = run.output(NODE);
	expect(output.map((item) => item.json.n)).toEqual([0, 1, 2, 3]);
	expect(output.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }, { item: 3 }]);
	expect(hitlOf(output[0]).draft).toBeDefined();
	expect(hitlOf(output[2]).draft).toBeDefined();
	expect(output[1].json.error).toMatch(/^Item 2: The model's answer could not be used after one repair attempt/);
	expect(output[1].json.hitl).toBeUndefined();
	expect(output[3].json.error).toBe('Item 4: the customer message is empty');
	expect(server.completionsByMessage().get('Good A')).toBe(1);
	expect(server.completionsByMessage().get('Good C')).toBe(1);
});

test('with the error output, failed items leave on it and drafted ones on the main output', async () => {
	const input = [{ n: 0, message: 'Main A' }, { n: 1, message: 'Error B [fault:500xall]' }];
	const run = await runWorkflow(draftWorkflow({ options: { maxRetries: 0 } }, { onError: 'continueErrorOutput' }), {
		input,
		credentials: credentials(),
	});
	expect(run.status).toBe('success');
	expect(run.output(NODE, 0).map((item) => item.json.n)).toEqual([0]);
	expect(run.output(NODE, 1).map((item) => item.json.n)).toEqual([1]);
	expect(run.output(NODE, 1)[0].json.error).toMatch(/^Item 2: The provider answered 500/);
});

test('a case id already on the item is kept', async () => {
	const run = await runWorkflow(draftWorkflow({}), {
		input: [{ message: 'Existing case', hitl: { caseId: 'case-42' } }],
		credentials: credentials(),
	});
	expect(hitlOf(run.output(NODE)[0]).caseId).toBe('case-42');
});

test('the compiled credential signs requests, and LLM Draft tests it by listing the models', async () => {
	const credential = loadPackageCredentials().get('llmApi')!;
	expect(credential.displayName).toBe('LLM API');
	const data = { baseUrl: `${server.baseUrl}/`, apiKey: 'sk-flow', organization: 'org-9', headers: '{"X-Extra": "1"}' };
	const authenticate = credential.authenticate as (data: object, options: IHttpRequestOptions) => Promise<IHttpRequestOptions>;
	const signed = await authenticate(data, { url: '/models', headers: {} });
	expect(signed.headers).toEqual({ Authorization: 'Bearer sk-flow', 'OpenAI-Organization': 'org-9', 'X-Extra': '1' });

	// n8n runs a credential's own `test` request when it has one, and the node's function only
	// otherwise: the credential must have none, and the node must name its function.
	expect(credential.test).toBeUndefined();
	const node = nodeTypeVersion(loadPackageNodes().get('n8n-nodes-hitl.llmDraft')!);
	expect(node.description.credentials).toEqual([{ name: 'llmApi', required: true, testedBy: 'llmApiTest' }]);
	const llmApiTest = node.methods!.credentialTest!.llmApiTest;
	const asCredential = (extra: object) => ({ id: '1', name: 'llm', type: 'llmApi', data: { ...data, ...extra } }) as ICredentialsDecrypted;
	const ok = await llmApiTest.call({} as ICredentialTestFunctions, asCredential({}));
	expect(ok).toEqual({ status: 'OK', message: expect.stringMatching(new RegExp(`^GET ${server.baseUrl}/models listed \\d+ model`)) });
	const refused = await llmApiTest.call({} as ICredentialTestFunctions, asCredential({ apiKey: '' }));
	expect(refused.message).toMatch(/answered 401 Unauthorized.*fill in API Key\.$/);
});
