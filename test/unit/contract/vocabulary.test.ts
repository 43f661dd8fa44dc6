/**
 * One vocabulary (issue 13, item 3): decisions, routes, confidence methods and the labelling rule
 * are declared once, in the item contract. The store writes its SQL by hand, so this file checks
 * that SQL against the contract twice over:
 * - by behaviour: one decision of every outcome goes into a real embedded store, and every store
 *   read that counts labels must count exactly the contract's labelled decisions;
 * - by reading the store's source: every decision or route literal its SQL names must be one of
 *   the contract's, and every list of decisions must be the labelled or the override list.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { computeMetrics } from '../../../nodes/FeedbackLog/computeMetrics';
import { llmDraftDescription } from '../../../nodes/LlmDraft/description';
import {
	CONFIDENCE_METHODS,
	DECISION_OUTCOMES,
	GATE_ROUTES,
	isLabelledDecision,
	LABELLED_DECISIONS,
	OVERRIDE_DECISIONS,
	REVIEW_DECISIONS,
} from '../../../nodes/shared/itemContract';
import { DECISION_OUTCOMES as STORE_DECISION_OUTCOMES, openHitlStore, type HitlStore } from '../../../nodes/shared/store';
import { baseDecision } from '../store/fixtures/decisions';

const STORE_DIR = join(__dirname, '../../../nodes/shared/store');

function sourceFiles(dir: string): string[] {
	return readdirSync(dir).flatMap((name) => {
		const path = join(dir, name);
		if (statSync(path).isDirectory()) return sourceFiles(path);
		return name.endsWith('.ts') ? [path] : [];
	});
}

test('the labelled decisions are the accepted one and the overrides, all of them review decisions', () => {
	expect([...LABELLED_DECISIONS].sort()).toEqual(['approved', 'edited', 'rejected']);
	expect([...OVERRIDE_DECISIONS].sort()).toEqual(['edited', 'rejected']);
	for (const decision of LABELLED_DECISIONS) expect(REVIEW_DECISIONS).toContain(decision);
	expect(DECISION_OUTCOMES.filter(isLabelledDecision)).toEqual([...LABELLED_DECISIONS]);
});

test('the store exports the contract\'s decision outcomes, not a copy of its own', () => {
	expect(STORE_DECISION_OUTCOMES).toBe(DECISION_OUTCOMES);
});

test('LLM Draft offers exactly the contract\'s confidence methods', () => {
	const method = llmDraftDescription.find((property) => property.name === 'confidenceMethod');
	const offered = (method?.options ?? []).map((option) => (option as { value: string }).value);
	expect(offered.sort()).toEqual([...CONFIDENCE_METHODS].sort());
});

describe('the store\'s SQL, read as text', () => {
	const sources = sourceFiles(STORE_DIR).map((path) => ({ path, text: readFileSync(path, 'utf8') }));
	const known = new Set<string>([...DECISION_OUTCOMES, ...GATE_ROUTES]);

	test('every list of quoted decisions is the labelled list or the override list', () => {
		const lists: string[][] = [];
		for (const { text } of sources) {
			for (const match of text.matchAll(/\(\s*'[A-Za-z]+'(?:\s*,\s*'[A-Za-z]+')+\s*\)/g)) {
				lists.push([...match[0].matchAll(/'([A-Za-z]+)'/g)].map((word) => word[1]));
			}
		}
		const decisionLists = lists.filter((words) => words.every((word) => (DECISION_OUTCOMES as readonly string[]).includes(word)));
		const wanted = [LABELLED_DECISIONS, OVERRIDE_DECISIONS].map((list) => [...list].sort().join(','));
		for (const words of decisionLists) expect(wanted).toContain([...words].sort().join(','));
		// Either the SQL spells the labelled list (checked above) or it is built from the contract's.
		const importsIt = sources.some(({ text }) => /LABELLED_DECISIONS/.test(text) && /itemContract/.test(text));
		expect(decisionLists.length > 0 || importsIt).toBe(true);
	});

	test('every decision or route the SQL compares with is one of the contract\'s', () => {
		const named: string[] = [];
		for (const { text } of sources) {
			for (const match of text.matchAll(/\b(?:decision|route)\s*(?:=|<>|!=)\s*'([A-Za-z]+)'/g)) named.push(match[1]);
		}
		expect(named.length).toBeGreaterThan(0);
		for (const word of named) expect(known).toContain(word);
	});
});

describe('the store\'s reads count the contract\'s labelled decisions, and only those', () => {
	let dir: string;
	let store: HitlStore;
	const filter = { since: '2026-01-01T00:00:00.000Z', until: '2027-01-01T00:00:00.000Z' };
	const labelled = DECISION_OUTCOMES.filter(isLabelledDecision);
	const overridden = labelled.filter((decision) => (OVERRIDE_DECISIONS as readonly string[]).includes(decision));

	beforeAll(async () => {
		dir = mkdtempSync(join(tmpdir(), 'hitl-vocabulary-'));
		store = await openHitlStore({ backend: 'embedded', filePath: join(dir, 'hitl.sqlite') });
		// One score-routed draft per outcome, all alike but for the decision.
		await store.recordDecisions(
			DECISION_OUTCOMES.map((decision, itemIndex) =>
				baseDecision({ itemIndex, caseId: `case-${decision}`, decision, route: 'review', reviewProbability: 1, confidence: 0.8 }),
			),
		);
	});
	afterAll(async () => {
		await store?.close();
		rmSync(dir, { recursive: true, force: true });
	});

	test('the drift detector\'s labelled drafts', async () => {
		const rows = await store.labelledDecisions({ ...filter, limit: 100 });
		expect(rows).toHaveLength(labelled.length);
		expect(rows.filter((row) => row.approved)).toHaveLength(1);
	});

	test('the calibration bins and the gate\'s routed bins', async () => {
		const bins = (await store.decisionStats(filter, { rubberStampMs: 0, bucketMs: 86_400_000 })).confidenceBins;
		expect(bins.reduce((sum, bin) => sum + bin.count, 0)).toBe(labelled.length);
		const routed = await store.routedBins(filter);
		expect(routed.reduce((sum, bin) => sum + bin.labelled, 0)).toBe(labelled.length);
		expect(routed.reduce((sum, bin) => sum + bin.routed, 0)).toBe(DECISION_OUTCOMES.length);
	});

	test('the Feedback Log\'s metrics', async () => {
		const metrics = computeMetrics(await store.decisionStats(filter, { rubberStampMs: 0, bucketMs: 86_400_000 }), { rubberStampMs: 0 });
		expect(metrics.reviewed).toBe(labelled.length);
		expect(metrics.overrideRate).toBeCloseTo(overridden.length / labelled.length, 10);
		expect(Object.keys(metrics.byDecision)).toEqual([...DECISION_OUTCOMES]);
	});
});
