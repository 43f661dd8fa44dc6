/**
 * The support template's own compliance nodes, taken from templates/support-reply-with-review.json
 * as they are and run over the compiled node: the draft check catches refund promises (the
 * template's instructions forbid them), and the message check masks card data before the model.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

import type { IDataObject, INode } from 'n8n-workflow';

import { oneNodeWorkflow, runWorkflow } from '../harness';

const TEMPLATE = path.resolve(__dirname, '..', '..', '..', 'templates', 'support-reply-with-review.json');

function templateNode(name: string): INode {
	const template = JSON.parse(readFileSync(TEMPLATE, 'utf8')) as { nodes: INode[] };
	const node = template.nodes.find((candidate) => candidate.name === name);
	if (!node) throw new Error(`The template has no node "${name}"`);
	return node;
}

async function checkDrafts(drafts: string[]) {
	const node = templateNode('Check compliance');
	const run = await runWorkflow(oneNodeWorkflow(node.name, node.type, { parameters: node.parameters }), {
		input: drafts.map((text, index) => ({ hitl: { caseId: `T-${index}`, draft: { text } } })),
	});
	expect(run.status).toBe('success');
	return run.output(node.name, 0).map((item) => {
		const compliance = (item.json.hitl as IDataObject).compliance as { violations: { ruleId: string; severity: string }[] };
		return compliance.violations.filter((violation) => violation.ruleId === 'support.refund-promise');
	});
}

describe('support template: its own rules', () => {
	test('a promised refund goes to a person, in every common wording', async () => {
		const promises = [
			'A refund is on its way.',
			'Good news: your refund is on its way!',
			"Your refund is on it's way.",
			'The refund is on the way to your card.',
			'Your refnd is on its way.', // a typo still counts
			'Your refund has been issued.',
			'We will refund the full amount.',
			"Don't worry, you'll get a refund.",
			'You will receive a refund within 5 days.',
			'You will get your money back.',
		];
		const hits = await checkDrafts(promises);
		hits.forEach((found, index) => {
			expect([promises[index], found.map((violation) => violation.severity)]).toEqual([promises[index], ['review']]);
		});
	});

	test('near misses do not fire', async () => {
		const fine = [
			'Is a refund on its way? Let me check with the team.',
			'Your parcel is on its way.',
			'We will check whether a refund is on its way and write back today.',
			'Refunds are handled by our billing team; they will contact you.',
			'We will review your refund request.',
		];
		const hits = await checkDrafts(fine);
		expect(hits.map((found, index) => [fine[index], found.length])).toEqual(fine.map((text) => [text, 0]));
	});

	test('the message check masks card data in place and flags it for review', async () => {
		const node = templateNode("Check the customer's message");
		const run = await runWorkflow(oneNodeWorkflow(node.name, node.type, { parameters: node.parameters }), {
			input: [
				{ body: { ticketId: 'T-9', message: 'Refund to card 4111 1111 1111 1111, CVV 737, exp 12/27. Mail me at dana@example.com' } },
				{ body: { ticketId: 'T-10', message: 'Where is my parcel? Call me at (415) 555-2671.' } },
			],
		});
		const [withCard, withoutCard] = run.output(node.name, 0);
		expect((withCard.json.body as IDataObject).message).toBe(
			'Refund to card **** **** **** 1111, CVV ***, exp **/**. Mail me at dana@example.com',
		);
		// The first node of the package on the item fixes the case id: the ticket, as LLM Draft would.
		expect((withCard.json.hitl as IDataObject).caseId).toBe('T-9');
		const found = ((withCard.json.hitl as IDataObject).compliance as { violations: { ruleId: string; severity: string }[] }).violations;
		expect(found.map((violation) => [violation.ruleId, violation.severity])).toEqual([
			['support.card-data-in-message', 'review'],
			['support.card-data-in-message', 'review'],
			['support.card-data-in-message', 'review'],
		]);
		// Contact details in a customer's own message are not a finding: only card data is.
		expect((withoutCard.json.body as IDataObject).message).toBe('Where is my parcel? Call me at (415) 555-2671.');
		expect(((withoutCard.json.hitl as IDataObject).compliance as { passed: boolean }).passed).toBe(true);
	});
});
