/**
 * The picture of a template's canvas for its README section, taken in the test run from the
 * template as n8n's editor shows it after the import: the owner signs in, opens the workflow, and
 * the editor's canvas (fitted to the view, as n8n opens a workflow) is saved as a PNG under
 * templates/screenshots/.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';

import { launchBrowser } from '../approval/browser';
import { OWNER, type N8nServer } from '../n8nServer';

export const SCREENSHOTS = path.resolve(__dirname, '..', '..', '..', 'templates', 'screenshots');

const byTestId = (id: string) => `[data-test-id="${id}"]`;

/** Saves the canvas of `workflowId` as templates/screenshots/<name>.png; resolves with the file. */
export async function screenshotCanvas(n8n: N8nServer, workflowId: string, nodeCount: number, name: string): Promise<string> {
	await n8n.ownerCookie(); // sets the owner up through n8n's first-run endpoint
	const browser = await launchBrowser();
	try {
		const page = await browser.newPage({ viewport: { width: 1600, height: 900 } });
		await page.goto(`${n8n.baseUrl}/signin`);
		await page.locator('input[name="emailOrLdapLoginId"], input[type="email"]').first().fill(OWNER.email);
		await page.locator('input[name="password"]').fill(OWNER.password);
		await page.locator(byTestId('form-submit-button')).click();
		await page.waitForURL((url) => !url.pathname.startsWith('/signin'));
		await page.goto(`${n8n.baseUrl}/workflow/${workflowId}`);
		// every node drawn (sticky notes are not canvas nodes)
		const nodes = page.locator(byTestId('canvas-node'));
		await nodes.nth(nodeCount - 1).waitFor();
		await page.keyboard.press('Escape');
		// the canvas fades its nodes in: a picture taken before that ends shows them pale
		// (a string: this file is compiled without the DOM types)
		await page.evaluate('Promise.all(document.getAnimations().map((animation) => animation.finished))');
		await page.waitForTimeout(1_000);
		const file = path.join(SCREENSHOTS, `${name}.png`);
		mkdirSync(SCREENSHOTS, { recursive: true });
		await page.screenshot({ path: file });
		return file;
	} finally {
		await browser.close();
	}
}
