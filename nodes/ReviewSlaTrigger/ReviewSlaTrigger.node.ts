import {
	NodeConnectionTypes,
	NodeOperationError,
	type IDataObject,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
	type IPollFunctions,
} from 'n8n-workflow';

import { dueSlaSteps, slaNoticeSteps, type SlaPolicy, type SlaStep } from '../shared/reviewSlaSteps';
import { MIN_REVIEW_SECRET_LENGTH } from '../shared/reviewSignatures';
import { hitlReviewSecretTest } from '../shared/reviewSecretTest';
import { hitlStoreTest } from '../shared/store/credentialTest';
import { openNodeStore } from '../shared/storeCredential';
import { slaNotice } from './slaNotice';
import { HITL_REVIEW_SECRET_CREDENTIAL } from '../shared/credentialNames';


function readPolicy(context: IPollFunctions): SlaPolicy {
	const node = context.getNode();
	const percent = Number(context.getNodeParameter('reminderPercent', 75));
	if (!Number.isFinite(percent) || percent < 0 || percent >= 100) {
		throw new NodeOperationError(node, `"Remind At (% of Target)" must be from 0 to 99, not ${String(percent)}`, {
			description: 'Give the share of the respond-within target after which reviewers are reminded, e.g. 75; 0 sends no reminders.',
		});
	}
	const escalate = context.getNodeParameter('escalate', true) === true;
	const after = Number(context.getNodeParameter('escalateAfterMinutes', 0));
	if (escalate && (!Number.isFinite(after) || after < 0)) {
		throw new NodeOperationError(node, `"Escalate After Target (Minutes)" must be 0 or more, not ${String(after)}`, {
			description: 'Give how many minutes after the target the backup reviewers are brought in; 0 escalates at the target.',
		});
	}
	return {
		...(percent > 0 ? { reminderShare: percent / 100 } : {}),
		overdue: context.getNodeParameter('overdue', true) === true,
		...(escalate ? { escalateAfterMs: Math.round(after * 60_000) } : {}),
	};
}

function finalStepOf(policy: SlaPolicy): SlaStep | undefined {
	if (policy.escalateAfterMs !== undefined) return 'escalated';
	if (policy.overdue) return 'overdue';
	return policy.reminderShare !== undefined ? 'reminder' : undefined;
}

/**
 * Reminders and escalation for pending reviews (issue 15). n8n cannot wake a waiting execution
 * before its deadline, so the SLA clock runs here: a polling trigger (n8n's own `poll()`, so in
 * queue mode n8n polls on the (leading) main only) reads the HITL store and emits one item per review
 * that crossed a step of its respond-within target since it was last emitted. Each step is
 * recorded in the store before it is emitted, as a compare-and-set, so it goes out once per review
 * across restarts and processes. Sending is left to any n8n node (Send Email, Slack, …).
 */
