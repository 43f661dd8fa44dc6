/**
 * Turning failures into errors a user can act on, the same way in every node: the item index,
 * what was wrong, and what to change — never a stack trace in the canvas.
 */
import { NodeOperationError, type INode, type INodeExecutionData, type JsonObject } from 'n8n-workflow';

import { HitlContractError } from './itemContract';

/** An error in the functional core that names the field at fault and how to fix it. */
export class ItemFieldError extends Error {
	constructor(
		message: string,
		readonly field: string,
		readonly hint?: string,
	) {
		super(message);
		this.name = 'ItemFieldError';
	}
}

/**
 * How a message names an item: counted from 1 ("Item 1" is the first item), as the review page
 * ("Item 1 of 4") and the READMEs count. n8n's own `itemIndex` on the error stays 0-based.
 */
export function itemLabel(itemIndex: number): string {
	return `Item ${itemIndex + 1}`;
}

/** Wraps any error thrown while processing one item into a NodeOperationError for that item. */
export function toItemError(node: INode, error: unknown, itemIndex: number): NodeOperationError {
	if (error instanceof NodeOperationError) {
		if (error.context.itemIndex === undefined) error.context.itemIndex = itemIndex;
		return error;
	}
	if (error instanceof HitlContractError || error instanceof ItemFieldError) {
		return new NodeOperationError(node, `${itemLabel(itemIndex)}: ${error.message}`, {
			itemIndex,
			description: error.hint,
		});
	}
	const message = error instanceof Error ? error.message : String(error);
	return new NodeOperationError(node, `${itemLabel(itemIndex)}: ${message}`, { itemIndex });
}

/**
 * The item to emit for a failed input item when "continue on fail" is on, so that nothing is lost.
 *
 * n8n has two "continue" modes and they need different shapes:
 * - "Continue (using error output)": n8n (WorkflowExecute.handleNodeErrorOutput, 2.40) moves an
 *   item to the error output when its JSON holds only `error` / `message` / `details`, and there
 *   merges the paired input item's fields back in. (Attaching the error object to the item would
 *   also move it, but n8n then overwrites its JSON with `{ error }` and the user's fields are lost.)
 * - "Continue": the item stays on a regular output, so we keep the user's fields on it ourselves
 *   and add `error` (and `errorDescription`, the hint on what to change).
 */
export function errorItem(
	node: INode,
	input: INodeExecutionData,
	error: NodeOperationError,
	itemIndex: number,
): INodeExecutionData {
	if (node.onError === 'continueErrorOutput') {
		const json: JsonObject = { error: error.message };
		if (error.description) json.details = error.description;
		return { json, pairedItem: { item: itemIndex } };
	}
	const json: JsonObject = { ...input.json, error: error.message };
	if (error.description) json.errorDescription = error.description;
	return { json, pairedItem: { item: itemIndex } };
}
