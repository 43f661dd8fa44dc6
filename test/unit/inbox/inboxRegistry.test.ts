/**
 * The Review Inbox registry (issue 11 defect 5 on the default path): an activated inbox registers
 * its production URL in the store's shared states, a Human Approval Wait without "Review Inbox
 * URL" uses the latest one, deactivation removes only its own. Real embedded store; the node's
 * activation hooks are called as n8n calls them (checkExists, then create; delete).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { IHookFunctions } from 'n8n-workflow';

import { ReviewInbox } from '../../../nodes/ReviewInbox/ReviewInbox.node';
import { serveInbox } from '../../../nodes/ReviewInbox/serveInbox';
import { INBOX_REGISTRY_KEY, isInboxRegistered, registerInbox, registeredInboxUrl, unregisterInbox } from '../../../nodes/shared/reviewInboxLinks';
import { closeSharedHitlStores, openHitlStore, sharedHitlStore, type HitlStore } from '../../../nodes/shared/store';

const A = 'http://n8n.test/webhook/review-inbox';
const B = 'http://n8n.test/webhook/team-b-inbox';
const entry = (url: string, minute: number) => ({ url, workflowId: 'wf', nodeName: 'Review Inbox', registeredAt: `2026-12-02T09:0${minute}:00.000Z` });

describe('Review Inbox registry in the store', () => {
	let folder: string;
	let store: HitlStore;

	beforeEach(async () => {
		folder = mkdtempSync(join(tmpdir(), 'hitl-inbox-registry-'));
		store = await openHitlStore({ backend: 'embedded', filePath: join(folder, 'hitl.sqlite') });
	});
	afterEach(async () => {
		await store.close();
		rmSync(folder, { recursive: true, force: true });
	});

	test('no inbox registered: no URL, so reviews link straight to the review page', async () => {
		await expect(registeredInboxUrl(store)).resolves.toBeUndefined();
		await expect(isInboxRegistered(store, A)).resolves.toBe(false);
	});

	test('the latest registration wins; deactivating it falls back to the other, then to none', async () => {
		await registerInbox(store, entry(A, 1));
		await registerInbox(store, entry(B, 2));
		await expect(registeredInboxUrl(store)).resolves.toBe(B);
		// re-activating A (n8n restart, workflow saved) makes it the latest again, without duplicates
		await registerInbox(store, entry(A, 3));
		expect(((await store.getGateState(INBOX_REGISTRY_KEY))!.state as { inboxes: unknown[] }).inboxes).toHaveLength(2);
		await expect(registeredInboxUrl(store)).resolves.toBe(A);
		await unregisterInbox(store, A);
		await expect(registeredInboxUrl(store)).resolves.toBe(B);
		await expect(isInboxRegistered(store, A)).resolves.toBe(false);
		await unregisterInbox(store, B);
		await expect(registeredInboxUrl(store)).resolves.toBeUndefined();
	});

	test('two inboxes activated at once both stay registered (compare-and-set)', async () => {
		const other = await openHitlStore({ backend: 'embedded', filePath: join(folder, 'hitl.sqlite') });
		try {
			await Promise.all([registerInbox(store, entry(A, 1)), registerInbox(other, entry(B, 2))]);
		} finally {
			await other.close();
		}
		await expect(isInboxRegistered(store, A)).resolves.toBe(true);
		await expect(isInboxRegistered(store, B)).resolves.toBe(true);
	});

	test('a garbled registry state is read as empty, and the next registration repairs it', async () => {
		await store.putGateState(INBOX_REGISTRY_KEY, { inboxes: [{ url: 'javascript:alert(1)' }, 7] }, 0);
		await expect(registeredInboxUrl(store)).resolves.toBeUndefined();
		await registerInbox(store, entry(A, 1));
		await expect(registeredInboxUrl(store)).resolves.toBe(A);
	});
});

describe('Review Inbox node: activation registers, deactivation unregisters', () => {
	let folder: string;
	const previousUserFolder = process.env.N8N_USER_FOLDER;

	beforeAll(() => {
		folder = mkdtempSync(join(tmpdir(), 'hitl-inbox-hooks-'));
		// The node's default store: the embedded file in the n8n user folder.
		process.env.N8N_USER_FOLDER = folder;
	});
	afterAll(async () => {
		await closeSharedHitlStores();
		if (previousUserFolder === undefined) delete process.env.N8N_USER_FOLDER;
		else process.env.N8N_USER_FOLDER = previousUserFolder;
		rmSync(folder, { recursive: true, force: true });
	});

	/** As n8n hands the hooks their context; by default a personal inbox with its review secret. */
	function hookContext(mode: 'trigger' | 'manual', url: string, { access = 'personal', secret = true } = {}): IHookFunctions {
		const node = { id: 'inbox-1', name: 'Review Inbox', type: 'n8n-nodes-hitl.reviewInbox', typeVersion: 1, position: [0, 0], parameters: { access } };
		return {
			getActivationMode: () => (mode === 'manual' ? 'manual' : 'activate'),
			getMode: () => mode,
			getNodeWebhookUrl: () => url,
			getNode: () => node,
			getNodeParameter: (name: string, fallback: unknown) => (node.parameters as Record<string, unknown>)[name] ?? fallback,
			getCredentials: async () => {
				if (!secret) throw new Error('Node does not require credentials');
				return { secret: 'x'.repeat(32) };
			},
			getWorkflow: () => ({ id: 'wf-inbox', name: 'Review inbox', active: true }),
		} as unknown as IHookFunctions;
	}

	test('as n8n activates and deactivates the workflow', async () => {
		const methods = new ReviewInbox().webhookMethods.default;
		const context = hookContext('trigger', A);
		const store = await sharedHitlStore({ backend: 'embedded', filePath: join(folder, '.n8n', 'hitl.sqlite') });
		await expect(methods.checkExists.call(context)).resolves.toBe(false);
		await expect(methods.create.call(context)).resolves.toBe(true);
		await expect(methods.checkExists.call(context)).resolves.toBe(true);
		await expect(registeredInboxUrl(store)).resolves.toBe(A);
		await methods.delete.call(context);
		await expect(registeredInboxUrl(store)).resolves.toBeUndefined();
	});

	test('"Listen for test event" registers nothing: its test URL lives only while listening', async () => {
		const methods = new ReviewInbox().webhookMethods.default;
		const context = hookContext('manual', 'http://n8n.test/webhook-test/review-inbox');
		await expect(methods.checkExists.call(context)).resolves.toBe(true);
		await methods.create.call(context);
		const store = await sharedHitlStore({ backend: 'embedded', filePath: join(folder, '.n8n', 'hitl.sqlite') });
		await expect(registeredInboxUrl(store)).resolves.toBeUndefined();
	});

	test('a personal inbox without the HITL Review Secret is refused at activation, saying what to set; a shared one is not', async () => {
		const methods = new ReviewInbox().webhookMethods.default;
		const url = 'http://n8n.test/webhook/inbox-no-secret';
		await expect(methods.create.call(hookContext('trigger', url, { secret: false }))).rejects.toThrow(
			'Personal inbox links need the HITL Review Secret credential',
		);
		const store = await sharedHitlStore({ backend: 'embedded', filePath: join(folder, '.n8n', 'hitl.sqlite') });
		await expect(isInboxRegistered(store, url)).resolves.toBe(false);
		await expect(methods.create.call(hookContext('trigger', url, { access: 'shared', secret: false }))).resolves.toBe(true);
		await expect(isInboxRegistered(store, url)).resolves.toBe(true);
		await methods.delete.call(hookContext('trigger', url, { access: 'shared', secret: false }));
	});
});

describe('a link through the inbox opened before the review waits', () => {
	test('is told the review is not open yet (409), not that the link is invalid', async () => {
		const folder = mkdtempSync(join(tmpdir(), 'hitl-inbox-early-'));
		const store = await openHitlStore({ backend: 'embedded', filePath: join(folder, 'hitl.sqlite') });
		try {
			const settings = { title: 'Review inbox', inboxUrl: A, path: 'review-inbox', nodeName: 'Review Inbox', access: 'shared' as const, claimMinutes: 15, pageSize: 50 };
			const query = { execution: '41', node: 'Human review', signature: 'token-41' };
			const answer = await serveInbox(store, settings, { method: 'GET', query, now: '2026-12-02T09:00:00.000Z' });
			expect(answer.status).toBe(409);
			expect('html' in answer && answer.html).toContain('This review is not open yet');
			// an answer posted to an unknown review is still refused
			const posted = await serveInbox(store, settings, { method: 'POST', query: {}, body: { ...query, inboxAction: 'answer' }, now: '2026-12-02T09:00:00.000Z' });
			expect(posted.status).toBe(403);
		} finally {
			await store.close();
			rmSync(folder, { recursive: true, force: true });
		}
	});
});