export class ReviewSlaTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Review SLA Trigger',
		name: 'reviewSlaTrigger',
		icon: { light: 'file:reviewSlaTrigger.svg', dark: 'file:reviewSlaTrigger.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{ "remind at " + $parameter["reminderPercent"] + "%" }}',
		description: 'Emit reminders, overdue notices and escalations for pending reviews with a Respond Within target',
		defaults: { name: 'Review SLA Trigger' },
		polling: true,
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			// eslint-disable-next-line n8n-nodes-base/node-class-description-credentials-name-unsuffixed -- the store is a database, not an API (credentials/HitlStore.credentials.ts)
			{ name: 'hitlStore', required: false, testedBy: 'hitlStoreTest' },
			{ name: 'hitlReviewSecretApi', required: false, testedBy: 'hitlReviewSecretTest' },
		],
		properties: [
			{
				displayName:
					'Reads the reviews Human Approval Wait records in the HITL Store ("Record in Store" on) that have a "Respond Within" target. Use the same HITL Store and HITL Review Secret credentials as the Human Approval Wait nodes, so the items carry ready personal links.',
				name: 'setupNotice',
				type: 'notice',
				default: '',
			},
			{
				displayName: 'Remind At (% of Target)',
				name: 'reminderPercent',
				type: 'number',
				typeOptions: { minValue: 0, maxValue: 99 },
				default: 75,
				description:
					'Emit a "reminder" once this share of the respond-within target has passed (75: at 22.5 minutes of 30). 0 sends no reminders. A reminder is never sent after the target.',
			},
			{
				displayName: 'Emit Overdue',
				name: 'overdue',
				type: 'boolean',
				default: true,
				description: 'Whether to emit "overdue" when the target passes, with the reviewers\' links',
			},
			{
				displayName: 'Escalate',
				name: 'escalate',
				type: 'boolean',
				default: true,
				description:
					'Whether to emit "escalated" with the backup reviewers\' links. From then on the backup reviewers\' links are valid; the escalation is recorded in the audit trail.',
			},
			{
				displayName: 'Escalate After Target (Minutes)',
				name: 'escalateAfterMinutes',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: 0,
				displayOptions: { show: { escalate: [true] } },
				description: 'How long after the target to escalate; 0 escalates at the target',
			},
			{
				displayName: 'Review Inbox URL',
				name: 'inboxUrl',
				type: 'string',
				default: '',
				placeholder: 'https://n8n.example.com/webhook/review-inbox',
				description:
					'The Review Inbox\'s Production URL, as on the Human Approval Wait nodes: links then go through the inbox, which tells a late reader who decided. Empty: links go straight to the review page.',
			},
			{
				displayName: 'Max Reviews per Poll',
				name: 'maxReviews',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: 1000 },
				default: 200,
				description: 'The reviews with the soonest targets are handled first; the rest on the next poll',
			},
		],
	};

	methods = { credentialTest: { hitlStoreTest, hitlReviewSecretTest } };

	async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
		const node = this.getNode();
		const policy = readPolicy(this);
		const finalStep = finalStepOf(policy);
		if (!finalStep) {
			throw new NodeOperationError(node, 'Every step is turned off', {
				description: 'Set "Remind At" above 0, or turn on "Emit Overdue" or "Escalate".',
			});
		}
		const inboxUrl = String(this.getNodeParameter('inboxUrl', '') ?? '').trim();
		if (inboxUrl !== '' && !/^https?:\/\/[^\s]+$/.test(inboxUrl)) {
			throw new NodeOperationError(node, `"Review Inbox URL" is not a web address: ${inboxUrl}`, {
				description: "Copy the Production URL from the Review Inbox trigger's panel (http://… or https://…), or leave it empty.",
			});
		}
		let secret: string | undefined;
		if (node.credentials?.[HITL_REVIEW_SECRET_CREDENTIAL]) {
			secret = (await this.getCredentials<{ secret?: string }>(HITL_REVIEW_SECRET_CREDENTIAL)).secret ?? '';
			if (secret.length < MIN_REVIEW_SECRET_LENGTH) {
				throw new NodeOperationError(node, 'The HITL Review Secret is too short', {
					description: `Use the same secret as the Human Approval Wait nodes (at least ${MIN_REVIEW_SECRET_LENGTH} characters).`,
				});
			}
		}
		// Without a credential: the embedded store in the n8n user folder, as the Review Inbox's default.
		const store = await openNodeStore(this, { hint: 'Check the HITL Store credential (its Test button opens the store).' });
		const nowMs = Date.now();
		const now = new Date(nowMs).toISOString();
		// "Fetch Test Event" in the editor previews what is due without recording it, so trying the
		// node does not use up anyone's reminder.
		const preview = this.getMode() === 'manual';
		const candidates = await store.reviewSla.listSlaCandidates({
			now,
			leadShare: policy.reminderShare !== undefined ? 1 - policy.reminderShare : 0,
			finalStep,
			limit: Math.max(1, Math.min(1000, Math.trunc(Number(this.getNodeParameter('maxReviews', 200))) || 200)),
		});
		const out: INodeExecutionData[] = [];
		for (const { review, emitted } of candidates) {
			const key = { executionId: review.executionId, nodeName: review.nodeName };
			const won: SlaStep[] = [];
			for (const step of dueSlaSteps(review, policy, nowMs, emitted)) {
				if (preview || (await store.reviewSla.recordSlaStep(key, step, now))) won.push(step);
			}
			if (!won.length) continue;
			if (!preview) {
				for (const step of won) {
					await store.appendAudit({
						...key,
						event: step === 'escalated' ? 'slaEscalated' : step === 'overdue' ? 'slaOverdue' : 'slaReminder',
						actor: node.name,
						detail: {
							respondBy: review.respondBy ?? null,
							...(step === 'escalated' ? { backupReviewers: (review.backupReviewers ?? []).map((person) => person.id) } : {}),
						},
						at: now,
						idempotencyKey: `sla:${step}:${review.executionId}:${review.nodeName}`,
					});
				}
			}
			const settings = { ...(secret ? { secret } : {}), ...(inboxUrl ? { inboxUrl } : {}) };
			for (const steps of slaNoticeSteps(won)) out.push({ json: slaNotice(review, steps, nowMs, settings) as unknown as IDataObject });
		}
		return out.length ? [out] : null;
	}
}
