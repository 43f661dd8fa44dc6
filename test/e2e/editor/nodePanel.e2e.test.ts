/**
 * The package as ops staff meet it in the editor: a real n8n with the packed package installed,
 * Chromium signed in as the owner. On a new workflow the node panel must find each node by its
 * name and by an alias, add it to the canvas and open its parameters; the panel's categories must
 * list them; the canvas must show LLM Draft's model under its name (it showed "undefined"); the
 * LLM API credential test n8n runs must name the URL and the fix; and the five icons must not look
 * alike.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

import type { Browser, BrowserContext, Page } from 'playwright-core';

import { startFakeLlmServer } from '../../llm/fakeLlmServer';
import { closedPort } from '../../support/loopbackListeners';
import { launchBrowser } from '../approval/browser';
import { N8nServer, OWNER, type WorkflowFile } from '../n8nServer';

const TEMPLATE = path.resolve(__dirname, '..', '..', '..', 'templates', 'support-reply-with-review.json');

interface PanelCase {
	name: string;
	/** An alias from the node's codex file that does not contain the name. */
	alias: string;
	/** The action to pick when the node has operations (the panel then lists them). */
	action?: string;
	/** A parameter label its panel must show. */
	parameter: string;
}

const NODES: PanelCase[] = [
	{ name: 'LLM Draft', alias: 'OpenAI', parameter: 'Confidence Method' },
	{ name: 'Compliance Check', alias: 'PII', action: 'Check text for PII, disclosures and prohibited wording', parameter: 'PII Types' },
	{ name: 'Confidence Gate', alias: 'threshold', parameter: 'Threshold' },
	{ name: 'Human Approval Wait', alias: 'sign-off', parameter: 'Page Title' },
	{ name: 'Feedback Log', alias: 'audit', action: 'Record the decision on each item', parameter: 'Operation' },
];

const byTestId = (id: string) => `[data-test-id="${id}"]`;

