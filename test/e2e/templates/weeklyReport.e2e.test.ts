/**
 * The weekly oversight report template, imported as an admin would and run in a real n8n: it reads
 * the decisions the Feedback Log recorded in the embedded store of the n8n user folder and
 * composes the report, with the charts attached. No credential is needed.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { openHitlStore } from '../../../nodes/shared/store';
import { baseDecision } from '../../unit/store/fixtures/decisions';
import { N8nServer, outputItems, type WorkflowFile } from '../n8nServer';

const TEMPLATE = path.resolve(__dirname, '../../../templates/weekly-oversight-report.json');

describe('template: weekly oversight report', () => {
	const template = JSON.parse(readFileSync(TEMPLATE, 'utf8')) as WorkflowFile;
	let n8n: N8nServer;

	beforeAll(async () => {
		n8n = await N8nServer.start({ workflows: [template] });
	}, 900_000);

	afterAll(async () => {
		await n8n?.stop();
	});

	test('needs no credential: every node is ready as imported', () => {
		expect((template.nodes as { credentials?: object }[]).filter((node) => node.credentials)).toEqual([]);
	});

	test('reports what the Feedback Log recorded in the embedded store, with the charts attached', async () => {
		// What a week of a support flow left in the store n8n's Feedback Log writes by default.
		const store = await openHitlStore({ backend: 'embedded', filePath: path.join(n8n.userFolder, '.n8n', 'hitl.sqlite') });
		const recordedAt = new Date(Date.now() - 3_600_000).toISOString();
		const decision = (executionId: string, overrides: Parameters<typeof baseDecision>[0]) =>
			baseDecision({ executionId, recordedAt, ...overrides });
		try {
			await store.recordDecisions([
				decision('e1', { route: 'auto', decision: 'auto', reviewers: [], requestedAt: null, decidedAt: null, timeToDecisionMs: null }),
				decision('e2', { decision: 'approved', timeToDecisionMs: 120_000 }),
				decision('e3', { decision: 'approved', timeToDecisionMs: 240_000, ruleIds: ['pii.phone'] }),
				decision('e4', { decision: 'edited', timeToDecisionMs: 600_000, ruleIds: ['pii.phone', 'disclosure.refundTerms'] }),
			]);
		} finally {
			await store.close();
		}

		await n8n.executeWorkflow(template.id);
		const [latest] = n8n.listExecutions(template.id);
		const execution = await n8n.waitForExecution(template.id, ['success', 'error'], { executionId: latest.id });
		expect(execution.data.resultData.error?.message).toBeUndefined();

		const [report] = outputItems(execution, 'Compose the report');
		expect(report.subject).toBe('HITL oversight: 4 decisions, 33.3% of reviewed drafts overridden');
		const lines = String(report.text).split('\n');
		expect(lines).toEqual(
			expect.arrayContaining([
				'Decisions: 4 — auto 25%, to a person 75%, blocked 0%',
				'Reviewed: 3 — overridden (edited or rejected) 33.3%, rejected 0%',
				'Time to decision: median 4 min, 90th percentile 10 min',
				'Rules that fired most: pii.phone (2), disclosure.refundTerms (1)',
				'Threshold (last 30 days of reviews): Only 3 labelled decisions; at least 100 are needed before recommending a threshold.',
			]),
		);
		// the charts ride along for the mail node that replaces "Send the report"
		const runs = execution.data.resultData.runData['Send the report'] as unknown as { data: { main: { binary?: Record<string, { mimeType: string }> }[][] } }[];
		const binary = runs[0].data.main[0][0].binary!;
		expect(Object.keys(binary).sort()).toEqual(['overrideRateChart', 'reliabilityDiagram']);
		expect(binary.overrideRateChart.mimeType).toBe('image/svg+xml');
	});
});
