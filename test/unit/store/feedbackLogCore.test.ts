/**
 * The Feedback Log's pure modules with plain inputs: record mapping, edit distance, the Wilson
 * bound and the threshold recommender, calibration, exports, charts, and the credential mapping.
 */
import { join } from 'node:path';

import { calibrate } from '../../../nodes/shared/calibration/calibration';
import { editDistance } from '../../../nodes/FeedbackLog/editDistance';
import { csvCell, csvHeader, exportRecords } from '../../../nodes/FeedbackLog/exportRecords';
import { binsFromSamples, recommendThreshold } from '../../../nodes/shared/calibration/recommendThreshold';
import { wilsonLowerBound } from '../../../nodes/shared/calibration/wilsonBound';
import { renderOverrideRateChart, renderReliabilityDiagram } from '../../../nodes/FeedbackLog/renderCharts';
import { hashText, toDecisionRecord, type RecordContext } from '../../../nodes/FeedbackLog/toDecisionRecord';
import type { Hitl } from '../../../nodes/shared/itemContract';
import { defaultEmbeddedPath, storeConfigFromCredential } from '../../../nodes/shared/store';
import type { StoredDecision } from '../../../nodes/shared/store/types';
import { baseDecision } from './fixtures/decisions';

const context: RecordContext = {
	executionId: 'e1',
	nodeName: 'Feedback Log',
	itemIndex: 2,
	workflowId: 'wf',
	workflowName: 'Replies',
	now: '2026-11-01T10:05:00.000Z',
	privacyMode: false,
	inputText: 'Where is my parcel?',
};

const draft: NonNullable<Hitl['draft']> = {
	text: 'It ships today.',
	model: 'gpt-x',
	promptVersion: 'v3',
	confidence: { score: 0.72, method: 'judge', signals: {} },
	riskFlags: [],
	usage: { promptTokens: 100, completionTokens: 12, costUsd: 0.004 },
	latencyMs: 800,
};

