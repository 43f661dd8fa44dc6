/**
 * The Metrics report's SLA figures (issue 15 item 4) over the compiled nodes and a real SQLite
 * store: four reviews opened by Human Approval Wait with a respond-within target, two answered
 * through the reviewers' personal links by its real webhook() (one in time, one after the target),
 * one left past its target (the Review SLA Trigger emits "overdue" for it), one still inside it.
 * Every SLA figure of the Feedback Log's Metrics output is checked against the store's own rows,
 * read here with plain SQL.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import type { IBinaryData, IDataObject } from 'n8n-workflow';

import { personalLink, signReviewer } from '../../../nodes/shared/reviewSignatures';
import { closeSharedHitlStores } from '../../../nodes/shared/store';
import { callReviewWebhook } from '../approval/resumeWebhook';
import { oneNodeWorkflow, pollTrigger, runWorkflow } from '../harness';
import { APPROVAL_NODE, approvalWorkflow, REVIEW_SECRET, reviewItem, slaTriggerWorkflow } from '../sla/slaWorkflows';

jest.setTimeout(120_000);

const NODE = APPROVAL_NODE;
const NODE_ID = 'sla-metrics-haw-0001';
const SECRET = REVIEW_SECRET;
const LOG = 'Feedback Log';

const approval = approvalWorkflow(NODE_ID, { respondWithinMinutes: '={{ $json.minutes }}' });
const slaTrigger = slaTriggerWorkflow();
const item = reviewItem;

const decode = (binary: IBinaryData) => Buffer.from(binary.data, 'base64').toString('utf8');
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('Feedback Log Metrics: the review-SLA figures', () => {
	let folder: string;
	let filePath: string;
	let credentials: Record<string, Record<string, string>>;

	beforeEach(() => {
		folder = mkdtempSync(path.join(tmpdir(), 'hitl-sla-metrics-'));
		filePath = path.join(folder, 'hitl.sqlite');
		credentials = { hitlReviewSecretApi: { secret: SECRET }, hitlStore: { backend: 'embedded', filePath } };
	});
	afterEach(async () => {
		await closeSharedHitlStores();
		rmSync(folder, { recursive: true, force: true });
	});

	function rows(sql: string): Record<string, unknown>[] {
		// eslint-disable-next-line @typescript-eslint/no-require-imports -- node:sqlite, as the store loads it
		const { DatabaseSync } = require('node:sqlite') as typeof import('node:sqlite');
		const db = new DatabaseSync(filePath);
		try {
			return db.prepare(sql).all() as Record<string, unknown>[];
		} finally {
			db.close();
		}
	}

	async function openReview(executionId: string, minutes: number) {
		const run = await runWorkflow(approval, { input: [item(`case-${executionId}`, minutes)], executionId, credentials });
		expect(run.status).toBe('waiting');
		return run.run;
	}

	async function approveAs(executionId: string, run: Awaited<ReturnType<typeof openReview>>, reviewerId: string) {
		const url = new URL(
			personalLink(`http://localhost:5678/form-waiting/${executionId}?signature=tok`, reviewerId, signReviewer(SECRET, { executionId, nodeId: NODE_ID, reviewerId })),
		);
		const query = Object.fromEntries(url.searchParams);
		const page = await callReviewWebhook(approval, run, NODE, { method: 'GET', query, executionId }, credentials);
		const token = page.response.body.match(/name="token" value="([^"]+)"/)![1];
		const answer = await callReviewWebhook(approval, run, NODE, { method: 'POST', query, executionId, body: { token, action: 'approve', text_0: 'We will refund you.' } }, credentials);
		expect(answer.response.statusCode).toBe(200);
	}

	test('share within target, times, overdue now, per priority and per reviewer equal what the rows say', async () => {
		const inTime = await openReview('801', 30);
		const late = await openReview('802', 0.0001); // a 6 ms target: passed before anyone answers
		await openReview('803', 0.0001); // left unanswered past its target
		await openReview('804', 30); // unanswered, still inside its target
		await pause(20);
		await approveAs('801', inTime, 'ann@example.com');
		await approveAs('802', late, 'bob@example.com');
		const polled = await pollTrigger(slaTrigger, 'Review SLA Trigger', { credentials });
		expect(polled?.[0].map((notice) => [notice.json.executionId, notice.json.step])).toEqual([['803', 'overdue']]);

		const metricsRun = await runWorkflow(
			oneNodeWorkflow(LOG, 'n8n-nodes-hitl.feedbackLog', {
				parameters: { operation: 'metrics', lastDays: 1, includeCharts: true },
				credentials: { hitlStore: { id: 'store', name: 'HITL Store' } },
			}),
			{ credentials, executionId: '810' },
		);
		expect(metricsRun.error).toBeUndefined();
		const [report] = metricsRun.output(LOG);
		const sla = report.json.sla as IDataObject & Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- plain JSON

		// What the store holds, read with plain SQL.
		const reviews = rows('SELECT execution_id, requested_ms, respond_by_ms, status, closed_ms, priority FROM hitl_pending_reviews ORDER BY execution_id');
		const answers = rows("SELECT execution_id, actor, at_ms FROM hitl_audit WHERE event = 'answered' ORDER BY execution_id");
		expect(reviews.map((row) => [row.execution_id, row.status])).toEqual([
			['801', 'decided'],
			['802', 'decided'],
			['803', 'pending'],
			['804', 'pending'],
		]);
		expect(answers.map((row) => [row.execution_id, row.actor])).toEqual([
			['801', 'ann@example.com'],
			['802', 'bob@example.com'],
		]);
		const review = (id: string) => reviews.find((row) => row.execution_id === id)!;
		const answerAt = (id: string) => Number(answers.find((row) => row.execution_id === id)!.at_ms);
		expect(answerAt('801')).toBeLessThanOrEqual(Number(review('801').respond_by_ms));
		expect(answerAt('802')).toBeGreaterThan(Number(review('802').respond_by_ms));
		const firstAnswer = ['801', '802'].map((id) => answerAt(id) - Number(review(id).requested_ms)).sort((a, b) => a - b);
		const decision = ['801', '802'].map((id) => Number(review(id).closed_ms) - Number(review(id).requested_ms)).sort((a, b) => a - b);

		expect(sla).toMatchObject({
			reviews: 4,
			withTarget: 4,
			withinTarget: { judged: 3, met: 1, missed: 2, open: 1, share: 1 / 3 },
			// nearest rank of two values: the median is the smaller, the 90th percentile the larger
			timeToFirstAnswer: { count: 2, p50Ms: firstAnswer[0], p90Ms: firstAnswer[1] },
			timeToDecision: { count: 2, p50Ms: decision[0], p90Ms: decision[1] },
			overdueNow: 1,
			steps: { reminder: 0, overdue: 1, escalated: 0 },
		});
		expect(sla.withinTarget.lowerBound).toBeGreaterThan(0);
		expect(sla.withinTarget.upperBound).toBeLessThan(1);
		expect(sla.byPriority).toEqual([expect.objectContaining({ priority: Number(review('801').priority), reviews: 4, overdueNow: 1 })]);
		expect(sla.byReviewer).toEqual([
			expect.objectContaining({ reviewerId: 'ann@example.com', name: 'Ann', answered: 1, withinTarget: expect.objectContaining({ met: 1, missed: 0 }), overdueNow: 1 }),
			expect.objectContaining({ reviewerId: 'bob@example.com', name: 'Bob', answered: 1, withinTarget: expect.objectContaining({ met: 0, missed: 1 }), overdueNow: 1 }),
		]);

		const summary = report.json.summary as { sla: { line: string; withinTarget: string } };
		expect(summary.sla.withinTarget).toMatch(/^33 % \(1 of 3; one-sided 95 % bounds \d+ %–\d+ %; 1 still inside the target not counted\)$/);
		expect(summary.sla.line).toContain('1 overdue now');
		const charts = report.json.charts as { text: string; html: string };
		expect(charts.text).toContain('Reviews answered within target');
		expect(charts.html).toContain('within target');
		expect(report.binary?.slaChart.mimeType).toBe('image/svg+xml');
		expect(decode(report.binary!.slaChart)).toMatch(/^<svg[\s\S]*n=3[\s\S]*<\/svg>$/);
	});
});
