/**
 * The pick of the "QA sampling of sent replies" template (its Code node, run here on plain rows as
 * n8n's Extract From File hands them over: every value a string). What makes the reviewers' verdicts
 * an estimate of the precision of all automatic replies is that each of them had the same chance
 * of being picked, the share: checked on 20 000 replies against the binomial spread, and within
 * groups of similar case ids, where a weak hash would cluster.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

const TEMPLATE = path.resolve(__dirname, '..', '..', '..', 'templates', 'qa-sampling-of-sent-replies.json');

interface PickedItem {
	json: { reply: { caseId: string; customerMessage: string }; hitl: { caseId: string; draft: { text: string; confidence: { score: number } }; gate: Record<string, unknown> } };
}

const template = JSON.parse(readFileSync(TEMPLATE, 'utf8')) as { nodes: { name: string; parameters: { jsCode?: string } }[] };
const jsCode = template.nodes.find((node) => node.name === 'Pick a share of automatic replies')!.parameters.jsCode!;

/** Runs the Code node's JavaScript as n8n does: `$('QA settings')` and `$input` in scope, items back. */
function pick(rows: Record<string, string>[], share: unknown): PickedItem[] {
	const $ = (name: string) => {
		if (name !== 'QA settings') throw new Error(`unexpected node ${name}`);
		return { first: () => ({ json: { share } }) };
	};
	const $input = { all: () => rows.map((json) => ({ json })) };
	// The template's own code, as n8n runs it.
	return new Function('$', '$input', jsCode)($, $input) as PickedItem[];
}

const row = (i: number, overrides: Record<string, string> = {}): Record<string, string> => ({
	recordedAt: '2026-12-01T10:00:00.000Z',
	caseId: `T-${i}`,
	workflowId: 'wf-support',
	workflowName: 'Support reply',
	executionId: String(1000 + i),
	nodeName: 'Log decision',
	itemIndex: '0',
	route: 'auto',
	decision: 'auto',
	confidence: '0.93',
	confidenceMethod: 'verbalized',
	model: 'gpt-4o-mini',
	promptVersion: 'support-reply-v1',
	inputText: `Where is order ${i}?`,
	draftText: `Order ${i} ships today.`,
	finalText: '',
	textsHashed: 'false',
	sampledForAudit: 'false',
	promptTokens: '120',
	completionTokens: '30',
	...overrides,
});

describe('QA sampling template: the pick', () => {
	test('each automatic reply is picked with the chance "share" (20 000 replies, within 4 standard deviations)', () => {
		for (const share of [0.1, 0.25]) {
			const n = 20_000;
			const picked = pick(Array.from({ length: n }, (_, i) => row(i)), share).length;
			const sd = Math.sqrt(n * share * (1 - share));
			expect(Math.abs(picked - n * share)).toBeLessThan(4 * sd);
		}
	});

	test('similar keys do not cluster: every block of 1 000 consecutive executions gets its share', () => {
		const rows = Array.from({ length: 20_000 }, (_, i) => row(i));
		const picked = new Set(pick(rows, 0.1).map((item) => Number(item.json.reply.caseId.slice(2))));
		const sd = Math.sqrt(1000 * 0.1 * 0.9);
		for (let block = 0; block < 20; block++) {
			let count = 0;
			for (let i = block * 1000; i < (block + 1) * 1000; i++) if (picked.has(i)) count++;
			expect(Math.abs(count - 100)).toBeLessThan(4.5 * sd);
		}
	});

	test('only readable automatic replies not judged before; the same replies on a re-run', () => {
		const rows = [
			...Array.from({ length: 400 }, (_, i) => row(i)),
			row(500, { decision: 'approved', route: 'review' }),
			row(501, { textsHashed: 'true', draftText: `sha256:${'a'.repeat(64)}` }),
			// T-7 was judged by an earlier QA run
			row(7, { executionId: '99', decision: 'rejected', sampledForAudit: 'true' }),
		];
		const first = pick(rows, 1).map((item) => item.json.reply.caseId);
		expect(first).toHaveLength(399);
		expect(first).not.toEqual(expect.arrayContaining(['T-500']));
		expect(first).not.toContain('T-501');
		expect(first).not.toContain('T-7');
		const tenth = pick(rows, 0.1).map((item) => item.json.reply.caseId);
		expect(pick(rows, 0.1).map((item) => item.json.reply.caseId)).toEqual(tenth);
	});

	test('a picked reply becomes an audit sample of an automatic reply, with its chance of being picked', () => {
		const [item] = pick([row(3, { finalText: 'Order 3 ships today.' })], 1);
		expect(item.json.reply).toMatchObject({ caseId: 'T-3', customerMessage: 'Where is order 3?' });
		expect(item.json.hitl).toMatchObject({
			caseId: 'T-3',
			draft: { text: 'Order 3 ships today.', model: 'gpt-4o-mini', confidence: { score: 0.93, method: 'verbalized' } },
			gate: { route: 'auto', sampledForAudit: true, reviewProbability: 1, reasons: [{ code: 'QA_SAMPLE' }] },
		});
	});

	test('a share that is not a number above 0 and at most 1 stops the run and says what to set', () => {
		for (const share of [0, 1.5, 'ten', '']) {
			expect(() => pick([row(1)], share)).toThrow(/QA settings → share must be a number above 0 and at most 1/);
		}
	});
});
