/**
 * A bench-only node standing in for the reviewers behind Human Approval Wait: it puts on each item
 * the `hitl.review` that Human Approval Wait's webhook() puts there when a reviewer answers
 * (decision, finalText for approved and edited, one reviewer vote, requestedAt, decidedAt), with
 * the decision the stream generator drew for the draft (its truth, flipped with the reviewer noise
 * rate). It answers at once, at the simulated clock.
 *
 * Why not the real Human Approval Wait: every review would be a waiting execution resumed through
 * its webhook, one per batch; the Feedback Log sees the same item either way, and what the gate
 * learns is only what the Feedback Log recorded.
 */
import {
	NodeConnectionTypes,
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

export const SIMULATED_REVIEWER_TYPE = 'gateBench.simulatedReviewer';

/** Where the stream generator leaves the reviewer's answer on the item (a user field the gate ignores). */
export const REVIEWER_FIELD = 'simulation';

export class SimulatedReviewer implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Simulated Reviewer',
		name: 'simulatedReviewer',
		group: ['transform'],
		version: 1,
		description: 'Answers each review with the decision the benchmark drew for it',
		defaults: { name: 'Simulated Reviewer' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		properties: [],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const at = new Date().toISOString(); // the simulated clock: the bench fakes Date
		return [
			this.getInputData().map((item, itemIndex) => {
				const simulation = item.json[REVIEWER_FIELD] as { reviewerDecision?: string } | undefined;
				const decision = simulation?.reviewerDecision;
				const hitl = item.json.hitl as IDataObject & { draft: { text: string } };
				if (decision !== 'approved' && decision !== 'edited' && decision !== 'rejected') {
					throw new NodeOperationError(this.getNode(), `Item ${itemIndex} has no simulated reviewer decision`, { itemIndex });
				}
				const finalText = decision === 'approved' ? hitl.draft.text : decision === 'edited' ? `${hitl.draft.text} (corrected)` : undefined;
				const review = {
					decision,
					...(finalText !== undefined ? { finalText } : {}),
					reviewers: [{ id: 'sim-reviewer', decision, at }],
					requestedAt: at,
					decidedAt: at,
				};
				return { json: { ...item.json, hitl: { ...hitl, review } }, pairedItem: { item: itemIndex } };
			}),
		];
	}
}
