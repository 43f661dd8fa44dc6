/**
 * The Feedback Log node in real workflows (n8n-core over the compiled node), against a real
 * store: an embedded SQLite file in a temp dir, and once against a real PostgreSQL server.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { IBinaryData, IDataObject, INodeParameters } from 'n8n-workflow';

import { openHitlStore, type StoreConfig } from '../../../nodes/shared/store';
import { startPostgres } from '../../support/postgres';
import { oneNodeWorkflow, runWorkflow, type WorkflowJson } from '../harness';

jest.setTimeout(120_000);

const LOG = 'Feedback Log';

function logWorkflow(parameters: INodeParameters, nodeExtras: Record<string, unknown> = {}, withCredential = true): WorkflowJson {
	return oneNodeWorkflow(LOG, 'n8n-nodes-hitl.feedbackLog', {
		parameters,
		...(withCredential && { credentials: { hitlStore: { id: 'store', name: 'HITL Store' } } }),
		...nodeExtras,
	});
}

const requestedAt = new Date(Date.now() - 3_600_000).toISOString();
const at = (seconds: number) => new Date(Date.parse(requestedAt) + seconds * 1000).toISOString();

function decided(caseId: string, options: { score: number; route: 'auto' | 'review' | 'block'; decision?: string; finalText?: string; seconds?: number; audit?: boolean }): IDataObject {
	const hitl: IDataObject = {
		caseId,
		draft: {
			text: `Draft for ${caseId}`,
			model: 'gpt-test',
			promptVersion: 'p1',
			confidence: { score: options.score, method: 'logprobs', signals: {} },
			riskFlags: [],
			usage: { promptTokens: 100, completionTokens: 20, costUsd: 0.01 },
			latencyMs: 5,
		},
		compliance: {
			passed: true,
			rulesetVersion: 'r1',
			checkedField: 'hitl.draft.text',
			violations: caseId === 'c2' ? [{ ruleId: 'pii.email', kind: 'pii', severity: 'review', message: 'e-mail address' }] : [],
		},
		gate: { route: options.route, reasons: [], threshold: 0.8, sampledForAudit: options.audit ?? false, shadow: false, breakerOpen: false },
	};
	if (options.decision) {
		hitl.review = {
			decision: options.decision,
			...(options.finalText !== undefined && { finalText: options.finalText }),
			reviewers: [{ id: 'ana', decision: options.decision, comment: 'looked at it', at: at(options.seconds ?? 30) }],
			requestedAt,
			decidedAt: at(options.seconds ?? 30),
		};
	}
	return { ticket: caseId, message: `Customer message ${caseId}`, hitl };
}

const input = [
	decided('c1', { score: 0.95, route: 'auto' }),
	decided('c2', { score: 0.6, route: 'review', decision: 'edited', finalText: 'A better reply', seconds: 40 }),
	// an audit sample: confident enough to go out alone, sent to a person by the gate's Audit Sample Rate
	decided('c3', { score: 0.7, route: 'review', decision: 'approved', seconds: 2, audit: true }),
	decided('c4', { score: 0.4, route: 'review', decision: 'rejected', seconds: 90 }),
];

const decodeBinary = (binary: IBinaryData) => Buffer.from(binary.data, 'base64').toString('utf8');

describe('Feedback Log in a workflow (embedded store)', () => {
	let dir: string;
	let config: StoreConfig;
	const credentials = () => ({ hitlStore: { backend: 'embedded', filePath: (config as { filePath: string }).filePath } });

	beforeEach(() => {
		dir = mkdtempSync(join(tmpdir(), 'hitl-feedback-'));
		config = { backend: 'embedded', filePath: join(dir, 'hitl.sqlite') };
	});
	afterEach(() => rmSync(dir, { recursive: true, force: true }));

	test('records one row per item, marks items as logged, and a retried execution adds nothing', async () => {
		const workflow = logWorkflow({ operation: 'record', inputTextField: 'message' });
		const run = await runWorkflow(workflow, { input, credentials: credentials(), executionId: '41' });
		expect(run.status).toBe('success');
		const out = run.output(LOG);
		expect(out.map((item) => item.json.ticket)).toEqual(['c1', 'c2', 'c3', 'c4']);
		expect(out.map((item) => item.pairedItem)).toEqual([0, 1, 2, 3].map((item) => ({ item })));
		const logged = out.map((item) => (item.json.hitl as IDataObject).logged as IDataObject);
		expect(logged[0]).toMatchObject({ store: `sqlite:${join(dir, 'hitl.sqlite')}` });
		expect(new Set(logged.map((entry) => entry.id)).size).toBe(4);

		const retry = await runWorkflow(workflow, { input, credentials: credentials(), executionId: '41' });
		expect(retry.output(LOG).map((item) => ((item.json.hitl as IDataObject).logged as IDataObject).id)).toEqual(
			logged.map((entry) => entry.id),
		);

		const store = await openHitlStore(config);
		try {
			expect(await store.countDecisions()).toBe(4);
			const rows = await store.listDecisions();
			expect(rows[1]).toMatchObject({
				executionId: '41',
				nodeName: LOG,
				itemIndex: 1,
				caseId: 'c2',
				workflowId: 'workflow-test',
				route: 'review',
				decision: 'edited',
				confidence: 0.6,
				model: 'gpt-test',
				promptVersion: 'p1',
				inputText: 'Customer message c2',
				draftText: 'Draft for c2',
				finalText: 'A better reply',
				edited: true,
				editDistance: expect.any(Number),
				ruleIds: ['pii.email'],
				timeToDecisionMs: 40_000,
				costUsd: 0.01,
			});
			expect(rows[2]).toMatchObject({ decision: 'approved', finalText: 'Draft for c3', edited: false, editDistance: 0 });
			expect(rows[0]).toMatchObject({ decision: 'auto', route: 'auto', reviewers: [] });
		} finally {
			await store.close();
		}
	});

	test('privacy mode stores hashes instead of texts', async () => {
		const run = await runWorkflow(logWorkflow({ operation: 'record', inputTextField: 'message', privacyMode: true }), {
			input: [input[1]],
			credentials: credentials(),
		});
		expect(run.status).toBe('success');
		const store = await openHitlStore(config);
		try {
			const [row] = await store.listDecisions();
			expect(row.textsHashed).toBe(true);
			for (const text of [row.inputText, row.draftText, row.finalText, row.comment, row.reviewers[0].comment]) {
				expect(text).toMatch(/^sha256:[0-9a-f]{64}$/);
			}
			expect(JSON.stringify(row)).not.toContain('Customer message');
			expect(JSON.stringify(row)).not.toContain('A better reply');
		} finally {
			await store.close();
		}
	});

	test('an item without hitl fails the node with its index, or goes on with continue-on-fail', async () => {
		const items = [input[0], { ticket: 'plain' }];
		const failed = await runWorkflow(logWorkflow({ operation: 'record' }), { input: items, credentials: credentials() });
		expect(failed.status).toBe('error');
		expect(failed.error?.message).toMatch(/Item 2: hitl is missing/);

		const goesOn = await runWorkflow(logWorkflow({ operation: 'record' }, { onError: 'continueRegularOutput' }), {
			input: items,
			credentials: credentials(),
		});
		expect(goesOn.status).toBe('success');
		const out = goesOn.output(LOG);
		expect(out).toHaveLength(2);
		expect((out[0].json.hitl as IDataObject).logged).toBeDefined();
		expect(out[1].json).toMatchObject({ ticket: 'plain', error: expect.stringMatching(/hitl is missing/) });
		expect(out[1].pairedItem).toEqual({ item: 1 });
	});

	test('metrics, calibration, export and retention over what was recorded', async () => {
		await runWorkflow(logWorkflow({ operation: 'record', inputTextField: 'message' }), { input, credentials: credentials() });

		const metricsRun = await runWorkflow(logWorkflow({ operation: 'metrics', lastDays: 7, rubberStampSeconds: 5, includeCharts: true }), {
			credentials: credentials(),
		});
		expect(metricsRun.status).toBe('success');
		const [metrics] = metricsRun.output(LOG);
		expect(metrics.json).toMatchObject({ volume: 4, reviewed: 3, overrideRate: 2 / 3, rejectionRate: 1 / 3, autoRate: 0.25 });
		expect(metrics.json.autoPrecision).toMatchObject({ audited: 1, approved: 1, precision: 1 });
		expect(metrics.json.reviewers).toEqual([
			expect.objectContaining({ reviewerId: 'ana', decisions: 3, approvals: 1, fastApprovals: 1, rubberStamp: true, medianDecisionMs: 40_000 }),
		]);
		expect(metrics.binary?.overrideRateChart.mimeType).toBe('image/svg+xml');
		expect(decodeBinary(metrics.binary!.overrideRateChart)).toMatch(/^<svg[\s\S]*<path d="M/);
		expect(decodeBinary(metrics.binary!.reliabilityDiagram)).toMatch(/^<svg[\s\S]*<rect x=/);
		// the same figures as sentences, and the charts as text and mail-safe HTML, every bar with its count
		expect(metrics.json.summary).toEqual({
			timeToDecision: 'median 40 s, 90th percentile 1.5 min (3 answered)',
			cost: '0.04 USD, 0.01 USD per decision',
			// no review was recorded with a Respond Within target: the SLA sentences say so
			sla: expect.objectContaining({ withinTarget: 'n/a (no review with a target)', overdueNow: '0 reviews past the target and still unanswered' }),
		});
		const charts = metrics.json.charts as { text: string; html: string };
		expect(charts.text).toContain('70–80%         1  ████████████████████ 100%');
		expect(charts.html).toMatch(/<td[^>]*>40–50%<\/td><td[^>]*>1<\/td>.*?<td[^>]*>0%<\/td>/);

		const calibration = (
			await runWorkflow(logWorkflow({ operation: 'calibration', lastDays: 7, targetPrecision: 0.9, minSamples: 50 }), {
				credentials: credentials(),
			})
		).output(LOG)[0].json;
		expect(calibration.overall).toMatchObject({ samples: 3, recommendation: { status: 'insufficientData', labelled: 3 } });
		expect((calibration.overall as IDataObject).brierScore).toBeCloseTo((0.6 ** 2 + 0.3 ** 2 + 0.4 ** 2) / 3, 10);
		expect((calibration.summary as IDataObject).calibrationError).toMatch(/^0\.\d{3} — (good|fair|poor): .*; from only 3 reviewed drafts, so a rough figure\)$/);

		const exported = (
			await runWorkflow(logWorkflow({ operation: 'export', lastDays: 7, format: 'openaiFineTuning', systemPrompt: 'Be kind.' }), {
				credentials: credentials(),
			})
		).output(LOG)[0];
		expect(exported.json).toMatchObject({ decisionsRead: 4, included: 2, skipped: 2 });
		const lines = decodeBinary(exported.binary!.data).trim().split('\n').map((line) => JSON.parse(line));
		expect(lines).toEqual([
			{ messages: [{ role: 'system', content: 'Be kind.' }, { role: 'user', content: 'Customer message c2' }, { role: 'assistant', content: 'A better reply' }] },
			{ messages: [{ role: 'system', content: 'Be kind.' }, { role: 'user', content: 'Customer message c3' }, { role: 'assistant', content: 'Draft for c3' }] },
		]);
		expect(exported.binary!.data.fileName).toMatch(/^hitl-openaiFineTuning-\d{4}-\d\d-\d\d\.jsonl$/);

		const csv = (
			await runWorkflow(logWorkflow({ operation: 'export', lastDays: 7, format: 'csv', fileName: 'all.csv' }), { credentials: credentials() })
		).output(LOG)[0];
		const csvLines = decodeBinary(csv.binary!.data).trim().split('\r\n');
		expect(csvLines).toHaveLength(5);
		expect(csvLines[0].startsWith('id,recordedAt,caseId')).toBe(true);

		const retention = await runWorkflow(logWorkflow({ operation: 'retention', olderThanDays: 1 }), { credentials: credentials() });
		expect(retention.output(LOG)[0].json).toMatchObject({ deleted: { decisions: 0 } });
	});

	test('without a credential the store is hitl.sqlite in the n8n user folder', async () => {
		const previous = process.env.N8N_USER_FOLDER;
		process.env.N8N_USER_FOLDER = dir;
		try {
			const run = await runWorkflow(logWorkflow({ operation: 'record' }, {}, false), { input: [input[0]] });
			expect(run.status).toBe('success');
			expect(existsSync(join(dir, '.n8n', 'hitl.sqlite'))).toBe(true);
		} finally {
			if (previous === undefined) delete process.env.N8N_USER_FOLDER;
			else process.env.N8N_USER_FOLDER = previous;
		}
	});
});

describe('Feedback Log in a workflow (PostgreSQL store)', () => {
	test('records and reports through a PostgreSQL credential', async () => {
		const server = await startPostgres();
		try {
			const config = await server.createDatabase();
			const credentials = {
				hitlStore: { backend: 'postgres', host: config.host, port: config.port, database: config.database, user: config.user, password: '', ssl: 'disable' },
			};
			const recorded = await runWorkflow(logWorkflow({ operation: 'record' }), { input, credentials, executionId: '7' });
			expect(recorded.status).toBe('success');
			expect(((recorded.output(LOG)[0].json.hitl as IDataObject).logged as IDataObject).store).toBe(
				`postgres://postgres@127.0.0.1:${config.port}/${config.database}`,
			);
			await runWorkflow(logWorkflow({ operation: 'record' }), { input, credentials, executionId: '7' });
			const [metrics] = (await runWorkflow(logWorkflow({ operation: 'metrics', lastDays: 7 }), { credentials })).output(LOG);
			expect(metrics.json).toMatchObject({ volume: 4, reviewed: 3, overrideRate: 2 / 3 });
		} finally {
			await server.stop();
		}
	});
});
