/**
 * The foundation's end-to-end proof: a real n8n (the pinned version, installed on demand) loads
 * this package from its community-nodes folder, runs a workflow through the Confidence Gate to
 * all three outputs, and resumes a waiting execution over its resume URL.
 */
import { N8nServer, outputItems } from '../n8nServer';
import { gateWorkflow, waitWorkflow } from './workflows';

describe('a real n8n with the package installed', () => {
	let n8n: N8nServer;

	beforeAll(async () => {
		n8n = await N8nServer.start({ workflows: [gateWorkflow, waitWorkflow] });
	}, 900_000);

	afterAll(async () => {
		await n8n?.stop();
	});

	test('serves the Confidence Gate to the node panel with its icons and hints', async () => {
		const response = await fetch(`${n8n.baseUrl}/types/nodes.json`, {
			headers: { cookie: `n8n-auth=${await n8n.ownerCookie()}` },
		});
		expect(response.status).toBe(200);
		const types = (await response.json()) as Record<string, unknown>[];
		const gate = types.find((type) => type.name === 'n8n-nodes-hitl.confidenceGate');
		expect(gate).toMatchObject({
			displayName: 'Confidence Gate',
			description: expect.stringContaining('Auto, Review or Block'),
			outputNames: ['Auto', 'Review', 'Block'],
		});
		const iconUrl = gate!.iconUrl as { light: string; dark: string };
		for (const url of [iconUrl.light, iconUrl.dark]) {
			const icon = await fetch(`${n8n.baseUrl}/${url}`, { headers: { cookie: `n8n-auth=${await n8n.ownerCookie()}` } });
			expect(icon.status).toBe(200);
			expect(await icon.text()).toContain('<svg');
		}
		const score = (gate!.properties as { name: string; hint?: string }[]).find((property) => property.name === 'score');
		expect(score?.hint).toMatch(/score between 0 and 1/);
	});

	test('routes items through the Confidence Gate to Auto, Review and Block', async () => {
		const response = await n8n.callWebhook('hitl-e2e-gate', {
			items: [
				{ ticket: 'T1', confidence: 0.93 },
				{ ticket: 'T2', confidence: 0.41 },
				{ ticket: 'T3', confidence: 0.99, amount: 900 },
				{ ticket: 'T4' },
			],
		});
		expect(response.status).toBe(200);
		const execution = await n8n.waitForExecution(gateWorkflow.id, ['success', 'error']);
		expect(execution.status).toBe('success');

		const tickets = (node: string) => outputItems(execution, node).map((item) => item.ticket);
		expect(tickets('Send automatically')).toEqual(['T1']);
		expect(tickets('Ask a person')).toEqual(['T2', 'T4']);
		expect(tickets('Do not send')).toEqual(['T3']);

		const [missing] = outputItems(execution, 'Confidence Gate', 1).filter((item) => item.ticket === 'T4');
		expect(missing.hitl).toMatchObject({
			version: 1,
			gate: { route: 'review', threshold: 0.8, reasons: [{ code: 'SCORE_MISSING' }] },
		});
	});

	test('a waiting execution resumes over its resume URL, and only with the right signature', async () => {
		const response = await n8n.callWebhook('hitl-e2e-wait', { ticket: 'W1' });
		expect(response.status).toBe(200);
		const { resumeUrl } = (await response.json()) as { resumeUrl: string };
		expect(resumeUrl).toMatch(/\/webhook-waiting\/\d+\?signature=/);

		const waiting = await n8n.waitForExecution(waitWorkflow.id, ['waiting']);
		expect(waiting.waitTill).not.toBeNull();

		const forged = resumeUrl.replace(/signature=[^&]+/, 'signature=forged');
		const refused = await fetch(forged, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
		expect(refused.status).toBe(401);
		expect(n8n.readExecution(waiting.id).status).toBe('waiting');

		const resumed = await fetch(resumeUrl, {
			method: 'POST',
			body: JSON.stringify({ answer: 'go' }),
			headers: { 'content-type': 'application/json' },
		});
		expect(resumed.status).toBe(200);
		const finished = await n8n.waitForExecution(waitWorkflow.id, ['success', 'error'], { executionId: waiting.id });
		expect(finished.status).toBe('success');
		expect(outputItems(finished, 'After wait')[0]).toMatchObject({ body: { answer: 'go' } });
	});
});

describe('the same n8n without the package', () => {
	test('cannot run the Confidence Gate workflow: the e2e tier really depends on the package', async () => {
		const n8n = await N8nServer.start({ workflows: [gateWorkflow], withPackage: false, waitForWebhooks: false });
		try {
			await n8n.waitForLog('Unrecognized node type: n8n-nodes-hitl.confidenceGate');
			const response = await n8n.callWebhook('hitl-e2e-gate', { items: [{ ticket: 'T1', confidence: 0.9 }] });
			expect(response.status).toBe(404);
			expect(n8n.listExecutions(gateWorkflow.id)).toEqual([]);
		} finally {
			await n8n.stop();
		}
	}, 300_000);
});
