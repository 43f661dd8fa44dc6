/**
 * Human Approval Wait's "Respond Within" (issue 15) over the compiled node and a real SQLite store:
 * the target is stored with the pending review (the shortest over the items, from an expression),
 * 0 keeps today's behaviour (no target), a bad value names the item and the field; and a review
 * whose target has passed comes out of the Review SLA Trigger as "overdue" with the reviewers'
 * personal links — the same links Human Approval Wait handed out.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { closeSharedHitlStores, openHitlStore } from '../../../nodes/shared/store';
import { bareSignature, linkHash } from '../../../nodes/shared/reviewInboxLinks';
import { signReviewer } from '../../../nodes/shared/reviewSignatures';
import { pollTrigger, runWorkflow } from '../harness';
import { APPROVAL_NODE, approvalWorkflow, REVIEW_SECRET, reviewItem, slaTriggerWorkflow } from './slaWorkflows';

const NODE = APPROVAL_NODE;
const NODE_ID = 'sla-haw-0001';
const SECRET = REVIEW_SECRET;

const approval = (parameters: Record<string, unknown> = {}) => approvalWorkflow(NODE_ID, { customerMessageField: 'message', ...parameters });
const slaTrigger = slaTriggerWorkflow();
const item = reviewItem;

describe('Human Approval Wait: Respond Within', () => {
	let folder: string;
	let credentials: Record<string, Record<string, string>>;
	beforeEach(() => {
		folder = mkdtempSync(path.join(tmpdir(), 'hitl-sla-haw-'));
		credentials = { hitlReviewSecretApi: { secret: SECRET }, hitlStore: { backend: 'embedded', filePath: path.join(folder, 'hitl.sqlite') } };
	});
	afterEach(async () => {
		await closeSharedHitlStores();
		rmSync(folder, { recursive: true, force: true });
	});

	async function stored(executionId: string) {
		const store = await openHitlStore({ backend: 'embedded', filePath: credentials.hitlStore.filePath });
		try {
			return await store.pendingReviews.getPendingReview({ executionId, nodeName: NODE }, new Date().toISOString());
		} finally {
			await store.close();
		}
	}

	it('stores the shortest target over the items; 0 (the default) stores none', async () => {
		const run = await runWorkflow(approval({ respondWithinMinutes: '={{ $json.minutes }}' }), {
			input: [item('c-1', 30), item('c-2', 15)],
			executionId: '701',
			credentials,
		});
		expect(run.status).toBe('waiting');
		const review = await stored('701');
		expect(Date.parse(review!.respondBy!) - Date.parse(review!.requestedAt)).toBe(15 * 60_000);

		await runWorkflow(approval(), { input: [item('c-3', 5)], executionId: '702', credentials });
		const without = await stored('702');
		expect(without?.status).toBe('pending');
		expect(without?.respondBy).toBeUndefined();
	});

	it('a negative or non-numeric target names the item and the field', async () => {
		const bad = await runWorkflow(approval({ respondWithinMinutes: '={{ $json.minutes }}' }), {
			input: [item('c-1', 10), item('c-2', -5)],
			executionId: '703',
			credentials,
		});
		expect(bad.error?.message).toContain('Item 2: "Respond Within (Minutes)" is not a number of minutes');
	});

	it('a review past its target comes out of the Review SLA Trigger as overdue with the links Human Approval Wait handed out', async () => {
		// 0.0001 minutes = 6 ms: passed by the time the trigger polls.
		const run = await runWorkflow(approval({ respondWithinMinutes: 0.0001 }), { input: [item('c-1', 0)], executionId: '704', credentials });
		expect(run.status).toBe('waiting');
		const polled = await pollTrigger(slaTrigger, 'Review SLA Trigger', { credentials });
		const notice = polled?.[0][0].json as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- plain JSON
		expect(notice).toMatchObject({ executionId: '704', step: 'overdue', steps: ['overdue'] });
		const review = await stored('704');
		expect(notice.recipients.map((entry: { id: string }) => entry.id)).toEqual(['ann@example.com', 'bob@example.com']);
		for (const entry of notice.recipients as { id: string; url: string }[]) {
			const url = new URL(entry.url);
			// The execution's own token (its hash is what Human Approval Wait stored), the reviewer's signature.
			const signature = bareSignature(url.searchParams.get('signature') ?? '');
			expect(linkHash('704', signature)).toBe(review!.linkHash);
			expect(url.searchParams.get('rsig')).toBe(signReviewer(SECRET, { executionId: '704', nodeId: NODE_ID, reviewerId: entry.id }));
			expect(entry.url.startsWith(review!.resumeBase!.split('?')[0])).toBe(true);
		}
	});
});
