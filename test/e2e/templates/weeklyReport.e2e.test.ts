/**
 * The weekly oversight report template, imported as an admin would and run in a real n8n: it reads
 * the decisions the Feedback Log recorded in the embedded store of the n8n user folder and
 * composes the report — a text body and an HTML body, each with the charts and their counts, and
 * the SVG files attached. No credential is needed.
 *
 * The report's Review SLA line and chart come from the reviews Human Approval Wait registered in
 * the same store (two seeded with a Respond Within target: one answered in time, one overdue).
 *
 * Where the rubber-stamp figure starts: a reviewer answers a review page in Chromium, and the
 * Feedback Log's row in the same store keeps the time they spent on the page and the name they gave.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';

import { openHitlStore, type HitlStore } from '../../../nodes/shared/store';
import { baseDecision } from '../../unit/store/fixtures/decisions';
import { launchBrowser, PHONE } from '../approval/browser';
import { APPROVAL_NODE, draftItem, OUTPUT_NODES, reviewWorkflow } from '../approval/workflows';
import { N8nServer, outputItems, type WorkflowFile } from '../n8nServer';

const TEMPLATE = path.resolve(__dirname, '../../../templates/weekly-oversight-report.json');

/** The approval e2e's review flow (Webhook → Split Out → Human Approval Wait, shared link), every outcome into a Feedback Log. */
const reviewAndLog: WorkflowFile = (() => {
	const base = reviewWorkflow('hitlE2eReviewLog1', 'hitl-e2e-review-log', { reviewerMode: 'link' });
	const log = { id: 'rl-log', name: 'Log decision', type: 'n8n-nodes-hitl.feedbackLog', typeVersion: 1, position: [900, 0], parameters: { operation: 'record' } };
	return {
		...base,
		nodes: [...(base.nodes as { name: string }[]).filter((node) => !(OUTPUT_NODES as readonly string[]).includes(node.name)), log],
		connections: { ...base.connections, [APPROVAL_NODE]: { main: OUTPUT_NODES.map(() => [{ node: 'Log decision', type: 'main', index: 0 }]) } },
	};
})();

/** Two pending reviews with a respond-within target, as Human Approval Wait with Record in Store leaves them. */
async function seedSlaReviews(store: HitlStore) {
	const requested = (hoursAgo: number) => Date.now() - hoursAgo * 3_600_000;
	const iso = (ms: number) => new Date(ms).toISOString();
	const review = (executionId: string, requestedMs: number, targetMinutes: number) => ({
		executionId,
		nodeName: 'Human review',
		nodeId: 'sla-review',
		workflowId: 'support',
		title: 'Review the reply',
		items: [{ caseId: `case-${executionId}`, summary: 'Refund please', reasons: ['LOW_CONFIDENCE'], riskFlags: [] }],
		requestedAt: iso(requestedMs),
		respondBy: iso(requestedMs + targetMinutes * 60_000),
		reviewerMode: 'named' as const,
		reviewers: [{ id: 'ana@example.com', name: 'Ana' }],
		priority: 2,
	});
	const answeredMs = requested(3);
	await store.pendingReviews.registerPendingReview(review('sla-1', answeredMs, 30));
	await store.appendAudit({ executionId: 'sla-1', nodeName: 'Human review', event: 'answered', actor: 'ana@example.com', at: iso(answeredMs + 4 * 60_000) });
	await store.pendingReviews.closePendingReview(
		{ executionId: 'sla-1', nodeName: 'Human review' },
		{ status: 'decided', at: iso(answeredMs + 4 * 60_000), decisions: ['approved'], decidedBy: ['Ana'] },
	);
	await store.pendingReviews.registerPendingReview(review('sla-2', requested(2), 10));
}

