/**
 * Every expected rule hit of the labelled corpus, and no other: the financial-promises and
 * call-recording packs on every message, the FDCPA pack on the collections channel.
 */
import { checkText, compileRuleset } from '../../../nodes/ComplianceCheck/checkCompliance';
import { loadCorpus } from '../../fixtures/compliance/scorePiiFindings';

const corpus = loadCorpus();
const general = compileRuleset({ version: 'corpus', packs: ['financialPromises', 'callRecording'], rules: [] });
const collections = compileRuleset({ version: 'corpus', packs: ['financialPromises', 'callRecording', 'fdcpa'], rules: [] });

const describeHit = (hit: { ruleId: string; span?: [number, number] }) => (hit.span ? `${hit.ruleId}@${hit.span[0]}-${hit.span[1]}` : hit.ruleId);

describe('rule packs on the labelled corpus', () => {
	const results = corpus.map((message) => {
		const ruleset = message.channel === 'collections' ? collections : general;
		const { violations } = checkText(ruleset, message.text, { channel: message.channel, firstContact: message.firstContact });
		return {
			id: message.id,
			expected: message.rules.map(describeHit).sort(),
			actual: violations.map(describeHit).sort(),
		};
	});

	it('finds exactly the labelled hits (rule id and span) in every message', () => {
		const expectedTotal = results.reduce((sum, r) => sum + r.expected.length, 0);
		const mismatches = results.filter((r) => JSON.stringify(r.expected) !== JSON.stringify(r.actual));
		console.log(`rule hits expected on the corpus: ${expectedTotal}; messages with a mismatch: ${mismatches.length}`);
		expect(expectedTotal).toBeGreaterThanOrEqual(50);
		expect(mismatches).toEqual([]);
	});

	it('covers every non-PII rule of the three packs at least once', () => {
		const seen = new Set(corpus.flatMap((message) => message.rules.map((hit) => hit.ruleId)));
		for (const id of ['finance.guaranteed-returns', 'finance.risk-free', 'finance.double-money', 'fdcpa.mini-miranda',
			'fdcpa.collector-notice', 'fdcpa.threats', 'recording.notice']) {
			expect(seen).toContain(id);
		}
	});
});