describe('toDecisionRecord', () => {
	test('maps an edited review with rule hits', () => {
		const hitl: Hitl = {
			caseId: 'case-9',
			draft,
			compliance: {
				passed: false,
				rulesetVersion: '1',
				checkedField: 'hitl.draft.text',
				violations: [
					{ ruleId: 'pii.email', kind: 'pii', severity: 'review', message: 'e-mail' },
					{ ruleId: 'pii.email', kind: 'pii', severity: 'review', message: 'another e-mail' },
					{ ruleId: 'disclosure.apr', kind: 'disclosure', severity: 'review', message: 'APR missing' },
				],
			},
			gate: { route: 'review', reasons: [], threshold: 0.8, sampledForAudit: false, shadow: false, breakerOpen: false, reviewProbability: 1, slice: 'shipping' },
			review: {
				decision: 'edited',
				finalText: 'It ships today!',
				reviewers: [{ id: 'ana', name: 'Ana', decision: 'Edited', reason: 'tone', comment: 'livelier', at: '2026-11-01T10:01:00.000Z' }],
				requestedAt: '2026-11-01T10:00:00.000Z',
				decidedAt: '2026-11-01T10:01:00.000Z',
			},
		};
		expect(toDecisionRecord(hitl, context)).toEqual({
			executionId: 'e1',
			nodeName: 'Feedback Log',
			itemIndex: 2,
			caseId: 'case-9',
			workflowId: 'wf',
			workflowName: 'Replies',
			route: 'review',
			decision: 'edited',
			confidence: 0.72,
			confidenceMethod: 'judge',
			model: 'gpt-x',
			promptVersion: 'v3',
			inputText: 'Where is my parcel?',
			draftText: 'It ships today.',
			finalText: 'It ships today!',
			textsHashed: false,
			edited: true,
			editDistance: 1,
			reviewers: [{ id: 'ana', name: 'Ana', decision: 'edited', reason: 'tone', comment: 'livelier', at: '2026-11-01T10:01:00.000Z' }],
			reason: 'tone',
			comment: 'livelier',
			ruleIds: ['pii.email', 'disclosure.apr'],
			sampledForAudit: false,
			reviewProbability: 1,
			slice: 'shipping',
			timeToDecisionMs: 60_000,
			promptTokens: 100,
			completionTokens: 12,
			costUsd: 0.004,
			requestedAt: '2026-11-01T10:00:00.000Z',
			decidedAt: '2026-11-01T10:01:00.000Z',
			recordedAt: '2026-11-01T10:05:00.000Z',
		});
	});

	test('an approval without a final text sent the draft unchanged', () => {
		const record = toDecisionRecord(
			{
				caseId: 'c',
				draft,
				review: { decision: 'approved', reviewers: [], requestedAt: '2026-11-01T10:00:00.000Z' },
			},
			context,
		);
		expect(record).toMatchObject({ decision: 'approved', finalText: 'It ships today.', edited: false, editDistance: 0, timeToDecisionMs: null });
	});

	test('keeps the time the reviewer spent on the review page, for the rubber-stamp figure', () => {
		const review = (reviewers: NonNullable<Hitl['review']>['reviewers']): Hitl => ({
			caseId: 'c',
			draft,
			review: { decision: 'approved', reviewers, requestedAt: '2026-11-01T10:00:00.000Z', decidedAt: '2026-11-01T12:00:00.000Z' },
		});
		const timed = toDecisionRecord(review([{ id: 'ana', decision: 'approved', at: '2026-11-01T12:00:00.000Z', timeOnPageMs: 2300 }]), context);
		expect(timed.reviewers).toEqual([{ id: 'ana', decision: 'approved', at: '2026-11-01T12:00:00.000Z', timeOnPageMs: 2300 }]);
		// another approval tool that did not measure it: nothing invented
		const untimed = toDecisionRecord(review([{ id: 'ana', decision: 'approved', at: '2026-11-01T12:00:00.000Z' }]), context);
		expect(untimed.reviewers[0]).not.toHaveProperty('timeOnPageMs');
	});

	test('a shared-link reviewer is stored under the name they gave; named reviewers keep their id', () => {
		const answer = (id: string, name?: string) =>
			toDecisionRecord(
				{
					caseId: 'c',
					draft,
					review: {
						decision: 'approved',
						reviewers: [{ id, ...(name !== undefined && { name }), decision: 'approved', at: '2026-11-01T10:01:00.000Z' }],
						requestedAt: '2026-11-01T10:00:00.000Z',
					},
				},
				context,
			).reviewers[0];
		expect(answer('link', 'Rita Reviewer')).toMatchObject({ id: 'link:rita reviewer', name: 'Rita Reviewer' });
		// the same person typing their name a little differently is still one reviewer
		expect(answer('link', '  rita   REVIEWER ').id).toBe('link:rita reviewer');
		expect(answer('link', 'Sam').id).toBe('link:sam');
		expect(answer('link').id).toBe('link');
		expect(answer('link', '  ').id).toBe('link');
		expect(answer('ann@example.com', 'Ann')).toMatchObject({ id: 'ann@example.com', name: 'Ann' });
	});

	test('the outcome without a review comes from the gate', () => {
		const gate = (route: 'auto' | 'block' | 'review') => ({ route, reasons: [], threshold: 0.8, sampledForAudit: false, shadow: false, breakerOpen: false });
		expect(toDecisionRecord({ caseId: 'a', draft, gate: gate('auto') }, context).decision).toBe('auto');
		expect(toDecisionRecord({ caseId: 'b', draft, gate: gate('block') }, context).decision).toBe('blocked');
		expect(toDecisionRecord({ caseId: 'c', draft }, context)).toMatchObject({ decision: 'none', route: null, finalText: null });
		// routed to review with no review: unanswered when it passed a Human Approval Wait, else unknown
		expect(toDecisionRecord({ caseId: 'd', draft, gate: gate('review') }, context).decision).toBe('none');
		expect(toDecisionRecord({ caseId: 'e', draft, gate: gate('review') }, { ...context, afterApprovalWait: true })).toMatchObject({
			decision: 'timedOut',
			route: 'review',
			timeToDecisionMs: null,
		});
		expect(toDecisionRecord({ caseId: 'f', draft, gate: gate('auto') }, { ...context, afterApprovalWait: true }).decision).toBe('auto');
	});

	test('privacy mode keeps hashes only', () => {
		const record = toDecisionRecord(
			{
				caseId: 'c',
				draft,
				review: {
					decision: 'rejected',
					reviewers: [{ id: 'bob', decision: 'rejected', comment: 'wrong order number', at: '2026-11-01T10:00:10.000Z' }],
					requestedAt: '2026-11-01T10:00:00.000Z',
				},
			},
			{ ...context, privacyMode: true },
		);
		expect(record.textsHashed).toBe(true);
		expect(record.draftText).toBe(hashText('It ships today.'));
		expect(record.inputText).toBe(hashText('Where is my parcel?'));
		expect(record.comment).toBe(hashText('wrong order number'));
		expect(record.reviewers[0].comment).toBe(hashText('wrong order number'));
		expect(hashText('x')).toMatch(/^sha256:[0-9a-f]{64}$/);
	});
});