describe('template: weekly oversight report', () => {
	const template = JSON.parse(readFileSync(TEMPLATE, 'utf8')) as WorkflowFile;
	let n8n: N8nServer;

	beforeAll(async () => {
		n8n = await N8nServer.start({ workflows: [template, reviewAndLog] });
	}, 900_000);

	afterAll(async () => {
		await n8n?.stop();
	});

	test('needs no credential: every node is ready as imported', () => {
		expect((template.nodes as { credentials?: object }[]).filter((node) => node.credentials)).toEqual([]);
	});

	test('reports what the Feedback Log recorded in the embedded store, with readable figures and the charts in both bodies', async () => {
		// What a week of a support flow left in the store n8n's Feedback Log writes by default. No
		// LLM Draft had prices set, so no decision carries a cost.
		const store = await openHitlStore({ backend: 'embedded', filePath: path.join(n8n.userFolder, '.n8n', 'hitl.sqlite') });
		const recordedAt = new Date(Date.now() - 3_600_000).toISOString();
		const decision = (executionId: string, overrides: Parameters<typeof baseDecision>[0]) =>
			baseDecision({ executionId, recordedAt, costUsd: null, ...overrides });
		try {
			await store.recordDecisions([
				decision('e1', { route: 'auto', decision: 'auto', reviewers: [], requestedAt: null, decidedAt: null, timeToDecisionMs: null }),
				decision('e2', { decision: 'approved', timeToDecisionMs: 15_000 }),
				decision('e3', { decision: 'approved', timeToDecisionMs: 22_000, ruleIds: ['pii.phone'] }),
				decision('e4', { decision: 'edited', timeToDecisionMs: 600_000, ruleIds: ['pii.phone', 'disclosure.refundTerms'] }),
			]);
			// Two reviews Human Approval Wait opened with a Respond Within target: one answered after
			// 4 minutes of its 30, one still unanswered 2 hours into its 10 (overdue now).
			await seedSlaReviews(store);
		} finally {
			await store.close();
		}

		await n8n.executeWorkflow(template.id);
		const [latest] = n8n.listExecutions(template.id);
		const execution = await n8n.waitForExecution(template.id, ['success', 'error'], { executionId: latest.id });
		expect(execution.data.resultData.error?.message).toBeUndefined();

		const [report] = outputItems(execution, 'Send the report');
		expect(report.subject).toBe('HITL oversight: 4 decisions, 33.3% of reviewed drafts overridden');
		const lines = String(report.text).split('\n');
		expect(lines).toEqual(
			expect.arrayContaining([
				'Decisions: 4 — auto 25%, to a person 75%, blocked 0%',
				'Reviewed: 3 — overridden (edited or rejected) 33.3%, rejected 0%',
				// 22 s is not "0 min"
				'Time to decision: median 22 s, 90th percentile 10 min (3 answered)',
				// the SLA line: 1 of 2 judged reviews in time, with its Wilson bounds (z = 1.645 each side)
				'Review SLA: answered within target 50 % (1 of 2; one-sided 95 % bounds 12 %–88 %); ' +
					'first answer median 4 min, 90th percentile 4 min (1 answered); 1 overdue now',
				'Rules that fired most: pii.phone (2), disclosure.refundTerms (1)',
				// no prices set: say so and say where, instead of "0.00 USD"
				"LLM cost: not measured: no decision carried a price — set LLM Draft's Options → Input / Output Price per 1M Tokens (USD) to track it",
				'Threshold (last 30 days of reviews): Only 3 labelled decisions; at least 100 are needed before recommending a threshold.',
			]),
		);
		// the calibration error with the scale to read it against (three drafts at 0.8: 2 approved, 1 edited)
		expect(lines).toContain(
			'Calibration (last 30 days, 3 reviewed drafts): expected calibration error 0.133 — fair: read the threshold with care ' +
				'(confidence is off from the approval rate by 13.3 points on average; 0 is perfect, under 0.05 good, over 0.15 poor; ' +
				'from only 3 reviewed drafts, so a rough figure)',
		);
		// the charts in the text body, each bar with its count
		expect(lines).toEqual(
			expect.arrayContaining([
				'Reliability: share approved unchanged per confidence band',
				'80–90%         3  █████████████▍        67%',
				'Override rate (edited or rejected) over time',
				expect.stringMatching(/^\d{4}-\d{2}-\d{2}        3  ██████▋               33%$/),
				'Reviews answered within target',
				'all             2  ██████████            50% (12%–88%)',
			]),
		);
		// and in the HTML body as tables a mail client shows, with the counts
		const html = String(report.html);
		expect(html).toContain('<div>Decisions: 4 — auto 25%, to a person 75%, blocked 0%</div>');
		expect(html).toMatch(/<td[^>]*>80–90%<\/td><td[^>]*>3<\/td>.*?<td[^>]*>67%<\/td>/);
		expect(html).not.toContain('<svg');

		// the SVG files still ride along for the mail node that replaces "Send the report"
		const runs = execution.data.resultData.runData['Send the report'] as unknown as { data: { main: { binary?: Record<string, { mimeType: string }> }[][] } }[];
		const binary = runs[0].data.main[0][0].binary!;
		expect(Object.keys(binary).sort()).toEqual(['overrideRateChart', 'reliabilityDiagram', 'slaChart']);
		expect(binary.overrideRateChart.mimeType).toBe('image/svg+xml');
	});

	test('a review answered in Chromium through a shared link: the store row keeps the time on the page and the name given', async () => {
		const response = await n8n.callWebhook('hitl-e2e-review-log', { items: [draftItem('Your refund of 89.90 EUR is on its way.')] });
		expect(response.status).toBe(200);
		const { reviewUrl, executionId } = (await response.json()) as { reviewUrl: string; executionId: string };
		// the link works once the execution waits
		await n8n.waitForExecution(reviewAndLog.id, ['waiting'], { executionId: String(executionId) });

		const browser = await launchBrowser();
		try {
			const context = await browser.newContext({ ...PHONE });
			const page = await context.newPage();
			await page.goto(reviewUrl);
			await page.getByLabel('Your name').fill('Rita Reviewer');
			await Promise.all([page.waitForURL(() => true, { waitUntil: 'load' }), page.getByRole('button', { name: 'Approve', exact: true }).click()]);
			await page.getByRole('status').waitFor();
		} finally {
			await browser.close();
		}
		const finished = await n8n.waitForExecution(reviewAndLog.id, ['success', 'error'], { executionId: String(executionId) });
		expect(finished.data.resultData.error?.message).toBeUndefined();
		const [logged] = outputItems(finished, 'Log decision');
		const loggedId = (logged.hitl as { logged: { id: string } }).logged.id;

		const db = new DatabaseSync(path.join(n8n.userFolder, '.n8n', 'hitl.sqlite'), { readOnly: true });
		try {
			const row = db.prepare('SELECT requested_at, reviewers FROM hitl_decisions WHERE id = ?').get(Number(loggedId)) as { requested_at: string; reviewers: string };
			const [answer] = JSON.parse(row.reviewers) as { id: string; name: string; decision: string; at: string; timeOnPageMs?: number }[];
			expect(answer).toMatchObject({ id: 'link:rita reviewer', name: 'Rita Reviewer', decision: 'approved' });
			// measured on the page: present, and no longer than the time since the review was requested
			expect(answer.timeOnPageMs).toEqual(expect.any(Number));
			expect(answer.timeOnPageMs).toBeGreaterThanOrEqual(0);
			expect(answer.timeOnPageMs).toBeLessThanOrEqual(Date.parse(answer.at) - Date.parse(row.requested_at));
		} finally {
			db.close();
		}
	});
});