describe('the n8n editor with the package installed', () => {
	let n8n: N8nServer;
	let browser: Browser;
	let context: BrowserContext;
	let page: Page;

	beforeAll(async () => {
		const template = JSON.parse(readFileSync(TEMPLATE, 'utf8')) as WorkflowFile;
		[n8n, browser] = await Promise.all([N8nServer.start({ workflows: [template], waitForWebhooks: false }), launchBrowser()]);
		await n8n.ownerCookie(); // sets the owner up through n8n's first-run endpoint
		context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
		page = await context.newPage();
		// Leaving a workflow with unsaved nodes asks "leave the page?" (beforeunload): yes.
		page.on('dialog', (dialog) => void dialog.accept());
		await page.goto(`${n8n.baseUrl}/signin`);
		await page.locator('input[name="emailOrLdapLoginId"], input[type="email"]').first().fill(OWNER.email);
		await page.locator('input[name="password"]').fill(OWNER.password);
		await page.locator(byTestId('form-submit-button')).click();
		await page.waitForURL((url) => !url.pathname.startsWith('/signin'));
	}, 900_000);

	afterAll(async () => {
		await browser?.close();
		await n8n?.stop();
	});

	/**
	 * A new workflow with its first step (Manual Trigger) placed, and the node panel opened for the
	 * next one with the "+" at the top right — the way a node is added after a trigger.
	 */
	async function openPanelOnNewWorkflow(): Promise<void> {
		await page.goto(`${n8n.baseUrl}/workflow/new`);
		await page.locator(byTestId('canvas-plus-button')).click();
		await creator().getByText('Trigger manually', { exact: true }).first().click();
		await page.locator(byTestId('canvas-node')).first().waitFor();
		await page.keyboard.press('Escape');
		await page.locator(byTestId('node-creator-plus-button')).click();
		await creator().getByText('What happens next?').waitFor();
	}

	const creator = () => page.locator(byTestId('node-creator'));

	/** The node panel's entries whose name is exactly `name`. */
	const panelItem = (name: string) => creator().locator(byTestId('node-creator-item-name')).getByText(name, { exact: true });

	async function search(text: string): Promise<void> {
		const bar = page.locator(byTestId('node-creator-search-bar'));
		await bar.fill('');
		await bar.fill(text);
	}

	test.each(NODES)('finds $name by its name and by "$alias", adds it and opens its parameters', async ({ name, alias, action, parameter }) => {
		await openPanelOnNewWorkflow();

		await search(name);
		await panelItem(name).first().waitFor({ timeout: 15_000 });
		await search(alias);
		await panelItem(name).first().waitFor({ timeout: 15_000 });

		// A community node opens its details: its actions when it has operations, else "Add to workflow".
		await panelItem(name).first().click();
		if (action) await creator().getByText(action, { exact: true }).click();
		else await creator().getByRole('button', { name: 'Add to workflow' }).click();

		// n8n opens the new node's parameters at once.
		const ndv = page.locator(byTestId('ndv'));
		await ndv.getByText(parameter, { exact: true }).first().waitFor();
		await page.keyboard.press('Escape');
		await ndv.waitFor({ state: 'hidden' });

		// On the canvas, and its parameters open again from there.
		const node = page.locator(`${byTestId('canvas-node')}[data-node-name="${name}"]`);
		await node.dblclick();
		await ndv.getByText(parameter, { exact: true }).first().waitFor();
		if (name === 'LLM Draft') {
			await page.keyboard.press('Escape');
			await expectText(node, 'no model chosen · verbalized');
		}
	});

	test('finds the Review Inbox trigger by its name and by "queue" on a new workflow, adds it and opens its parameters', async () => {
		await page.goto(`${n8n.baseUrl}/workflow/new`);
		await page.locator(byTestId('canvas-plus-button')).click();
		await search('Review Inbox');
		await panelItem('Review Inbox').first().waitFor({ timeout: 15_000 });
		await search('queue');
		await panelItem('Review Inbox').first().waitFor({ timeout: 15_000 });
		await panelItem('Review Inbox').first().click();
		const addButton = creator().getByRole('button', { name: 'Add to workflow' });
		if (await addButton.count()) await addButton.click();
		const ndv = page.locator(byTestId('ndv'));
		await ndv.getByText('Claim Duration (Minutes)', { exact: true }).first().waitFor();
		await page.keyboard.press('Escape');
		await page.locator(`${byTestId('canvas-node')}[data-node-name="Review Inbox"]`).waitFor();
	});

	test('finds the Review SLA Trigger by its name and by "reminder" on a new workflow, adds it and opens its parameters', async () => {
		await page.goto(`${n8n.baseUrl}/workflow/new`);
		await page.locator(byTestId('canvas-plus-button')).click();
		await search('Review SLA');
		await panelItem('Review SLA Trigger').first().waitFor({ timeout: 15_000 });
		await search('reminder');
		await panelItem('Review SLA Trigger').first().waitFor({ timeout: 15_000 });
		await panelItem('Review SLA Trigger').first().click();
		const addButton = creator().getByRole('button', { name: 'Add to workflow' });
		if (await addButton.count()) await addButton.click();
		const ndv = page.locator(byTestId('ndv'));
		await ndv.getByText('Remind At (% of Target)', { exact: true }).first().waitFor();
		await page.keyboard.press('Escape');
		await page.locator(`${byTestId('canvas-node')}[data-node-name="Review SLA Trigger"]`).waitFor();
	});

	test('Compliance Check\'s empty Rules JSON shows no error marker; a broken one does', async () => {
		await openPanelOnNewWorkflow();
		await search('Compliance Check');
		await panelItem('Compliance Check').first().click();
		await creator().getByText('Check text for PII, disclosures and prohibited wording', { exact: true }).click();
		const editor = page.locator(`${byTestId('ndv')} ${byTestId('parameter-input-rulesJson')} .cm-content`);
		await editor.waitFor();
		const markers = page.locator(`${byTestId('ndv')} ${byTestId('parameter-input-rulesJson')}`).locator('.cm-lintRange-error, .cm-lint-marker-error');
		// The editor lints after a pause (CodeMirror's linter delay): give it time to mark, then none.
		await page.waitForTimeout(2_000);
		expect(await markers.count()).toBe(0);
		// The same place does mark broken JSON, so the check above can fail.
		await editor.click();
		await page.keyboard.press('ControlOrMeta+a');
		await page.keyboard.type('{ "rules": [');
		await markers.first().waitFor({ timeout: 15_000 });
		await page.keyboard.press('Escape');
	});

	test('the panel lists them under their categories (AI, Flow, Core, Human review) and "HITL" finds all five', async () => {
		await openPanelOnNewWorkflow();
		const inCategory = async (title: string) => {
			await creator().locator(byTestId('item-iterator-item')).filter({ hasText: title }).first().click();
			await page.locator(byTestId('nodes-list-header')).first().waitFor();
			// The panel slides the category's list in over the previous one: read it once only one list
			// is left and two reads 200 ms apart agree (a read during the slide saw both: CI, stop 22).
			let listed: string[] = [];
			for (let tries = 0; tries < 50; tries++) {
				const lists = await page.locator(byTestId('nodes-list-header')).count();
				const read = await creator().locator(byTestId('node-creator-item-name')).allInnerTexts();
				if (lists === 1 && read.join('\n') === listed.join('\n')) break;
				listed = read;
				await page.waitForTimeout(200);
			}
			await page.locator(byTestId('nodes-list-header')).first().locator('button').first().click();
			await creator().getByText('What happens next?').waitFor();
			return NODES.map((node) => node.name).filter((name) => listed.includes(name));
		};
		expect(await inCategory('AI')).toEqual(['LLM Draft', 'Compliance Check']);
		expect(await inCategory('Flow')).toEqual(['Confidence Gate', 'Human Approval Wait']);
		expect(await inCategory('Core')).toEqual(['Feedback Log']);
		expect(await inCategory('Human review')).toEqual(['Human Approval Wait']);

		await search('HITL');
		for (const { name } of NODES) await panelItem(name).first().waitFor({ timeout: 15_000 });
	});

	test('the template canvas shows the model and method under LLM Draft, never "undefined"', async () => {
		await page.goto(`${n8n.baseUrl}/workflow/hitlTplSupport01`);
		const draft = page.locator(`${byTestId('canvas-node')}[data-node-name="Draft reply"]`);
		await draft.waitFor();
		await expectText(draft, 'gpt-4o-mini · verbalized');
		expect(await draft.innerText()).not.toContain('undefined');
	});

	test('the LLM API credential test, run by n8n itself, names the URL and the fix', async () => {
		const llm = await startFakeLlmServer();
		const port = await closedPort();
		try {
			const testCredential = async (baseUrl: string) => {
				const response = await fetch(`${n8n.baseUrl}/rest/credentials/test`, {
					method: 'POST',
					headers: { 'content-type': 'application/json', cookie: `n8n-auth=${await n8n.ownerCookie()}` },
					body: JSON.stringify({ credentials: { id: '', name: 'LLM', type: 'llmApi', data: { baseUrl, apiKey: '', organization: '', headers: '{}' } } }),
				});
				expect(response.status).toBe(200);
				return ((await response.json()) as { data: { status: string; message: string } }).data;
			};
			const origin = llm.baseUrl.replace(/\/v1$/, '');
			// n8n's own request test said "Not Found" and "ECONNREFUSED" here.
			expect(await testCredential(origin)).toEqual({
				status: 'Error',
				message: expect.stringContaining(`GET ${origin}/models answered 404 Not Found`) as string,
			});
			expect((await testCredential(origin)).message).toContain(`Set Base URL to ${origin}/v1.`);
			expect((await testCredential(`http://127.0.0.1:${port}/v1`)).message).toContain(
				`GET http://127.0.0.1:${port}/v1/models: Nothing accepts connections at 127.0.0.1:${port} (connection refused)`,
			);
			expect(await testCredential(llm.baseUrl)).toEqual({ status: 'OK', message: expect.stringContaining(`GET ${llm.baseUrl}/models listed 3 models`) as string });
		} finally {
			await llm.close();
		}
	});

	test('the five icons do not look alike, light and dark (pixels that differ at canvas size)', async () => {
		// The page is on the editor's origin already: the icons as n8n serves them to the editor.
		const types = (await page.evaluate(async () => await (await fetch('/types/nodes.json')).json())) as {
			name: string;
			iconUrl?: { light: string; dark: string };
		}[];
		const ours = NODES.map(({ name }) => types.find((type) => (type as { displayName?: string }).displayName === name && type.name.startsWith('n8n-nodes-hitl.'))!);
		for (const theme of ['light', 'dark'] as const) {
			const difference = await iconDifference(page, ours.map((type) => `/${type.iconUrl![theme]}`), theme === 'dark' ? [45, 46, 51] : [255, 255, 255]);
			for (const [a, b, share] of difference) {
				expect([theme, NODES[a].name, NODES[b].name, share >= MIN_ICON_DIFFERENCE]).toEqual([theme, NODES[a].name, NODES[b].name, true]);
			}
		}
	}, 300_000);
});

