/**
 * The Compliance Check's PII formats as a user meets them in a real n8n: the editor's node panel
 * offers Candidate Phone Countries and Minimum Confidence (with defaults that keep today's findings),
 * and a published workflow redacts an IPv6 address with an embedded IPv4 part, a national Japanese
 * number and a bare routing number whole.
 */
import { N8nServer, outputItems, type WorkflowFile } from '../n8nServer';

const redactWorkflow: WorkflowFile = {
	id: 'hitlE2ePiiForm01',
	name: 'HITL e2e: PII formats',
	active: true,
	nodes: [
		{
			id: 'webhook',
			name: 'Webhook',
			type: 'n8n-nodes-base.webhook',
			typeVersion: 2.1,
			position: [0, 0],
			webhookId: 'hitl-e2e-pii-formats-id',
			parameters: { httpMethod: 'POST', path: 'hitl-e2e-pii-formats', responseMode: 'onReceived', options: {} },
		},
		{
			id: 'check',
			name: 'Compliance Check',
			type: 'n8n-nodes-hitl.complianceCheck',
			typeVersion: 1,
			position: [300, 0],
			parameters: {
				operation: 'redact',
				mode: 'annotate',
				textField: 'body.text',
				options: { phoneCountries: 'IL, JP', minConfidence: 0.3 },
			},
		},
	],
	connections: { Webhook: { main: [[{ node: 'Compliance Check', type: 'main', index: 0 }]] } },
};

describe('Compliance Check PII formats in a real n8n', () => {
	let n8n: N8nServer;

	beforeAll(async () => {
		n8n = await N8nServer.start({ workflows: [redactWorkflow] });
	}, 900_000);

	afterAll(async () => {
		await n8n?.stop();
	});

	test('the node panel offers Candidate Phone Countries and Minimum Confidence', async () => {
		const response = await fetch(`${n8n.baseUrl}/types/nodes.json`, { headers: { cookie: `n8n-auth=${await n8n.ownerCookie()}` } });
		expect(response.status).toBe(200);
		const types = (await response.json()) as { name: string; properties: { name: string; options?: Record<string, unknown>[] }[] }[];
		const check = types.find((type) => type.name === 'n8n-nodes-hitl.complianceCheck');
		const options = check!.properties.find((property) => property.name === 'options')!.options!;
		expect(options).toEqual(
			expect.arrayContaining([
				expect.objectContaining({ displayName: 'Candidate Phone Countries', name: 'phoneCountries', default: '' }),
				expect.objectContaining({ displayName: 'Minimum Confidence', name: 'minConfidence', default: 0.5 }),
			]),
		);
	});

	test('a workflow redacts the new formats whole', async () => {
		const text = 'Login from 2001:db8::192.168.1.1, call 090-1234-5678, cheque 011000015.';
		const response = await n8n.callWebhook('hitl-e2e-pii-formats', { text });
		expect(response.status).toBe(200);
		const execution = await n8n.waitForExecution(redactWorkflow.id, ['success', 'error']);
		expect(execution.status).toBe('success');
		const [item] = outputItems(execution, 'Compliance Check');
		const compliance = (item.hitl as { compliance: { redactedText: string; violations: { piiType: string; score: number }[] } }).compliance;
		expect(compliance.redactedText).toBe('Login from [IPV6], call [PHONE], cheque [ROUTING].');
		expect(compliance.violations.map((violation) => [violation.piiType, violation.score])).toEqual([
			['ipv6', 0.9],
			['phone', 0.8],
			['routing', 0.35],
		]);
	});
});
