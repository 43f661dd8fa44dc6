/**
 * LLM Draft in a real n8n (the pinned version, this package installed as a community package)
 * against the local OpenAI-compatible server: Webhook → Split Out → LLM Draft → Confidence Gate.
 * The model returns no log-probabilities, so the node must fall back, say so, and still score.
 */
import { startFakeLlmServer, type FakeLlmServer } from '../../llm/fakeLlmServer';
import { N8nServer, outputItems, type WorkflowFile } from '../n8nServer';

const CREDENTIAL = { id: 'hitlE2eLlmCred01', name: 'Local LLM' };

const to = (node: string, index = 0) => ({ node, type: 'main', index });
const noOp = (name: string, y: number) => ({
	id: name.toLowerCase().replace(/\s/g, '-'),
	name,
	type: 'n8n-nodes-base.noOp',
	typeVersion: 1,
	position: [800, y],
	parameters: {},
});

const llmWorkflow: WorkflowFile = {
	id: 'hitlE2eLlmDraft1',
	name: 'HITL e2e: LLM Draft',
	active: true,
	nodes: [
		{
			id: 'webhook',
			name: 'Webhook',
			type: 'n8n-nodes-base.webhook',
			typeVersion: 2.1,
			position: [0, 0],
			webhookId: 'hitl-e2e-llm-id',
			parameters: { httpMethod: 'POST', path: 'hitl-e2e-llm', responseMode: 'onReceived', options: {} },
		},
		{
			id: 'split',
			name: 'Split Out',
			type: 'n8n-nodes-base.splitOut',
			typeVersion: 1,
			position: [200, 0],
			parameters: { fieldToSplitOut: 'body.items', options: {} },
		},
		{
			id: 'draft',
			name: 'LLM Draft',
			type: 'n8n-nodes-hitl.llmDraft',
			typeVersion: 1,
			position: [400, 0],
			parameters: {
				model: { __rl: true, mode: 'id', value: 'fake-gpt-nologprobs' },
				message: '={{ $json.text }}',
				confidenceMethod: 'logprobs',
				options: { caseIdField: 'ticket', promptVersion: 'e2e-v1', concurrency: 4 },
			},
			credentials: { llmApi: CREDENTIAL },
		},
		{
			id: 'gate',
			name: 'Confidence Gate',
			type: 'n8n-nodes-hitl.confidenceGate',
			typeVersion: 1,
			position: [600, 0],
			parameters: { threshold: 0.8 },
		},
		noOp('Send automatically', -200),
		noOp('Ask a person', 0),
		noOp('Do not send', 200),
	],
	connections: {
		Webhook: { main: [[to('Split Out')]] },
		'Split Out': { main: [[to('LLM Draft')]] },
		'LLM Draft': { main: [[to('Confidence Gate')]] },
		'Confidence Gate': { main: [[to('Send automatically')], [to('Ask a person')], [to('Do not send')]] },
	},
};

describe('LLM Draft in a real n8n', () => {
	let llm: FakeLlmServer;
	let n8n: N8nServer;

	beforeAll(async () => {
		llm = await startFakeLlmServer({ latencyMs: 20, apiKey: 'sk-e2e', retryAfter: { ms: 50 } });
		n8n = await N8nServer.start({
			workflows: [llmWorkflow],
			credentials: [{ ...CREDENTIAL, type: 'llmApi', data: { baseUrl: llm.baseUrl, apiKey: 'sk-e2e', organization: '', headers: '{}' } }],
		});
	}, 900_000);

	afterAll(async () => {
		await n8n?.stop();
		await llm?.close();
	});

	test('drafts, falls back from logprobs with a hint, and the gate routes on the score', async () => {
		const items = [
			{ ticket: 'T1', text: 'Where is my parcel? [intent:delivery] [confidence:0.95]' },
			{ ticket: 'T2', text: 'I will sue you! [intent:complaint] [confidence:0.4] [risk:legal_threat]' },
			{ ticket: 'T3', text: 'Refund please [intent:refund] [confidence:0.9] [fault:429]' },
		];
		const response = await n8n.callWebhook('hitl-e2e-llm', { items });
		expect(response.status).toBe(200);
		const execution = await n8n.waitForExecution(llmWorkflow.id, ['success', 'error'], { timeoutMs: 60_000 });
		expect(execution.data.resultData.error?.message).toBeUndefined();
		expect(execution.status).toBe('success');

		const drafted = outputItems(execution, 'LLM Draft');
		expect(drafted.map((item) => item.ticket)).toEqual(['T1', 'T2', 'T3']);
		const hitl = drafted.map((item) => item.hitl as { caseId: string; draft: Record<string, unknown> });
		expect(hitl.map((entry) => entry.caseId)).toEqual(['T1', 'T2', 'T3']);
		expect(hitl.map((entry) => entry.draft.confidence)).toEqual([
			{ score: 0.95, method: 'verbalized', signals: { selfRating: 0.95, logprobsUnavailable: 1 } },
			{ score: 0.4, method: 'verbalized', signals: { selfRating: 0.4, logprobsUnavailable: 1 } },
			{ score: 0.9, method: 'verbalized', signals: { selfRating: 0.9, logprobsUnavailable: 1 } },
		]);
		expect(hitl[1].draft).toMatchObject({ model: 'fake-gpt-nologprobs', promptVersion: 'e2e-v1', intent: 'complaint', riskFlags: ['legal_threat'] });

		const runData = execution.data.resultData.runData['LLM Draft'][0] as { hints?: { message: string }[] };
		expect(runData.hints?.map((hint) => hint.message)).toEqual([expect.stringMatching(/no token log-probabilities for 3 of 3 items/)]);

		expect(outputItems(execution, 'Send automatically').map((item) => item.ticket)).toEqual(['T1', 'T3']);
		expect(outputItems(execution, 'Ask a person').map((item) => item.ticket)).toEqual(['T2']);

		// the 429 was honoured and retried; every item reached the model exactly once
		const completions = llm.completionsByMessage();
		expect(items.map((item) => completions.get(item.text))).toEqual([1, 1, 1]);
		expect(llm.requests.filter((request) => request.outcome === '429')).toHaveLength(1);
		expect(llm.requests.every((request) => request.headers.authorization === 'Bearer sk-e2e')).toBe(true);
	});
});
