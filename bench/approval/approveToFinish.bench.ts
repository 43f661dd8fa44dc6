/**
 * Time from "pressing Approve" to the execution having finished, in one real n8n:
 * - Human Approval Wait: the review form POST (what the Approve button sends) to
 *   $execution.resumeFormUrl;
 * - baseline, n8n's own Wait node resumed by its form ("On Form Submitted"): the form POST
 *   n8n's page sends (multipart, one field) to its $execution.resumeFormUrl.
 * Both workflows are Webhook → Respond (the resume URL) → the waiting node → No Op, run
 * interleaved, so load on the machine affects both alike. The clock stops at n8n's own
 * `stoppedAt` of the execution (same machine clock, millisecond resolution in SQLite).
 *
 * Prints the median, p90 and the ratio of medians (Human Approval Wait / Wait).
 * Run: npm run build && npx jest -c bench/approval/jest.config.js
 */
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';

import { N8nServer } from '../../test/e2e/n8nServer';
import { draftItem, linkReview, waitFormWorkflow } from '../../test/e2e/approval/workflows';
import { percentile } from '../shared/stats';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 20);

/** n8n's Wait node (form), posted the same body as the review: the same items in both executions. */
const waitBaseline = waitFormWorkflow('hitlBenchWaitForm', 'hitl-bench-wait', 'HITL bench: n8n Wait (form)');
const BODY = { items: [draftItem('Your refund was sent.')] };

function stoppedAt(server: N8nServer, executionId: string): number | undefined {
	const db = new DatabaseSync(path.join(server.userFolder, '.n8n', 'database.sqlite'), { readOnly: true });
	try {
		const row = db.prepare('SELECT status, stoppedAt FROM execution_entity WHERE id = ?').get(executionId) as
			| { status: string; stoppedAt: string | null }
			| undefined;
		if (!row || row.status !== 'success' || !row.stoppedAt) return undefined;
		return new Date(`${row.stoppedAt.replace(' ', 'T')}Z`).getTime();
	} finally {
		db.close();
	}
}

async function start(server: N8nServer, webhookPath: string, body: unknown): Promise<{ reviewUrl: string; executionId: string }> {
	const response = await server.callWebhook(webhookPath, body);
	const { reviewUrl, executionId } = (await response.json()) as { reviewUrl: string; executionId: string };
	await server.waitForExecution(webhookPath === 'hitl-bench-wait' ? waitBaseline.id : linkReview.id, ['waiting'], {
		executionId: String(executionId),
	});
	return { reviewUrl, executionId: String(executionId) };
}

async function untilFinished(server: N8nServer, executionId: string): Promise<number> {
	for (let tries = 0; tries < 3000; tries++) {
		const at = stoppedAt(server, executionId);
		if (at !== undefined) return at;
		await new Promise((resolve) => setTimeout(resolve, 10));
	}
	throw new Error(`Execution ${executionId} did not finish`);
}

/** One Human Approval round: GET the page (a reviewer opens it), then time the Approve POST. */
async function approvalRound(server: N8nServer): Promise<number> {
	const { reviewUrl, executionId } = await start(server, 'hitl-e2e-review', BODY);
	const html = await (await fetch(reviewUrl)).text();
	const token = html.match(/name="token" value="([^"]+)"/)![1];
	const pressed = Date.now();
	const response = await fetch(reviewUrl, {
		method: 'POST',
		headers: { 'content-type': 'application/x-www-form-urlencoded' },
		body: new URLSearchParams({ token, action: 'approve', text_0: 'Your refund was sent.' }),
	});
	if (response.status !== 200) throw new Error(`Approve answered ${response.status}`);
	await response.text();
	return (await untilFinished(server, executionId)) - pressed;
}

/** One baseline round: GET n8n's form page, then time its form POST. */
async function waitRound(server: N8nServer): Promise<number> {
	const { reviewUrl, executionId } = await start(server, 'hitl-bench-wait', BODY);
	await (await fetch(reviewUrl)).text();
	const form = new FormData();
	form.set('field-0', 'approve');
	const pressed = Date.now();
	const response = await fetch(reviewUrl, { method: 'POST', body: form });
	if (response.status >= 400) throw new Error(`Wait form answered ${response.status}`);
	await response.text();
	return (await untilFinished(server, executionId)) - pressed;
}

test('approve-to-finished: Human Approval Wait vs n8n Wait (form)', async () => {
	const server = await N8nServer.start({ workflows: [linkReview, waitBaseline] });
	try {
		// Warm-up: first executions load node code and compile expressions.
		await approvalRound(server);
		await waitRound(server);
		const approval: number[] = [];
		const wait: number[] = [];
		for (let round = 0; round < ROUNDS; round++) {
			approval.push(await approvalRound(server));
			wait.push(await waitRound(server));
		}
		const row = (name: string, values: number[]) =>
			`${name.padEnd(28)} ${String(percentile(values, 50)).padStart(8)} ${String(percentile(values, 90)).padStart(8)}`;
		console.log(
			[
				`Approve pressed → execution finished, ${ROUNDS} rounds each, interleaved, same n8n 2.40.7 server`,
				`${'node'.padEnd(28)} ${'p50 ms'.padStart(8)} ${'p90 ms'.padStart(8)}`,
				row('Human Approval Wait (form)', approval),
				row('n8n Wait (On Form Submitted)', wait),
				`ratio of medians (Human Approval Wait / Wait): ${(percentile(approval, 50) / percentile(wait, 50)).toFixed(2)}`,
			].join('\n'),
		);
		expect(approval).toHaveLength(ROUNDS);
	} finally {
		await server.stop();
	}
});