test('editDistance is the Levenshtein distance', () => {
	expect(editDistance('kitten', 'sitting')).toBe(3);
	expect(editDistance('', 'abc')).toBe(3);
	expect(editDistance('abc', '')).toBe(3);
	expect(editDistance('flaw', 'lawn')).toBe(2);
	expect(editDistance('same', 'same')).toBe(0);
	expect(editDistance('sitting', 'kitten')).toBe(3);
});

describe('wilsonLowerBound and recommendThreshold', () => {
	test('the Wilson lower bound matches hand-computed values', () => {
		expect(wilsonLowerBound(90, 100)).toBeCloseTo(0.839638, 5);
		expect(wilsonLowerBound(99, 100)).toBeCloseTo(0.956413, 5);
		expect(wilsonLowerBound(100, 100)).toBeCloseTo(0.973653, 5);
		expect(wilsonLowerBound(99, 100, 2.326)).toBeCloseTo(0.931077, 5);
		expect(wilsonLowerBound(0, 0)).toBe(0);
	});

	const bins = [
		{ percent: 95, count: 100, correct: 99 },
		{ percent: 80, count: 100, correct: 90 },
		{ percent: 50, count: 100, correct: 50 },
	];

	test('picks the lowest threshold whose lower bound reaches the target', () => {
		expect(recommendThreshold(bins, { targetPrecision: 0.95, minSamples: 50 })).toEqual({
			status: 'recommended',
			threshold: 0.95,
			precision: 0.99,
			lowerBound: expect.closeTo(0.956413, 5),
			samples: 100,
			coverage: 100 / 300,
			labelled: 300,
		});
		// At 0.80: 189 of 200, bound 0.912 — enough for a 0.9 target, which then goes lower.
		expect(recommendThreshold(bins, { targetPrecision: 0.9, minSamples: 50 })).toMatchObject({ threshold: 0.8, samples: 200 });
	});

	test('refuses below the minimum sample size, and says when no threshold is good enough', () => {
		expect(recommendThreshold(bins, { targetPrecision: 0.95, minSamples: 150 })).toMatchObject({ status: 'unreachable' });
		expect(recommendThreshold(bins, { targetPrecision: 0.95, minSamples: 301 })).toMatchObject({
			status: 'insufficientData',
			labelled: 300,
			minSamples: 301,
		});
		expect(() => recommendThreshold(bins, { targetPrecision: 1 })).toThrow(RangeError);
	});

	test('samples and bins give the same answer', () => {
		const samples = bins.flatMap((bin) =>
			Array.from({ length: bin.count }, (_, i) => ({ confidence: bin.percent / 100 + 0.004, correct: i < bin.correct })),
		);
		expect(binsFromSamples(samples).sort((a, b) => a.percent - b.percent)).toEqual([...bins].reverse());
		expect(recommendThreshold(samples, { targetPrecision: 0.95, minSamples: 50 })).toEqual(
			recommendThreshold(bins, { targetPrecision: 0.95, minSamples: 50 }),
		);
	});
});

test('calibrate: a perfectly calibrated model has no calibration error', () => {
	const report = calibrate([
		{ model: 'm', promptVersion: null, percent: 20, count: 10, correct: 2, sumConfidence: 2, sumSquaredError: 1.6 },
		{ model: 'm', promptVersion: null, percent: 90, count: 10, correct: 9, sumConfidence: 9, sumSquaredError: 0.9 },
	]);
	expect(report.expectedCalibrationError).toBeCloseTo(0, 12);
	expect(report.brierScore).toBeCloseTo(0.125, 12);
	expect(report.accuracy).toBeCloseTo(0.55, 12);
	expect(report.bins[2]).toEqual({ lower: 0.2, upper: 0.3, count: 10, meanConfidence: 0.2, accuracy: 0.2 });
	expect(calibrate([]).expectedCalibrationError).toBeNull();
});

