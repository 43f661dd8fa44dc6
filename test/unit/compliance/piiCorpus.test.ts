/**
 * The core value of the Compliance Check: on the labelled corpus, the validated PII types reach
 * precision and recall of at least 0.97 with exact spans; on the formats corpus, 0.99 and 0.98. The table is printed on every run so a
 * change that moves the figures shows in the log even when it stays above the bar.
 */
import { scanForPii, type PiiScanOptions } from '../../../nodes/ComplianceCheck/scanForPii';
import { PII_TYPES, VALIDATED_PII_TYPES } from '../../../nodes/ComplianceCheck/piiTypes';
import { formatScoreTable, loadCorpus, scoreFindings } from '../../fixtures/compliance/scorePiiFindings';

const corpus = loadCorpus();
const predictions = corpus.map((message) =>
	scanForPii(message.text, { currentYear: 2026 }).map((finding) => ({ type: finding.type, span: finding.span })),
);
const result = scoreFindings(corpus, predictions);

describe('PII recognizers on the labelled corpus', () => {
	beforeAll(() => {
		console.log(
			`${formatScoreTable(`PII precision/recall on ${corpus.length} corpus messages (exact spans)`, [...result.byType, result.overall])}\n` +
				`clean messages flagged: ${result.flaggedCleanMessages}/${result.cleanMessages}`,
		);
	});

	it('holds at least 300 messages, with every type labelled and hard negatives among them', () => {
		expect(corpus.length).toBeGreaterThanOrEqual(300);
		const labelled = new Set(corpus.flatMap((message) => message.pii.map((span) => span.type)));
		for (const type of PII_TYPES) expect(labelled).toContain(type);
		expect(corpus.filter((message) => message.tags.includes('hard-negative')).length).toBeGreaterThanOrEqual(50);
	});

	it.each(VALIDATED_PII_TYPES)('%s: precision and recall ≥ 0.97', (type) => {
		const score = result.byType.find((entry) => entry.type === type);
		expect(score).toBeDefined();
		expect(score!.precision).toBeGreaterThanOrEqual(0.97);
		expect(score!.recall).toBeGreaterThanOrEqual(0.97);
	});

	it('context-only types (date of birth, CVV, expiry) stay precise too', () => {
		for (const type of ['dob', 'cvv', 'cardExpiry']) {
			const score = result.byType.find((entry) => entry.type === type)!;
			expect(score.precision).toBeGreaterThanOrEqual(0.95);
			expect(score.recall).toBeGreaterThanOrEqual(0.95);
		}
	});

	it('flags no hard-negative-only message', () => {
		const wronglyFlagged = corpus
			.filter((message, index) => message.pii.length === 0 && message.tags.includes('hard-negative') && predictions[index].length > 0)
			.map((message) => message.id);
		expect(wronglyFlagged).toEqual([]);
	});
});

/**
 * The formats corpus (formatsCorpus.json, generateFormatsCorpus.mjs): IPv6 with embedded IPv4 and
 * CIDR suffixes, national phone formats of candidate countries, SSNs without separators, dashed and
 * newly registered IBANs, IDN e-mail, UATP cards and weak routing numbers — written from each
 * format's specification, each message scanned with its own options.
 */
const formats = loadCorpus('formatsCorpus.json');
const formatPredictions = formats.map((message) =>
	scanForPii(message.text, { currentYear: 2026, ...(message.options as PiiScanOptions | undefined) }).map((finding) => ({
		type: finding.type,
		span: finding.span,
	})),
);
const formatResult = scoreFindings(formats, formatPredictions);
const FAMILIES = ['ip', 'phone', 'ssn', 'iban', 'email', 'uatp', 'routing'];
/** The same scoring within one family, so a family's table row shows where a type's errors come from. */
const familyScores = FAMILIES.map((family) => {
	const indexes = formats.flatMap((message, index) => (message.family === family ? [index] : []));
	const score = scoreFindings(
		indexes.map((index) => formats[index]),
		indexes.map((index) => formatPredictions[index]),
	).overall;
	return { ...score, type: `[${family}]` };
});

describe('PII recognizers on the formats corpus', () => {
	beforeAll(() => {
		console.log(
			`${formatScoreTable(`PII precision/recall on ${formats.length} formats-corpus messages (exact spans), per type then per family`, [
				...formatResult.byType,
				formatResult.overall,
				...familyScores,
			])}\nclean and hard-negative messages flagged: ${formatResult.flaggedCleanMessages}/${formatResult.cleanMessages}`,
		);
	});

	it('covers every family with positives and at least 30 hard negatives each', () => {
		for (const family of FAMILIES) {
			const messages = formats.filter((message) => message.family === family);
			expect(messages.filter((message) => message.pii.length > 0).length).toBeGreaterThanOrEqual(40);
			expect(messages.filter((message) => message.tags.includes('hard-negative')).length).toBeGreaterThanOrEqual(30);
		}
	});

	it.each(['ipv4', 'ipv6', 'phone', 'ssn', 'iban', 'email', 'card', 'routing'])('%s: precision ≥ 0.99 and recall ≥ 0.98, exact spans', (type) => {
		const score = formatResult.byType.find((entry) => entry.type === type);
		expect(score).toBeDefined();
		expect(score!.precision).toBeGreaterThanOrEqual(0.99);
		expect(score!.recall).toBeGreaterThanOrEqual(0.98);
	});

	it('flags no hard negative', () => {
		const wronglyFlagged = formats
			.filter((message, index) => message.tags.includes('hard-negative') && formatPredictions[index].length > 0)
			.map((message) => message.id);
		expect(wronglyFlagged).toEqual([]);
	});
});
