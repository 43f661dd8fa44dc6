/**
 * PCI DSS at the store: whatever a flow hands the HITL store, no row keeps a full card number or
 * a card security code — read back with raw SQL from the embedded SQLite file, bypassing the
 * store's own reads. (Both back ends share the write path in SqlHitlStore.)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { openHitlStore, type HitlStore } from '../../../nodes/shared/store';
import { baseDecision } from './fixtures/decisions';

const CARD = '4111 1111 1111 1111';
const CARD_DIGITS = '4111111111111111';
const WITH_CARD = `My card is ${CARD}, CVV 737. Please refund it.`;

function rawRows(filePath: string, sql: string): Record<string, unknown>[] {
	// eslint-disable-next-line @typescript-eslint/no-require-imports -- node:sqlite, as the store loads it
	const { DatabaseSync } = require('node:sqlite') as typeof import('node:sqlite');
	const db = new DatabaseSync(filePath);
	try {
		return db.prepare(sql).all() as Record<string, unknown>[];
	} finally {
		db.close();
	}
}

/**
 * Every value the database holds in these tables, as one string — but the clock columns
 * (`at`, `*_at`, `*_ms`): the store stamps them with the time of the run, so their digits vary and
 * may hold any three digits (a run at 12:09:57.737 would "contain" the security code 737).
 */
function everything(filePath: string): string {
	const withoutClock = (row: Record<string, unknown>) =>
		Object.fromEntries(Object.entries(row).filter(([column]) => !/(^|_)(at|ms)$/.test(column)));
	return ['hitl_decisions', 'hitl_review_state', 'hitl_audit']
		.map((table) => JSON.stringify(rawRows(filePath, `SELECT * FROM ${table}`).map(withoutClock)))
		.join('\n');
}

describe('the HITL store never keeps a full card number', () => {
	let dir: string;
	let filePath: string;
	let store: HitlStore;

	beforeAll(async () => {
		dir = mkdtempSync(join(tmpdir(), 'hitl-pci-'));
		filePath = join(dir, 'store.sqlite');
		store = await openHitlStore({ backend: 'embedded', filePath });
	});
	afterAll(async () => {
		await store.close();
		rmSync(dir, { recursive: true, force: true });
	});

	test('decision rows: every text column masked to the last four digits, the security code whole', async () => {
		await store.recordDecisions([
			baseDecision({
				executionId: 'pci-1',
				caseId: 'T-9',
				inputText: WITH_CARD,
				draftText: `We saw the card ${CARD_DIGITS}.`,
				finalText: `Card ending 1111 (cvc 737) noted; full number ${CARD}.`,
				reason: 'card data',
				comment: `customer pasted ${CARD}`,
				reviewers: [{ id: 'ana', name: 'Ana', decision: 'approved', comment: `saw ${CARD_DIGITS}`, at: '2026-11-01T10:00:30.000Z' }],
				workflowName: `Support ${CARD_DIGITS}`,
			}),
		]);
		const [row] = rawRows(filePath, "SELECT * FROM hitl_decisions WHERE execution_id = 'pci-1'");
		expect(row.input_text).toBe('My card is **** **** **** 1111, CVV ***. Please refund it.');
		expect(row.draft_text).toBe('We saw the card ************1111.');
		expect(row.final_text).toBe('Card ending 1111 (cvc ***) noted; full number **** **** **** 1111.');
		expect(row.comment).toBe('customer pasted **** **** **** 1111');
		expect(JSON.parse(String(row.reviewers))[0].comment).toBe('saw ************1111');
		expect(row.workflow_name).toBe('Support ************1111');
		// The store's own read finds the row by its key and returns the masked texts.
		const [listed] = await store.listDecisions({});
		expect(listed).toMatchObject({ executionId: 'pci-1', inputText: row.input_text });
	});

	test('review state and audit entries: texts inside JSON masked before they are written', async () => {
		const key = { executionId: 'pci-2', nodeName: 'Human review' };
		await store.putReviewState(key, { answers: [{ reviewer: 'ana', text: `line one\n${CARD} cvv: 123` }] });
		await store.appendAudit({ ...key, event: 'answered', actor: 'ana', detail: { comment: `card ${CARD_DIGITS}` }, idempotencyKey: 'pci-2-a' });
		const state = await store.getReviewState(key);
		expect(state?.state).toEqual({ answers: [{ reviewer: 'ana', text: 'line one\n**** **** **** 1111 cvv: ***' }] });
		const [audit] = await store.listAudit({ executionId: 'pci-2' });
		expect(audit.detail).toEqual({ comment: 'card ************1111' });
	});

	test('no table holds the card number or its first twelve digits', () => {
		const all = everything(filePath);
		expect(all).not.toContain(CARD_DIGITS);
		expect(all).not.toContain(CARD);
		expect(all).not.toContain('4111 1111 1111');
		expect(all).not.toContain('737');
	});
});
