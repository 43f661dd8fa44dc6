/**
 * A review page's store: webhook() reads the HITL Store credential once per credential and
 * STORE_CREDENTIAL_REUSE_MS in a process (a credential read in a waiting webhook costs n8n a new V8
 * isolate), execute() every time; an edited credential takes effect once that time has passed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { IExecuteFunctions, IWebhookFunctions } from 'n8n-workflow';

import { openReviewStore, STORE_CREDENTIAL_REUSE_MS } from '../../../nodes/HumanApprovalWait/reviewSession';
import type { ApprovalSettings } from '../../../nodes/HumanApprovalWait/readSettings';
import { closeSharedHitlStores } from '../../../nodes/shared/store';

const settings = { useStore: true } as ApprovalSettings;

describe('the review page reuses the store credential it read', () => {
	let folder: string;
	let credential: { backend: string; filePath: string };
	let reads: number;

	/** n8n's side of a request: the node's credential reference and the credential's current data. */
	function context(kind: 'webhook' | 'execute', credentialId: string): IWebhookFunctions & IExecuteFunctions {
		return {
			getNode: () => ({ id: 'n1', name: 'Human Approval', credentials: { hitlStore: { id: credentialId, name: 'HITL store' } } }),
			getCredentials: async () => {
				reads++;
				return { ...credential };
			},
			...(kind === 'webhook' ? { getRequestObject: () => ({}) } : {}),
		} as unknown as IWebhookFunctions & IExecuteFunctions;
	}

	beforeEach(() => {
		folder = mkdtempSync(path.join(tmpdir(), 'hitl-reuse-'));
		credential = { backend: 'embedded', filePath: path.join(folder, 'first.sqlite') };
		reads = 0;
	});
	afterEach(async () => {
		jest.restoreAllMocks();
		await closeSharedHitlStores();
		rmSync(folder, { recursive: true, force: true });
	});

	it('reads the credential once per credential in a webhook, every time in execute()', async () => {
		const first = await openReviewStore(context('webhook', 'reuse-a'), settings);
		const again = await openReviewStore(context('webhook', 'reuse-a'), settings);
		expect(again).toBe(first);
		expect(reads).toBe(1);

		await openReviewStore(context('webhook', 'reuse-b'), settings); // another credential
		expect(reads).toBe(2);

		await openReviewStore(context('execute', 'reuse-a'), settings);
		await openReviewStore(context('execute', 'reuse-a'), settings);
		expect(reads).toBe(4);
	});

	it('takes an edited credential once the reuse time has passed', async () => {
		const now = Date.now();
		const clock = jest.spyOn(Date, 'now').mockReturnValue(now);
		const first = await openReviewStore(context('webhook', 'reuse-c'), settings);
		expect(first!.location).toContain('first.sqlite');

		credential = { backend: 'embedded', filePath: path.join(folder, 'second.sqlite') };
		clock.mockReturnValue(now + STORE_CREDENTIAL_REUSE_MS - 1);
		expect((await openReviewStore(context('webhook', 'reuse-c'), settings))!.location).toContain('first.sqlite');

		clock.mockReturnValue(now + STORE_CREDENTIAL_REUSE_MS + 1);
		expect((await openReviewStore(context('webhook', 'reuse-c'), settings))!.location).toContain('second.sqlite');
		expect(reads).toBe(2);
	});

	it('opens nothing without "Record in Store"', async () => {
		expect(await openReviewStore(context('webhook', 'reuse-d'), { useStore: false } as ApprovalSettings)).toBeUndefined();
		expect(reads).toBe(0);
	});
});
