/**
 * Drives one draft stream through the REAL compiled nodes (dist/, as n8n loads them), one workflow
 * execution per batch, with n8n-core's WorkflowExecute (test/workflow/harness.ts):
 *
 *   Start ─▶ Confidence Gate ─┬─ Auto ───────────────────────────▶ Log auto      (Feedback Log, Record)
 *                             ├─ Review ─▶ Simulated Reviewer ───▶ Log reviewed  (Feedback Log, Record)
 *                             └─ Block ──────────────────────────▶ Log blocked   (Feedback Log, Record)
 *
 * over one embedded HITL store (a SQLite file in a temp folder), so the gate learns only what the
 * Feedback Log recorded. Three Log nodes, not one: in one execution n8n runs a node once per branch
 * that reaches it, and the Feedback Log's idempotency key (execution, node, item index) would then
 * drop the second branch's items as duplicates of the first's.
 *
 * The nodes read the wall clock (Date); the caller moves a simulated clock before each execution.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { IDataObject, INode, INodeCredentials, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { PROJECT_ROOT } from '../../test/support/packageNodes';
import { runWorkflow, type WorkflowJson } from '../../test/workflow/harness';
import { readGate, type GateReading, type GateStrategy } from './gateConfig';
import type { Draft } from './scenarios';
import { REVIEWER_FIELD, SIMULATED_REVIEWER_TYPE, SimulatedReviewer } from './simulatedReviewer';

/** What the gate did with one draft (read through gateConfig's readGate). */
export type DraftOutcome = GateReading;

export interface SimulationOptions {
	batchSize: number;
	draftsPerDay: number;
	/** Simulated time of the first draft (ms since the epoch). */
	startMs: number;
	/** Moves the clock the nodes read. */
	setClock(ms: number): void;
}

const GATE = 'Confidence Gate';
const LOGS = ['Log auto', 'Log reviewed', 'Log blocked'] as const;
const DAY_MS = 86_400_000;

function benchWorkflow(strategy: GateStrategy): WorkflowJson {
	const store = { hitlStore: { id: '1', name: 'HITL store' } };
	const node = (id: string, name: string, type: string, parameters: INodeParameters, credentials?: INodeCredentials): INode => ({
		id,
		name,
		type,
		// The gate at its current version (2); the other nodes have one version.
		typeVersion: type === 'n8n-nodes-hitl.confidenceGate' ? 2 : 1,
		position: [0, 0] as [number, number],
		parameters,
		...(credentials ? { credentials } : {}),
	});
	const to = (name: string) => [{ node: name, type: 'main' as const, index: 0 }];
	return {
		name: 'gate benchmark',
		nodes: [
			node('1', 'Start', 'n8n-nodes-base.manualTrigger', {}),
			node('2', GATE, 'n8n-nodes-hitl.confidenceGate', strategy.parameters, store),
			node('3', 'Simulated Reviewer', SIMULATED_REVIEWER_TYPE, {}),
			...LOGS.map((name, index) => node(`${4 + index}`, name, 'n8n-nodes-hitl.feedbackLog', { operation: 'record' }, store)),
		],
		connections: {
			Start: { main: [to(GATE)] },
			[GATE]: { main: [to('Log auto'), to('Simulated Reviewer'), to('Log blocked')] },
			'Simulated Reviewer': { main: [to('Log reviewed')] },
		},
	};
}

function asItem(draft: Draft): IDataObject {
	return {
		ticket: draft.caseId,
		[REVIEWER_FIELD]: { reviewerDecision: draft.reviewerDecision },
		hitl: {
			caseId: draft.caseId,
			draft: {
				text: `Reply ${draft.index} about ${draft.intent}.`,
				model: draft.model,
				promptVersion: draft.promptVersion,
				confidence: { score: draft.score, method: 'verbalized', signals: {} },
				intent: draft.intent,
				riskFlags: [],
				usage: { promptTokens: 100, completionTokens: 50 },
				latencyMs: 1,
			},
		},
	};
}

/** Closes the compiled store module's shared connections (the gate keeps one per store). */
async function closeStores(): Promise<void> {
	// eslint-disable-next-line @typescript-eslint/no-require-imports -- the compiled module the nodes use, not the source
	const compiled = require(join(PROJECT_ROOT, 'dist/nodes/shared/store/index.js')) as { closeSharedHitlStores?: () => Promise<void> };
	await compiled.closeSharedHitlStores?.();
}

/** Runs the stream through the strategy's gate and returns what the gate did with each draft. */
export async function simulate(stream: Draft[], strategy: GateStrategy, options: SimulationOptions): Promise<DraftOutcome[]> {
	const dir = mkdtempSync(join(tmpdir(), 'hitl-gate-bench-'));
	const credentials = { hitlStore: { backend: 'embedded', filePath: join(dir, 'hitl.sqlite') } };
	const workflow = benchWorkflow(strategy);
	const extraNodeTypes = { [SIMULATED_REVIEWER_TYPE]: new SimulatedReviewer() };
	const outcomes: DraftOutcome[] = new Array(stream.length);
	try {
		for (let first = 0, batch = 0; first < stream.length; first += options.batchSize, batch++) {
			const drafts = stream.slice(first, first + options.batchSize);
			options.setClock(options.startMs + Math.round((first / options.draftsPerDay) * DAY_MS));
			const run = await runWorkflow(workflow, {
				input: drafts.map(asItem),
				credentials,
				executionId: `${strategy.key}-${batch}`,
				extraNodeTypes,
			});
			if (run.status !== 'success') throw new Error(`Execution ${batch} of "${strategy.label}" failed: ${run.error?.message}`);
			const byCase = new Map(drafts.map((draft) => [draft.caseId, draft.index]));
			let routed = 0;
			(['auto', 'review', 'block'] as const).forEach((route, output) => {
				for (const item of run.output(GATE, output)) {
					const gate = readGate((item.json.hitl as { gate: Parameters<typeof readGate>[0] }).gate);
					const index = byCase.get(String(item.json.ticket));
					if (index === undefined || gate.route !== route) throw new Error(`Unexpected item on the gate's ${route} output`);
					outcomes[index] = gate;
					routed++;
				}
			});
			const logged = LOGS.reduce((sum, name) => sum + logOutput(run, name).filter((item) => (item.json.hitl as IDataObject).logged).length, 0);
			if (routed !== drafts.length || logged !== drafts.length) {
				throw new Error(`Execution ${batch}: ${drafts.length} drafts in, ${routed} routed, ${logged} logged`);
			}
		}
	} finally {
		await closeStores();
		rmSync(dir, { recursive: true, force: true });
	}
	return outcomes;
}

function logOutput(run: Awaited<ReturnType<typeof runWorkflow>>, name: string): INodeExecutionData[] {
	return run.executionOrder.includes(name) ? run.output(name) : [];
}
