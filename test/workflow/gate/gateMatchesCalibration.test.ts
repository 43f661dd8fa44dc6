/**
 * Issue 13, item 2: the threshold a Confidence Gate adapting to reviewers applies is exactly the
 * one the Feedback Log's Calibration operation reports in `learnedThresholds` for the same
 * decisions — one function (nodes/shared/calibration/learnedThresholds.ts) over one store read
 * (routedBins). Both real nodes, one embedded store.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { IDataObject } from 'n8n-workflow';

import { openHitlStore } from '../../../nodes/shared/store';
import type { DecisionRecord } from '../../../nodes/shared/store/types';
import { baseDecision, seededRandom } from '../../unit/store/fixtures/decisions';
import { oneNodeWorkflow, runWorkflow } from '../harness';

const WORKFLOW_ID = 'workflow-test'; // the id the harness gives every workflow
const credentialsFor = (filePath: string) => ({ hitlStore: { backend: 'embedded', filePath } });
const storeCredential = { hitlStore: { id: '1', name: 'HITL store' } };

/**
 * 2,000 score-routed drafts of two prompt versions over the last day: reviewed below 0.86 (π = 1),
 * audited at 5 % above (π = 0.05) and otherwise sent alone; approved with P = σ(−0.2 + 1.2·logit s)
 * (v1) or σ(−0.8 + 1.1·logit s) (v2).
 */
function decisions(): DecisionRecord[] {
	const random = seededRandom(12);
	const start = Date.now() - 86_400_000;
	return Array.from({ length: 2000 }, (_, index) => {
		const promptVersion = index % 3 === 0 ? 'v2' : 'v1';
		const u = 1 - random();
		const normal = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
		const score = Math.round((1 / (1 + Math.exp(-(2.4 + 1.2 * normal)))) * 100) / 100;
		const logit = Math.log(Math.min(0.995, Math.max(0.005, score)) / (1 - Math.min(0.995, Math.max(0.005, score))));
		const p = promptVersion === 'v1' ? 1 / (1 + Math.exp(0.2 - 1.2 * logit)) : 1 / (1 + Math.exp(0.8 - 1.1 * logit));
		const reviewProbability = score < 0.86 ? 1 : 0.05;
		const labelled = score < 0.86 || random() < 0.05;
		const approved = random() < p;
		return baseDecision({
			executionId: `exec-${index}`,
			caseId: `case-${index}`,
			workflowId: WORKFLOW_ID,
			promptVersion,
			confidence: score,
			route: labelled ? 'review' : 'auto',
			decision: labelled ? (approved ? 'approved' : 'edited') : 'auto',
			sampledForAudit: labelled && score >= 0.86,
			reviewProbability,
			recordedAt: new Date(start + index * 30_000).toISOString(),
		});
	});
}

function drafted(ticket: string, promptVersion: string): IDataObject {
	return {
		ticket,
		hitl: {
			caseId: ticket,
			draft: {
				text: 'Your parcel left our warehouse today.',
				model: 'gpt-4o-mini',
				promptVersion,
				confidence: { score: 1, method: 'verbalized', signals: {} },
				riskFlags: [],
				usage: { promptTokens: 1, completionTokens: 1 },
				latencyMs: 1,
			},
		},
	};
}

describe('the gate applies what the Calibration report recommends', () => {
	let dir: string;
	let filePath: string;
	beforeEach(() => {
		dir = mkdtempSync(join(tmpdir(), 'hitl-gate-calibration-'));
		filePath = join(dir, 'hitl.sqlite');
	});
	afterEach(() => rmSync(dir, { recursive: true, force: true }));

	test.each([0.9, 0.95])('same threshold per prompt version, to the last digit, at target %s', async (targetPrecision) => {
		const store = await openHitlStore({ backend: 'embedded', filePath });
		try {
			await store.recordDecisions(decisions());
		} finally {
			await store.close();
		}

		const report = (
			await runWorkflow(
				oneNodeWorkflow('Feedback Log', 'n8n-nodes-hitl.feedbackLog', {
					parameters: { operation: 'calibration', lastDays: 30, targetPrecision, minSamples: 100, filters: { workflowId: WORKFLOW_ID } },
					credentials: storeCredential,
				}),
				{ credentials: credentialsFor(filePath) },
			)
		).output('Feedback Log')[0].json;
		const recommended = report.learnedThresholds as { promptVersion: string; status: string; threshold?: number; lowerBound?: number }[];
		expect(recommended.map((entry) => entry.promptVersion)).toEqual(['v1', 'v2']);

		const gate = await runWorkflow(
			oneNodeWorkflow('Confidence Gate', 'n8n-nodes-hitl.confidenceGate', {
				typeVersion: 2,
				parameters: { threshold: 0.85, adapt: true, targetPrecision, minSamples: 100, learnDays: 30, breaker: false },
				credentials: storeCredential,
			}),
			{ input: [drafted('v1', 'v1'), drafted('v2', 'v2')], credentials: credentialsFor(filePath) },
		);
		expect(gate.status).toBe('success');
		const applied = new Map(
			[...gate.output('Confidence Gate', 0), ...gate.output('Confidence Gate', 1)].map((item) => [
				item.json.ticket as string,
				(item.json.hitl as { gate: { threshold: number; reasons: { detail: string }[] } }).gate,
			]),
		);
		for (const entry of recommended) {
			const gateOfVersion = applied.get(entry.promptVersion)!;
			// Not learned: the gate reviews everything (threshold 1), as the report's status says.
			expect(gateOfVersion.threshold).toBe(entry.status === 'learned' ? entry.threshold : 1);
			if (entry.status === 'learned') expect(gateOfVersion.reasons.map((reason) => reason.detail).join(' ')).toContain(`95 % lower bound ${entry.lowerBound!.toFixed(3)}`);
		}
		// The data make at least one version learn something at 0.9, so the equality is not vacuous.
		if (targetPrecision === 0.9) expect(recommended.some((entry) => entry.status === 'learned')).toBe(true);
	});
});
