/**
 * From the review page to the store row: Human Approval Wait's real webhook() answers a review
 * posted through a shared link (Anyone With the Link), the items it resumes with go through a
 * Feedback Log into a real embedded store, and the store's row and the Metrics figures show the
 * time the reviewer spent on the page and the name they gave.
 *
 * The two workflows run one after the other here (the harness does not resume a waiting execution
 * into its downstream nodes); the e2e tier runs the same chain in one workflow in a real n8n, with
 * Chromium answering the page (test/e2e/templates/weeklyReport.e2e.test.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { IDataObject, INodeExecutionData, INodeParameters, IRun } from 'n8n-workflow';

import { oneNodeWorkflow, runWorkflow, type WorkflowJson } from '../harness';
import { callReviewWebhook } from '../approval/resumeWebhook';

jest.setTimeout(120_000);

const APPROVAL = 'Human Approval';
const LOG = 'Feedback Log';
const HOUR_MS = 3_600_000;

const approvalWorkflow: WorkflowJson = oneNodeWorkflow(APPROVAL, 'n8n-nodes-hitl.humanApprovalWait', {
	id: '5b0c3f9e-7a0e-4a59-9a43-approval0002',
	parameters: { notify: 'none', reviewerMode: 'link', deadlineMode: 'none' },
});

function draftItem(caseId: string): IDataObject {
	return {
		message: 'Where is my refund?',
		hitl: {
			caseId,
			draft: {
				text: 'Your refund left today.',
				model: 'gpt-test',
				confidence: { score: 0.6, method: 'verbalized', signals: {} },
				riskFlags: [],
				usage: { promptTokens: 1, completionTokens: 1 },
				latencyMs: 1,
			},
			gate: { route: 'review', reasons: [], threshold: 0.8, sampledForAudit: false, shadow: false, breakerOpen: false },
		},
	};
}

/** The review as n8n keeps it after the link sat in an inbox for an hour: requested an hour ago. */
function requestedAnHourAgo(run: IRun): IRun {
	const copy = structuredClone(run);
	const metadata = copy.data.resultData.metadata as Record<string, string>;
	for (const [key, value] of Object.entries(metadata)) {
		const times = JSON.parse(value) as { r: string };
		metadata[key] = JSON.stringify({ ...times, r: new Date(Date.now() - HOUR_MS).toISOString() });
	}
	return copy;
}

/** One review through the shared link: open the page, answer it `pageSeconds` after it was shown. */
async function answerReview(executionId: string, caseId: string, reviewerName: string, pageSeconds: number): Promise<INodeExecutionData> {
	const waiting = await runWorkflow(approvalWorkflow, { input: [draftItem(caseId)], executionId });
	expect(waiting.status).toBe('waiting');
	const run = requestedAnHourAgo(waiting.run);
	const page = await callReviewWebhook(approvalWorkflow, run, APPROVAL, { method: 'GET', executionId });
	expect(page.response.body).toContain('name="reviewerName"');
	const token = page.response.body.match(/name="token" value="([^"]+)"/)![1];
	// The page's own render time, as the form carries it back, moved back by the seconds read.
	const shownAt = new Date(Date.now() - pageSeconds * 1000).toISOString();
	const { result, response } = await callReviewWebhook(approvalWorkflow, run, APPROVAL, {
		method: 'POST',
		executionId,
		body: { token, shownAt, action: 'approve', reviewerName, text_0: 'Your refund left today.' },
	});
	expect(response.statusCode).toBe(200);
	const [approved] = (result.workflowData as INodeExecutionData[][])[1];
	return approved;
}

describe('review page → Feedback Log → store row', () => {
	let dir: string;
	let filePath: string;

	beforeEach(() => {
		dir = mkdtempSync(join(tmpdir(), 'hitl-review-store-'));
		filePath = join(dir, 'hitl.sqlite');
	});
	afterEach(() => rmSync(dir, { recursive: true, force: true }));

	function storeRows(sql: string): Record<string, unknown>[] {
		// eslint-disable-next-line @typescript-eslint/no-require-imports -- node:sqlite, as the store loads it
		const { DatabaseSync } = require('node:sqlite') as typeof import('node:sqlite');
		const db = new DatabaseSync(filePath);
		try {
			return db.prepare(sql).all() as Record<string, unknown>[];
		} finally {
			db.close();
		}
	}

	test('the time on the page reaches page_ms, and shared-link reviewers are told apart by the name they gave', async () => {
		// Rita approves 1 s after the page appeared, Sam after reading for 2 minutes; both links
		// waited an hour in an inbox first.
		const rita = await answerReview('301', 'case-rita', 'Rita Reviewer', 1);
		const sam = await answerReview('302', 'case-sam', 'Sam', 120);

		const credentials = { hitlStore: { backend: 'embedded', filePath } };
		const log = (parameters: INodeParameters) =>
			oneNodeWorkflow(LOG, 'n8n-nodes-hitl.feedbackLog', { parameters, credentials: { hitlStore: { id: 'store', name: 'HITL Store' } } });
		const recorded = await runWorkflow(log({ operation: 'record' }), { input: [rita, sam], credentials, executionId: '303' });
		expect(recorded.error).toBeUndefined();

		// one answer per decision, as its reviewers column holds it
		const rows = storeRows(
			`SELECT d.case_id, r.value ->> '$.id' AS reviewer_id, r.value ->> '$.name' AS reviewer_name, r.value ->> '$.timeOnPageMs' AS page_ms,
			        d.requested_at, r.value ->> '$.at' AS answered_at
			 FROM hitl_decisions d JOIN json_each(d.reviewers) r ORDER BY d.case_id`,
		);
		expect(rows.map((row) => [row.case_id, row.reviewer_id, row.reviewer_name])).toEqual([
			['case-rita', 'link:rita reviewer', 'Rita Reviewer'],
			['case-sam', 'link:sam', 'Sam'],
		]);
		const [ritaRow, samRow] = rows;
		// the page's clock, not the hour since the request
		expect(Number(ritaRow.page_ms)).toBeGreaterThanOrEqual(1000);
		expect(Number(ritaRow.page_ms)).toBeLessThan(60_000);
		expect(Number(samRow.page_ms)).toBeGreaterThanOrEqual(120_000);
		expect(Date.parse(String(ritaRow.answered_at)) - Date.parse(String(ritaRow.requested_at))).toBeGreaterThanOrEqual(HOUR_MS);

		// What the admin reads: Rita's approval after a second is a rubber stamp although the
		// request is an hour old; Sam's is not; each is a reviewer of their own, by a name nobody checked.
		const metrics = await runWorkflow(log({ operation: 'metrics', lastDays: 1, rubberStampSeconds: 60 }), { credentials, executionId: '304' });
		expect(metrics.error).toBeUndefined();
		const [report] = metrics.output(LOG);
		expect(report.json.reviewers).toEqual([
			expect.objectContaining({ reviewerId: 'link:rita reviewer', reviewerName: 'Rita Reviewer', approvals: 1, fastApprovals: 1, rubberStamp: true, nameSelfDeclared: true }),
			expect.objectContaining({ reviewerId: 'link:sam', reviewerName: 'Sam', approvals: 1, fastApprovals: 0, rubberStamp: false, nameSelfDeclared: true }),
		]);
	});
});