describe('exportRecords', () => {
	const stored = (overrides: Partial<StoredDecision>): StoredDecision => ({ ...baseDecision(overrides), id: '1', ...overrides });
	const approved = stored({ id: '1', decision: 'approved', finalText: 'It ships today.' });
	const edited = stored({ id: '2', decision: 'edited', finalText: 'It ships today, sorry!', edited: true });
	const rejected = stored({ id: '3', decision: 'rejected', finalText: null });
	const hashed = stored({ id: '4', decision: 'edited', textsHashed: true, inputText: hashText('q'), finalText: hashText('a') });
	const noInput = stored({ id: '5', decision: 'approved', inputText: null });

	test('fine-tuning JSONL: approved and edited replies as chat examples', () => {
		const chunk = exportRecords([approved, edited, rejected, hashed, noInput], 'openaiFineTuning', { systemPrompt: 'Be brief.' });
		expect(chunk.included).toBe(2);
		expect(chunk.skipped).toBe(3);
		expect(chunk.content.trim().split('\n').map((line) => JSON.parse(line))).toEqual([
			{ messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Where is my parcel?' }, { role: 'assistant', content: 'It ships today.' }] },
			{ messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Where is my parcel?' }, { role: 'assistant', content: 'It ships today, sorry!' }] },
		]);
	});

	test('preference JSONL: the reviewer text preferred over the draft', () => {
		const chunk = exportRecords([approved, edited, hashed], 'preference');
		expect(chunk.included).toBe(1);
		expect(JSON.parse(chunk.content)).toEqual({
			input: { messages: [{ role: 'user', content: 'Where is my parcel?' }] },
			preferred_output: [{ role: 'assistant', content: 'It ships today, sorry!' }],
			non_preferred_output: [{ role: 'assistant', content: 'It ships today.' }],
		});
	});

	test('CSV: quoted cells, no formulas, one line per decision', () => {
		expect(csvCell('plain')).toBe('plain');
		expect(csvCell('a, "b"\nc')).toBe('"a, ""b""\nc"');
		expect(csvCell('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
		expect(csvCell(-3)).toBe('-3');
		expect(csvCell(null)).toBe('');
		expect(csvCell(['pii.email', 'disclosure.apr'])).toBe('pii.email;disclosure.apr');
		const chunk = exportRecords([approved, edited], 'csv');
		const lines = (csvHeader() + chunk.content).trim().split('\r\n');
		expect(lines).toHaveLength(3);
		expect(lines[0].split(',')).toContain('finalText');
		expect(lines[2]).toContain('"It ships today, sorry!"');
	});
});

describe('renderCharts', () => {
	test('override rate over time: one point per bucket that had reviews, escaped labels', () => {
		const svg = renderOverrideRateChart(
			[
				{ bucketStart: '2026-11-01T00:00:00.000Z', reviewed: 10, overrideRate: 0.2 },
				{ bucketStart: '2026-11-02T00:00:00.000Z', reviewed: 0, overrideRate: null },
				{ bucketStart: '2026-11-03T00:00:00.000Z', reviewed: 5, overrideRate: 0.6 },
			],
			'Overrides <last 7 days>',
		);
		expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
		expect(svg.match(/<circle /g)).toHaveLength(2);
		expect(svg).toContain('Overrides &lt;last 7 days&gt;');
		expect(svg).toMatch(/<path d="M56\.0,[\d.]+ L624\.0,[\d.]+"/);
		expect(renderOverrideRateChart([])).toContain('No reviewed decisions');
	});

	test('reliability diagram: a bar per non-empty bin and the diagonal', () => {
		const report = calibrate([
			{ model: null, promptVersion: null, percent: 35, count: 4, correct: 1, sumConfidence: 1.4, sumSquaredError: 0 },
			{ model: null, promptVersion: null, percent: 95, count: 4, correct: 4, sumConfidence: 3.8, sumSquaredError: 0 },
		]);
		const svg = renderReliabilityDiagram(report.bins);
		expect(svg.match(/<rect x=/g)).toHaveLength(2);
		expect(svg).toContain('stroke-dasharray');
		expect(svg).toContain('90–100%: 4 drafts, 100% approved');
	});
});

describe('storeConfigFromCredential', () => {
	test('no credential: the embedded file in the n8n user folder', () => {
		expect(storeConfigFromCredential(undefined)).toEqual({ backend: 'embedded', filePath: defaultEmbeddedPath() });
		expect(defaultEmbeddedPath({ N8N_USER_FOLDER: '/data' })).toBe(join('/data', '.n8n', 'hitl.sqlite'));
		expect(storeConfigFromCredential({ backend: 'embedded', filePath: ' /x/h.sqlite ' })).toEqual({ backend: 'embedded', filePath: '/x/h.sqlite' });
	});

	test('PostgreSQL: fields, SSL modes, and an error that names the field', () => {
		expect(
			storeConfigFromCredential({ backend: 'postgres', host: 'db', port: '6543', database: 'hitl', user: 'n8n', password: 'p', ssl: 'allowUnauthorized' }),
		).toEqual({ backend: 'postgres', host: 'db', port: 6543, database: 'hitl', user: 'n8n', password: 'p', ssl: 'allowUnauthorized', maxConnections: undefined });
		expect(storeConfigFromCredential({ backend: 'postgres', host: 'db', database: 'd', user: 'u', ssl: 'require' })).toMatchObject({ port: 5432, ssl: true });
		expect(() => storeConfigFromCredential({ backend: 'postgres', host: '', database: 'd', user: 'u' })).toThrow(/host/);
		expect(() => storeConfigFromCredential({ backend: 'mysql' })).toThrow(/HITL Store credential/);
	});
});
