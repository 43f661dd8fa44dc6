/**
 * Card data in a customer's message, as it meets the support template in a real n8n: the model
 * never receives the card number or the security code, the message goes to a person, the review
 * page (Chromium, phone size) shows at most the last four digits, and the HITL store's row —
 * read from the embedded SQLite file in n8n's user folder — keeps no full card number.
 */
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';

import { startFakeLlmServer, type FakeLlmServer } from '../../llm/fakeLlmServer';
import { launchBrowser, PHONE } from '../approval/browser';
import { N8nServer, outputItems } from '../n8nServer';
import { sharedInboxTemplate, supportTemplateWith } from '../templates/supportTemplateFiles';

const CREDENTIAL = { id: 'hitlPciLlmCred01', name: 'LLM API', type: 'llmApi' };
/** The embedded store in n8n's user folder (an empty file path), as `npm start` sets it up. */
const STORE_CREDENTIAL = { id: 'hitlPciStoreCr01', name: 'HITL Store', type: 'hitlStore', data: { backend: 'embedded', filePath: '' } };

const CARD = '4111 1111 1111 1111';
const CVV = '737';
const MESSAGE = `I was charged twice on my card ${CARD}, CVV ${CVV}. [intent:billing] [confidence:0.97] [reply:Sorry about the double charge; we are looking into it.]`;
const MASKED = `I was charged twice on my card **** **** **** 1111, CVV ***. [intent:billing] [confidence:0.97] [reply:Sorry about the double charge; we are looking into it.]`;

/** Every way the card or the code could show: grouped, ungrouped, or the first twelve digits. */
function leaksCardData(text: string): boolean {
	const compact = text.replace(/[\s-]/g, '');
	return compact.includes('4111111111111111') || compact.includes('411111111111') || text.includes(`CVV ${CVV}`);
}

describe('card data in the customer message (support template, real n8n)', () => {
	let llm: FakeLlmServer;
	let n8n: N8nServer;
	const workflow = supportTemplateWith({ llmApi: CREDENTIAL, hitlStore: STORE_CREDENTIAL });

	beforeAll(async () => {
		llm = await startFakeLlmServer({ latencyMs: 10, apiKey: 'sk-pci', models: ['gpt-4o-mini'] });
		n8n = await N8nServer.start({
			workflows: [sharedInboxTemplate(), workflow],
			credentials: [{ ...CREDENTIAL, data: { apiKey: 'sk-pci', baseUrl: llm.baseUrl, organization: '', headers: '{}' } }, STORE_CREDENTIAL],
		});
	}, 900_000);

	afterAll(async () => {
		await n8n?.stop();
		await llm?.close();
	});

	test('masked before the model, sent to a person, masked on the review page and in the store row', async () => {
		const response = await n8n.callWebhook('support-reply', { ticketId: 'T-PCI', customerName: 'Dana', message: MESSAGE });
		const answer = (await response.json()) as { status: string; reviewUrl: string; reasons: { code: string; detail: string }[] };
		// A confident draft, yet not sent on its own: the customer sent card data.
		expect(answer.status).toBe('in_review');
		expect(answer.reasons.map((reason) => reason.code)).toContain('COMPLIANCE_REVIEW');
		expect(leaksCardData(JSON.stringify(answer))).toBe(false);

		// The model saw only the masked message.
		const chats = llm.requests.filter((request) => request.path.endsWith('/chat/completions'));
		expect(chats.length).toBeGreaterThan(0);
		for (const request of chats) expect(leaksCardData(JSON.stringify(request.body))).toBe(false);
		expect(chats.some((request) => JSON.stringify(request.body).includes('**** **** **** 1111'))).toBe(true);

		const waiting = await n8n.waitForExecution(workflow.id, ['waiting']);
		const browser = await launchBrowser();
		try {
			const page = await (await browser.newContext(PHONE)).newPage();
			await page.goto(answer.reviewUrl);
			await page.getByText('I was charged twice on my card').first().waitFor();
			const shown = await page.locator('body').innerText();
			const draft = await page.getByRole('textbox', { name: /draft/i }).first().inputValue();
			expect(leaksCardData(shown)).toBe(false);
			expect(leaksCardData(await page.content())).toBe(false);
			expect(shown).toContain('**** **** **** 1111');
			expect(draft).toBe('Sorry about the double charge; we are looking into it.');
			await page.getByRole('button', { name: 'Approve' }).first().click();
			await page.waitForLoadState('domcontentloaded');
		} finally {
			await browser.close();
		}

		const finished = await n8n.waitForExecution(workflow.id, ['success', 'error'], { executionId: waiting.id });
		expect(finished.data.resultData.error?.message).toBeUndefined();
		const [logged] = outputItems(finished, 'Log decision');
		expect((logged.hitl as { logged?: unknown }).logged).toBeDefined();

		const store = new DatabaseSync(path.join(n8n.userFolder, '.n8n', 'hitl.sqlite'), { readOnly: true });
		try {
			const rows = store.prepare("SELECT * FROM hitl_decisions WHERE case_id = 'T-PCI'").all() as Record<string, unknown>[];
			expect(rows).toHaveLength(1);
			expect(rows[0]).toMatchObject({ decision: 'approved', input_text: MASKED });
			expect(JSON.parse(String(rows[0].rule_ids))).toContain('support.card-data-in-message');
			// every table of the store, whatever the schema version adds
			const tables = (store.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'hitl%'").all() as { name: string }[]).map((row) => row.name);
			expect(tables).toEqual(expect.arrayContaining(['hitl_decisions', 'hitl_audit', 'hitl_review_state', 'hitl_pending_reviews']));
			for (const table of tables) {
				expect([table, leaksCardData(JSON.stringify(store.prepare(`SELECT * FROM ${table}`).all()))]).toEqual([table, false]);
			}
		} finally {
			store.close();
		}
	});
});
