/**
 * Record: one store row per item, from its `hitl` object. Writes are idempotent on (execution,
 * node, item), so a retried execution records nothing twice.
 */
import {
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import { getFieldValue } from '../../shared/fieldPath';
import { mergeHitl, readHitl } from '../../shared/itemContract';
import { errorItem, itemLabel, toItemError } from '../../shared/itemErrors';
import type { DecisionRecord, HitlStore } from '../../shared/store';
import { toDecisionRecord } from '../toDecisionRecord';

const NODE_NAME = 'Feedback Log';
/** Human Approval Wait's type as n8n names a community node: package name, then the node's name. */
const APPROVAL_WAIT_TYPE = 'n8n-nodes-hitl.humanApprovalWait';

const show = { show: { operation: ['record'] } };

export const description: INodeProperties[] = [
	{
		displayName:
			'Without a <b>HITL Store</b> credential, decisions go to <code>hitl.sqlite</code> in the n8n user folder. Use a PostgreSQL store in queue mode.',
		name: 'storeNotice',
		type: 'notice',
		default: '',
		displayOptions: show,
	},
	{
		displayName: 'Customer Message Field',
		name: 'inputTextField',
		type: 'string',
		default: '',
		placeholder: 'message.text',
		hint: 'Path to the message the draft answers; needed for the fine-tuning and preference exports',
		description: 'Leave empty to store no customer message',
		displayOptions: show,
	},
	{
		displayName: 'Privacy Mode',
		name: 'privacyMode',
		type: 'boolean',
		default: false,
		description:
			'Whether to store SHA-256 hashes instead of the customer message, draft, final text and comments. Metrics still work; training-data export does not.',
		displayOptions: show,
	},
];

export async function execute(context: IExecuteFunctions, store: HitlStore): Promise<INodeExecutionData[]> {
	const items = context.getInputData();
	const node = context.getNode();
	const now = new Date().toISOString();
	const afterApprovalWait = context
		.getParentNodes(node.name)
		.some((parent) => parent.type === APPROVAL_WAIT_TYPE && !parent.disabled);
	const out: INodeExecutionData[] = new Array(items.length);
	const pending: { itemIndex: number; record: DecisionRecord }[] = [];
	// n8n runs a node once per branch that reaches it in one execution (Auto and Review meeting at
	// one Feedback Log, or the Review branch arriving after a wait), and item indexes restart at 0
	// on each run. The idempotency key (execution, node, item) must therefore tell the runs apart,
	// or the second run's items are taken for repeats of the first's and silently not recorded.
	// The first run keeps the plain node name, so keys written before this change still match.
	const runIndex = Number(context.getWorkflowDataProxy(0).$runIndex ?? 0);
	const keyNodeName = runIndex > 0 ? `${node.name} (run ${runIndex + 1})` : node.name;

	const fail = (itemIndex: number, error: unknown) => {
		const itemError = toItemError(node, error, itemIndex);
		if (!context.continueOnFail()) throw itemError;
		out[itemIndex] = errorItem(node, items[itemIndex], itemError, itemIndex);
	};

	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		try {
			pending.push({ itemIndex, record: readRecord(context, items[itemIndex], itemIndex, { keyNodeName, now, afterApprovalWait }) });
		} catch (error) {
			fail(itemIndex, error);
		}
	}

	if (pending.length) {
		try {
			const outcomes = await store.recordDecisions(pending.map((entry) => entry.record));
			pending.forEach(({ itemIndex }, position) => {
				const logged = { id: outcomes[position].id, store: store.location, at: now };
				out[itemIndex] = { json: mergeHitl(items[itemIndex].json, { logged }) as IDataObject, pairedItem: { item: itemIndex } };
			});
		} catch (error) {
			const message = `Could not record ${pending.length} decision(s) in ${store.location}: ${error instanceof Error ? error.message : String(error)}`;
			if (!context.continueOnFail()) {
				throw new NodeOperationError(node, message, { description: 'Check that the store is reachable and writable; re-running the execution records nothing twice.' });
			}
			for (const { itemIndex } of pending) fail(itemIndex, new NodeOperationError(node, message, { itemIndex }));
		}
	}
	return out;
}

/** One item's store row, or an error that names the item and what to change. */
function readRecord(
	context: IExecuteFunctions,
	item: INodeExecutionData,
	itemIndex: number,
	run: { keyNodeName: string; now: string; afterApprovalWait: boolean },
): DecisionRecord {
	const node = context.getNode();
	const workflow = context.getWorkflow();
	const hitl = readHitl(item.json, NODE_NAME);
	if (!hitl) {
		throw new NodeOperationError(node, `${itemLabel(itemIndex)}: hitl is missing: the item carries no decision to record`, {
			itemIndex,
			description:
				'Put the Feedback Log after the LLM Draft, Confidence Gate or Human Approval Wait node, whose "hitl" field it records.',
		});
	}
	const inputField = String(context.getNodeParameter('inputTextField', itemIndex, '')).trim();
	const inputValue = inputField ? getFieldValue(item.json, inputField) : undefined;
	if (inputField && inputValue !== undefined && typeof inputValue !== 'string') {
		throw new NodeOperationError(node, `${itemLabel(itemIndex)}: ${inputField} is not a text`, {
			itemIndex,
			description: 'Point Customer Message Field at a field that holds the customer\'s message as text.',
		});
	}
	return toDecisionRecord(hitl, {
		executionId: context.getExecutionId() ?? 'manual',
		nodeName: run.keyNodeName,
		itemIndex,
		workflowId: workflow.id ?? null,
		workflowName: workflow.name ?? null,
		now: run.now,
		privacyMode: context.getNodeParameter('privacyMode', itemIndex, false) as boolean,
		inputText: inputValue as string | undefined,
		afterApprovalWait: run.afterApprovalWait,
	});
}
