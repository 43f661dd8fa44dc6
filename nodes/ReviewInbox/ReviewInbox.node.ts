import {
	NodeConnectionTypes,
	NodeOperationError,
	type IHookFunctions,
	type INodeType,
	type INodeTypeDescription,
	type IWebhookFunctions,
	type IWebhookResponseData,
} from 'n8n-workflow';

import { MIN_REVIEW_SECRET_LENGTH } from '../shared/reviewSignatures';
import { hitlReviewSecretTest } from '../shared/reviewSecretTest';
import { hitlStoreTest } from '../shared/store/credentialTest';
import { isInboxRegistered, registerInbox, unregisterInbox } from '../shared/reviewInboxLinks';
import { openNodeStore } from '../shared/storeCredential';
import { checkExecution } from './checkExecution';
import { serveInbox, type InboxSettings } from './serveInbox';
import { HITL_REVIEW_SECRET_CREDENTIAL } from '../shared/credentialNames';


/**
 * The reviewers' queue: a trigger whose webhook serves the Review Inbox page for every pending
 * review of every workflow that records to the same HITL store. It starts no execution: each
 * request is answered by the node itself (the workflow is just this node, and active).
 */
export class ReviewInbox implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Review Inbox',
		name: 'reviewInbox',
		icon: { light: 'file:reviewInbox.svg', dark: 'file:reviewInbox.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{ $parameter["access"] === "shared" ? "shared inbox" : "personal inbox links" }}',
		description: "Serve the reviewers' queue: every pending review on the HITL store, by priority and time left, with claim and lock",
		defaults: { name: 'Review Inbox' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			// eslint-disable-next-line n8n-nodes-base/node-class-description-credentials-name-unsuffixed -- the store is a database, not an API (credentials/HitlStore.credentials.ts)
			{ name: 'hitlStore', required: false, testedBy: 'hitlStoreTest' },
			// Both modes: personal links are signed with it, and either inbox opens reviews from its rows
			// with it (their links are sealed under it). Not required: a shared inbox without it still
			// lists; a personal inbox without it is refused at activation, with what to set.
			{ name: 'hitlReviewSecretApi', required: false, testedBy: 'hitlReviewSecretTest' },
		],
		webhooks: [
			{ name: 'default', httpMethod: 'GET', responseMode: 'onReceived', path: '={{ $parameter["path"] }}', isFullPath: true },
			{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', path: '={{ $parameter["path"] }}', isFullPath: true },
		],
		properties: [
			{
				displayName:
					'Activate this workflow: it registers this node\'s Production URL in its HITL Store, and each Human Approval Wait with "Record in Store" on the same store and an empty "Review Inbox URL" sends its links through the most recently activated inbox (a URL given there wins). Named reviewers find their personal inbox link on every review page they open.',
				name: 'setupNotice',
				type: 'notice',
				default: '',
			},
			{
				displayName: 'Path',
				name: 'path',
				type: 'string',
				default: 'review-inbox',
				required: true,
				description: 'The inbox is served at &lt;n8n&gt;/webhook/&lt;path&gt;. Personal inbox links are bound to it: changing it invalidates them.',
			},
			{
				displayName: 'Title',
				name: 'title',
				type: 'string',
				default: 'Review inbox',
				description: 'The heading of the inbox page',
			},
			{
				displayName: 'Access',
				name: 'access',
				type: 'options',
				default: 'personal',
				options: [
					{
						name: 'Personal Inbox Links',
						value: 'personal',
						description:
							'Each named reviewer opens the inbox with their own link, signed with the HITL Review Secret: the inbox knows who is looking, offers claims, "mine" and their own review links',
					},
					{
						name: 'Shared Inbox',
						value: 'shared',
						description:
							'Anyone with the address sees the queue. Gives up: knowing who looks, claims, the "mine" filter and opening named reviewers\' reviews from the inbox. With the HITL Review Secret it opens the other reviews from its rows.',
					},
				],
				description: 'Who the inbox knows is looking',
			},
			{
				displayName: 'Claim Duration (Minutes)',
				name: 'claimMinutes',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: 1440 },
				default: 15,
				description: 'How long a claim holds; it also ends when the claimant answers or releases it',
			},
			{
				displayName: 'Rows per Page',
				name: 'pageSize',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: 500 },
				default: 50,
				description: 'How many of the most urgent pending reviews the page lists',
			},
		],
	};

	methods = { credentialTest: { hitlStoreTest, hitlReviewSecretTest } };

	/**
	 * Activation registers the inbox's production URL in its HITL store, so that a Human Approval
	 * Wait on the same store with an empty "Review Inbox URL" hands out links through it (issue 11
	 * defect 5: a late reviewer is then told who decided instead of n8n's own answer); deactivation
	 * removes it. "Listen for test event" registers nothing: the test URL lives only while listening.
	 */
	webhookMethods = {
		default: {
			async checkExists(this: IHookFunctions): Promise<boolean> {
				const url = productionUrl(this);
				if (!url) return true;
				return isInboxRegistered(await openRegistryStore(this), url);
			},
			async create(this: IHookFunctions): Promise<boolean> {
				await requireSecretForPersonalLinks(this);
				const url = productionUrl(this);
				if (!url) return true;
				const workflow = this.getWorkflow();
				await registerInbox(await openRegistryStore(this), {
					url,
					workflowId: String(workflow.id ?? ''),
					nodeName: this.getNode().name,
					registeredAt: new Date().toISOString(),
				});
				return true;
			},
			async delete(this: IHookFunctions): Promise<boolean> {
				const url = productionUrl(this);
				if (!url) return true;
				await unregisterInbox(await openRegistryStore(this), url);
				return true;
			},
		},
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		const request = this.getRequestObject();
		const response = this.getResponseObject();
		const node = this.getNode();
		const access = this.getNodeParameter('access', 'personal') === 'shared' ? 'shared' : 'personal';
		let secret: string | undefined;
		if (node.credentials?.[HITL_REVIEW_SECRET_CREDENTIAL]) {
			const credential = await this.getCredentials<{ secret?: string }>(HITL_REVIEW_SECRET_CREDENTIAL);
			secret = credential.secret ?? '';
			if (secret.length < MIN_REVIEW_SECRET_LENGTH) {
				throw new NodeOperationError(node, 'The HITL Review Secret is too short', {
					description: `Personal inbox links are signed with it: use at least ${MIN_REVIEW_SECRET_LENGTH} (better 32) random characters.`,
				});
			}
		}
		const settings: InboxSettings = {
			title: String(this.getNodeParameter('title', 'Review inbox') || 'Review inbox'),
			inboxUrl: this.getNodeWebhookUrl('default') ?? '',
			path: String(this.getNodeParameter('path', 'review-inbox')).replace(/^\/+|\/+$/g, ''),
			nodeName: node.name,
			access,
			...(secret ? { secret } : {}),
			claimMinutes: Math.max(1, Number(this.getNodeParameter('claimMinutes', 15)) || 15),
			pageSize: Math.max(1, Math.min(500, Math.trunc(Number(this.getNodeParameter('pageSize', 50)) || 50))),
		};
		// Without a credential: the embedded store in the n8n user folder, as the Feedback Log's default.
		const store = await openNodeStore(this, { hint: 'Check the HITL Store credential (its Test button opens the store).' });
		const answer = await serveInbox(store, settings, {
			method: request.method,
			query: this.getQueryData() as Record<string, unknown>,
			...(request.method === 'POST' ? { body: this.getBodyData() as Record<string, unknown> } : {}),
			now: new Date().toISOString(),
		}, { checkExecution });
		if ('location' in answer) {
			// The location carries the review's token: keep it out of caches and referrers.
			response.status(answer.status);
			response.setHeader('Location', answer.location);
			response.setHeader('Cache-Control', 'no-store');
			response.setHeader('Referrer-Policy', 'no-referrer');
			response.end();
		} else {
			response.status(answer.status);
			for (const [name, value] of Object.entries(answer.headers)) response.setHeader(name, value);
			response.end(answer.html);
		}
		// No workflowData: a request to the inbox starts no execution.
		return { noWebhookResponse: true };
	}
}

/** The production URL to register; undefined for a test listener (manual mode). */
function productionUrl(context: IHookFunctions): string | undefined {
	if (context.getActivationMode() === 'manual' || context.getMode() === 'manual') return undefined;
	const url = context.getNodeWebhookUrl('default');
	return url && /^https?:\/\//.test(url) ? url : undefined;
}

/** A personal inbox without the secret would refuse every link: activation says so instead. */
async function requireSecretForPersonalLinks(context: IHookFunctions): Promise<void> {
	if (context.getNodeParameter('access', 'personal') !== 'personal') return;
	await context.getCredentials(HITL_REVIEW_SECRET_CREDENTIAL).catch((error: unknown) => {
		throw new NodeOperationError(context.getNode(), 'Personal inbox links need the HITL Review Secret credential', {
			description: `Pick the HITL Review Secret your Human Approval Wait nodes use on the Review Inbox node, or set Access to "Shared Inbox". (${(error as Error).message})`,
		});
	});
}

function openRegistryStore(context: IHookFunctions) {
	return openNodeStore(context, {
		hint: 'The inbox registers its address in the store when the workflow is activated. Check the HITL Store credential (its Test button opens the store).',
	});
}