/**
 * How unlike two icons look where it matters, on the canvas: both drawn at 48 px on the editor's
 * background, the share of inked pixels (ink in either) that are ink in only one or of clearly
 * different colour. The old Human Approval Wait and Feedback Log icons (a page with a green check,
 * both) measured 0.26 (light) and 0.28 (dark); every other pair of the package's icons measures
 * above 0.85. Distinct icons need shapes of their own, so the bar is set between the two.
 */
const MIN_ICON_DIFFERENCE = 0.6;

/** The little of the browser's DOM that {@link iconDifference} uses inside the page. */
interface BrowserGlobals {
	Image: new () => { src: string; decode(): Promise<void> };
	document: {
		createElement(tag: 'canvas'): {
			width: number;
			height: number;
			getContext(kind: '2d'): {
				fillStyle: string;
				fillRect(x: number, y: number, width: number, height: number): void;
				drawImage(image: unknown, x: number, y: number, width: number, height: number): void;
				getImageData(x: number, y: number, width: number, height: number): { data: Uint8ClampedArray };
			} | null;
		};
	};
}

async function iconDifference(page: Page, urls: string[], background: [number, number, number]): Promise<[number, number, number][]> {
	return await page.evaluate(
		async ({ urls, background }) => {
			// This runs in the page; the project compiles without the DOM library, so name what it uses.
			const { Image, document } = globalThis as unknown as BrowserGlobals;
			const size = 48;
			const inks: ([number, number, number] | null)[][] = [];
			for (const url of urls) {
				const image = new Image();
				image.src = url;
				await image.decode();
				const canvas = document.createElement('canvas');
				canvas.width = size;
				canvas.height = size;
				const context = canvas.getContext('2d')!;
				context.fillStyle = `rgb(${background.join(',')})`;
				context.fillRect(0, 0, size, size);
				context.drawImage(image, 0, 0, size, size);
				const data = context.getImageData(0, 0, size, size).data;
				const ink: ([number, number, number] | null)[] = [];
				for (let i = 0; i < data.length; i += 4) {
					const pixel: [number, number, number] = [data[i], data[i + 1], data[i + 2]];
					ink.push(Math.max(...pixel.map((value, channel) => Math.abs(value - background[channel]))) > 48 ? pixel : null);
				}
				inks.push(ink);
			}
			const pairs: [number, number, number][] = [];
			for (let a = 0; a < inks.length; a++) {
				for (let b = a + 1; b < inks.length; b++) {
					let inked = 0;
					let differing = 0;
					for (let i = 0; i < inks[a].length; i++) {
						const p = inks[a][i];
						const q = inks[b][i];
						if (!p && !q) continue;
						inked++;
						if (!p || !q || Math.max(...p.map((value, channel) => Math.abs(value - q[channel]))) > 64) differing++;
					}
					pairs.push([a, b, differing / inked]);
				}
			}
			return pairs;
		},
		{ urls, background },
	);
}

async function expectText(locator: import('playwright-core').Locator, text: string): Promise<void> {
	await locator.getByText(text, { exact: false }).first().waitFor({ timeout: 15_000 });
}
