/**
 * Issue 13, item 6: LLM Draft, Compliance Check and Feedback Log are n8n VersionedNodeTypes with
 * today's shape as version 1. A workflow saved with version 1 of each (a JSON fixture, as n8n
 * exports it) loads and runs over the compiled package: drafts, checks (Pass and Fail outputs in
 * their order), records both branches and reports on them.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { IDataObject, INodeTypeDescription } from 'n8n-workflow';

import { startFakeLlmServer, type FakeLlmServer } from '../../llm/fakeLlmServer';
import { loadPackageNodes, nodeTypeVersion } from '../../support/packageNodes';
import { runWorkflow, type WorkflowJson } from '../harness';

const FIXTURE = join(__dirname, '../../fixtures/workflows/version1-draft-check-log.json');

let server: FakeLlmServer;
let dir: string;

beforeAll(async () => {
	server = await startFakeLlmServer({ apiKey: 'sk-v1' });
	dir = mkdtempSync(join(tmpdir(), 'hitl-v1-'));
});
afterAll(() => {
	server.close();
	rmSync(dir, { recursive: true, force: true });
});

test.each(['llmDraft', 'complianceCheck', 'feedbackLog'])('%s is versioned, version 1 is its default', (name) => {
	const node = loadPackageNodes().get(`n8n-nodes-hitl.${name}`)!;
	expect('nodeVersions' in node).toBe(true);
	expect(Object.keys((node as { nodeVersions: object }).nodeVersions)).toEqual(['1']);
	const v1: INodeTypeDescription = nodeTypeVersion(node, 1).description;
	expect(v1).toMatchObject({ name, version: 1 });
	expect(nodeTypeVersion(node).description).toBe(v1);
});

test('a workflow saved with version 1 of the three nodes runs as it did', async () => {
	const workflow = JSON.parse(readFileSync(FIXTURE, 'utf8')) as WorkflowJson;
	const input = [
		{ ticketId: 'T-1', message: 'Where is my parcel? [intent:delivery] [confidence:0.9] [reply:It left our warehouse today.]' },
		{ ticketId: 'T-2', message: 'Who do I write to? [intent:contact] [confidence:0.7] [reply:Write to jane@example.com please.]' },
	];
	const run = await runWorkflow(workflow, {
		input,
		credentials: { llmApi: { baseUrl: server.baseUrl, apiKey: 'sk-v1' }, hitlStore: { backend: 'embedded', filePath: join(dir, 'hitl.sqlite') } },
	});
	expect(run.error).toBeUndefined();
	expect(run.status).toBe('success');

	const drafted = run.output('Draft reply');
	expect(drafted.map((item) => (item.json.hitl as IDataObject).caseId)).toEqual(['T-1', 'T-2']);
	expect((drafted[0].json.hitl as { draft: IDataObject }).draft).toMatchObject({ model: 'fake-gpt', promptVersion: 'v1-saved', intent: 'delivery' });

	// Output order of version 1: Pass, then Fail (the second draft holds an e-mail address).
	expect(run.output('Check compliance', 0).map((item) => item.json.ticketId)).toEqual(['T-1']);
	expect(run.output('Check compliance', 1).map((item) => item.json.ticketId)).toEqual(['T-2']);

	const logged = run.executionOrder.filter((name) => name === 'Log decision').length;
	expect(logged).toBe(2); // once per branch
	const [report] = run.output('Report');
	expect(report.json).toMatchObject({ operation: 'metrics', volume: 2 });
});
