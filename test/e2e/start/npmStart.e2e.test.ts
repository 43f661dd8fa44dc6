/**
 * `npm start` as a newcomer meets it, on a machine with no LLM API key: the command itself runs (the
 * build, the package install, the imports, n8n, the demo model, the owner set-up), in a throw-away
 * user folder on a free port. Its console must end with four lines — where to open, how to log in,
 * the review inbox, a curl — and each of them must work: the login opens n8n, where every template
 * is imported; the inbox serves the queue; the curl gets one reply sent on its own, one review link
 * and one block; the review link, opened in Chromium at phone size by two reviewers, is approved by
 * the first and finishes the execution, and the second, pressing Reject later, is told who decided
 * (issue 11 defect 5). Ctrl-C then stops every process the command started.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { promisify } from 'node:util';

import { launchBrowser, PHONE } from '../approval/browser';
import { executionRecord, outputItems, type ExecutionRecord } from '../n8nServer';

const execFileAsync = promisify(execFile);
const ROOT = path.resolve(__dirname, '..', '..', '..');
const TEMPLATES = path.join(ROOT, 'templates');
const SUPPORT_TEMPLATE = JSON.parse(readFileSync(path.join(TEMPLATES, 'support-reply-with-review.json'), 'utf8')) as { id: string };
const INBOX_TEMPLATE = JSON.parse(readFileSync(path.join(TEMPLATES, 'review-inbox.json'), 'utf8')) as { id: string };
const COLLECTIONS_TEMPLATE = JSON.parse(readFileSync(path.join(TEMPLATES, 'outbound-collections-notice.json'), 'utf8')) as { id: string };
const DEMO_MARK = '[Demo model: a canned answer, not written by an AI]';

async function freePort(): Promise<number> {
	return await new Promise((resolve, reject) => {
		const server = createServer();
		server.on('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const { port } = server.address() as { port: number };
			server.close(() => resolve(port));
		});
	});
}

/** Every process below `pid` now (from /proc), so that the test can check they all end. */
function descendants(pid: number): number[] {
	const parentOf = new Map<number, number>();
	for (const entry of readdirSync('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		try {
			const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
			// "pid (comm) state ppid …": comm may hold spaces and parentheses, so read after the last ")".
			parentOf.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
		} catch {
			// ended meanwhile
		}
	}
	const found: number[] = [];
	const queue = [pid];
	while (queue.length > 0) {
		const parent = queue.shift()!;
		for (const [child, ppid] of parentOf) {
			if (ppid === parent) {
				found.push(child);
				queue.push(child);
			}
		}
	}
	return found;
}

const alive = (pid: number) => {
	try {
		process.kill(pid, 0);
		return true;
	} catch {
		return false;
	}
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('npm start without an API key', () => {
	let userFolder: string;
	let port: number;
	let npmStart: ChildProcess;
	let n8nDir: string;
	let stdout = '';
	let stderr = '';
	const started = new Set<number>();

	const line = (label: string) => new RegExp(`^${label}\\s+(.+)$`, 'm').exec(stdout)?.[1];

	function readExecutions(query: string, ...parameters: string[]): ExecutionRecord[] {
		const db = new DatabaseSync(path.join(userFolder, '.n8n', 'database.sqlite'), { readOnly: true });
		try {
			return db
				.prepare(
					`SELECT e.id, e.workflowId, e.status, e.finished, e.waitTill, d.data
					 FROM execution_entity e JOIN execution_data d ON d.executionId = e.id ${query}`,
				)
				.all(...parameters)
				.map((row) => executionRecord(n8nDir, row));
		} finally {
			db.close();
		}
	}

	async function waitFor<T>(what: string, probe: () => T | undefined, timeoutMs = 120_000): Promise<T> {
		const deadline = Date.now() + timeoutMs;
		while (Date.now() < deadline) {
			const value = probe();
			if (value !== undefined) return value;
			await sleep(250);
		}
		throw new Error(`Timed out waiting for ${what}.\nstdout:\n${stdout.slice(-3000)}\nstderr:\n${stderr.slice(-3000)}`);
	}

	beforeAll(async () => {
		n8nDir = (await execFileAsync('bash', [path.join(ROOT, 'scripts', 'ensure-n8n.sh')], { timeout: 1_800_000 })).stdout.trim().split('\n').pop()!;
		userFolder = mkdtempSync(path.join(tmpdir(), 'hitl-npm-start-'));
		port = await freePort();
		const env: NodeJS.ProcessEnv = {
			...process.env,
			HITL_N8N_USER_FOLDER: userFolder,
			HITL_PORT: String(port),
			N8N_RUNNERS_BROKER_PORT: String(await freePort()),
		};
		// A newcomer's machine: no key, no model, default listen address.
		// (jest's NODE_ENV=test is not one a terminal has either.)
		for (const name of ['OPENAI_API_KEY', 'OPENAI_BASE_URL', 'HITL_MODEL', 'HITL_HOST', 'WEBHOOK_URL', 'N8N_EDITOR_BASE_URL', 'NODE_ENV']) {
			delete env[name];
		}
		// Its own process group, as a terminal gives a command: Ctrl-C goes to the whole group.
		npmStart = spawn('npm', ['start'], { cwd: ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
		npmStart.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
		npmStart.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
		await waitFor('the closing lines of npm start', () => {
			if (npmStart.exitCode !== null) throw new Error(`npm start exited (${npmStart.exitCode}):\n${stdout.slice(-3000)}\n${stderr.slice(-3000)}`);
			return line('Try it');
		}, 1_200_000);
		for (const pid of [npmStart.pid!, ...descendants(npmStart.pid!)]) started.add(pid);
	}, 1_500_000);

	afterAll(async () => {
		for (const pid of started) {
			try {
				process.kill(pid, 'SIGKILL');
			} catch {
				// ended
			}
		}
		if (userFolder) rmSync(userFolder, { recursive: true, force: true });
	});

	test('the console ends with where to open, how to log in, the inbox and a curl, and says the model is a demo', () => {
		const closing = stdout.trimEnd().split('\n').slice(-4);
		expect(closing[0]).toBe(`Open     http://127.0.0.1:${port}`);
		expect(closing[1]).toMatch(/^Log in\s+\S+@\S+ \/ \S+ /);
		expect(closing[2]).toBe(`Inbox    http://127.0.0.1:${port}/webhook/review-inbox`);
		expect(closing[3]).toMatch(/^Try it\s+curl /);
		expect(stderr).toMatch(/no OPENAI_API_KEY, so the DEMO MODEL answers at http:\/\/127\.0\.0\.1:\d+\/v1: canned answers, not an AI/);
	});

	test('the printed login opens n8n, where every template is imported', async () => {
		const [email, password] = line('Log in')!.split(/\s+/).filter((word) => word !== '/');
		expect(JSON.parse(readFileSync(path.join(userFolder, 'owner-login.json'), 'utf8'))).toEqual({ email, password });
		const login = await fetch(`${line('Open')}/rest/login`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ emailOrLdapLoginId: email, password }),
		});
		expect(login.status).toBe(200);
		const cookie = /n8n-auth=([^;]+)/.exec(login.headers.get('set-cookie') ?? '')![1];
		const listed = (await (await fetch(`${line('Open')}/rest/workflows`, { headers: { cookie: `n8n-auth=${cookie}` } })).json()) as {
			data: { id: string; name: string; active: boolean }[];
		};
		const templates = readdirSync(TEMPLATES)
			.filter((name) => name.endsWith('.json'))
			.map((name) => JSON.parse(readFileSync(path.join(TEMPLATES, name), 'utf8')) as { id: string; name: string });
		expect(templates.length).toBeGreaterThanOrEqual(2);
		expect(listed.data.map(({ id, name }) => ({ id, name })).sort((a, b) => a.id.localeCompare(b.id))).toEqual(
			expect.arrayContaining(templates.map(({ id, name }) => ({ id, name }))),
		);
		expect(listed.data.find((workflow) => workflow.id === SUPPORT_TEMPLATE.id)?.active).toBe(true);
		// the inbox the support template's review links go through is active too
		expect(listed.data.find((workflow) => workflow.id === INBOX_TEMPLATE.id)?.active).toBe(true);
		// A webhook template whose Send Email still has no credential is imported, not published:
		// n8n would refuse every call with "uses invalid credential". The log says what to set.
		expect(listed.data.find((workflow) => workflow.id === COLLECTIONS_TEMPLATE.id)?.active).toBe(false);
		expect(stderr).toContain('not publishing outbound-collections-notice.json: "Send the notice" needs a smtp credential; set it in the editor, then publish the workflow');
		// A wrong password is refused: the login above proves the printed one, not an open door.
		const wrong = await fetch(`${line('Open')}/rest/login`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ emailOrLdapLoginId: email, password: `${password}x` }),
		});
		expect(wrong.status).toBe(401);
	});

	test('the printed inbox answers with the queue of pending reviews', async () => {
		const inbox = await fetch(line('Inbox')!);
		expect(inbox.status).toBe(200);
		expect(await inbox.text()).toContain('Review inbox');
	});

	test('the printed curl: one reply sent on its own, one review link, one block; approving on a phone finishes the review, a late second reviewer (who opened it from the inbox) is told who decided', async () => {
		const { stdout: answered } = await execFileAsync('bash', ['-c', line('Try it')!], { timeout: 300_000 });
		const answers = answered
			.trim()
			.split('\n')
			.map((entry) => JSON.parse(entry) as { caseId: string; status: string; reply?: string; reviewUrl?: string; reasons?: { code: string }[] });
		expect(answers.map(({ caseId, status }) => ({ caseId, status }))).toEqual([
			{ caseId: 'DEMO-1', status: 'sent' },
			{ caseId: 'DEMO-2', status: 'in_review' },
			{ caseId: 'DEMO-3', status: 'blocked' },
		]);
		const [sent, inReview, blocked] = answers;
		expect(sent.reply).toContain(DEMO_MARK);
		// through the inbox npm start activated: n8n keeps calling it after the decision
		expect(inReview.reviewUrl).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${port}/webhook/review-inbox\\?node=Human%20review&execution=\\d+&signature=`));
		expect(blocked.reasons!.map((reason) => reason.code)).toContain('COMPLIANCE_BLOCK');
		// the console says, for each draft, that the demo model wrote it
		expect(stdout).toMatch(/\[demo model\] canned "delivery" answer, confidence 0\.95, to: Where is my parcel\?/);

		const executionId = /execution=(\d+)/.exec(inReview.reviewUrl!)![1];
		// The link answers at once (409 "not open yet" until the review waits), then serves the page.
		await waitFor('the review to wait', () => readExecutions('WHERE e.id = ? AND e.status = ?', executionId, 'waiting')[0]);

		const browser = await launchBrowser();
		try {
			const page = await (await browser.newContext({ ...PHONE })).newPage();
			const second = await (await browser.newContext({ ...PHONE })).newPage();
			await page.goto(inReview.reviewUrl!);
			await page.getByText('The shoes do not fit. I want a refund.').first().waitFor();
			// The second reviewer takes it from the inbox the console printed: its row opens the review
			// (the link the store keeps is sealed with the review secret npm start made).
			await second.goto(line('Inbox')!);
			await second.locator('li', { hasText: 'case DEMO-2' }).getByRole('link', { name: 'Open review' }).click();
			await second.getByText('The shoes do not fit. I want a refund.').first().waitFor();
			await expect(page.getByLabel('Draft reply').inputValue()).resolves.toContain(DEMO_MARK);
			await page.getByLabel('Your name').fill('Ana');
			await Promise.all([page.waitForURL(() => true, { waitUntil: 'load' }), page.getByRole('button', { name: 'Approve', exact: true }).click()]);
			await expect(page.getByRole('status').first().textContent()).resolves.toContain('Decision recorded');
			await waitFor('the approved execution to finish', () => readExecutions('WHERE e.id = ? AND e.status = ?', executionId, 'success')[0]);

			// The second reviewer had the page open and presses Reject after the flow finished.
			await Promise.all([second.waitForURL(() => true, { waitUntil: 'load' }), second.getByRole('button', { name: 'Reject', exact: true }).click()]);
			const told = await second.locator('main').innerText();
			expect(told).toMatch(/already decided by Ana: approved at \d{4}-\d\d-\d\d \d\d:\d\d UTC\. Your answer was not recorded\./);
			expect(told).not.toContain('Your response has been recorded');
			// and the link, opened again, says the same
			expect((await second.goto(inReview.reviewUrl!))?.status()).toBe(200);
			await expect(second.locator('main').innerText()).resolves.toMatch(/already decided by Ana: approved at \d{4}-\d\d-\d\d \d\d:\d\d UTC\./);
		} finally {
			await browser.close();
		}

		const finished = await waitFor('the approved execution to finish', () => readExecutions('WHERE e.id = ? AND e.status IN (?, ?)', executionId, 'success', 'error')[0]);
		expect(finished.data.resultData.error?.message).toBeUndefined();
		const [approved] = outputItems(finished, 'Send approved reply');
		expect(approved.hitl).toMatchObject({ caseId: 'DEMO-2', draft: { model: 'hitl-demo-canned' }, review: { decision: 'approved' } });
		expect((outputItems(finished, 'Log decision')[0].hitl as { logged?: unknown }).logged).toBeDefined();
		// one decision in the embedded store for the case, Ana's approval
		const db = new DatabaseSync(path.join(userFolder, '.n8n', 'hitl.sqlite'), { readOnly: true });
		try {
			const rows = db
				.prepare("SELECT d.decision, r.value ->> '$.name' AS reviewer_name FROM hitl_decisions d LEFT JOIN json_each(d.reviewers) r WHERE d.case_id = ?")
				.all('DEMO-2');
			expect(rows).toEqual([{ decision: 'approved', reviewer_name: 'Ana' }]);
		} finally {
			db.close();
		}
	});

	test('the weekly report of the same n8n counts the three decisions', async () => {
		// What "Execute workflow" in the editor does, through n8n's CLI; its own task broker port.
		// (NODE_ENV as npm start's n8n has it, not jest's "test")
		const env = { ...process.env, NODE_ENV: 'production', N8N_USER_FOLDER: userFolder, N8N_RUNNERS_BROKER_PORT: String(await freePort()) };
		const n8nBin = path.join(n8nDir, 'node_modules', 'n8n', 'bin', 'n8n');
		const { stdout: printed, stderr: logged } = await execFileAsync(process.execPath, [n8nBin, 'execute', '--id=hitlTplReport001', '--rawOutput'], {
			env,
			timeout: 300_000,
			maxBuffer: 64 * 1024 * 1024,
		});
		const [report] = readExecutions("WHERE e.workflowId = 'hitlTplReport001' ORDER BY e.id DESC LIMIT 1");
		if (!report) throw new Error(`n8n execute stored no execution:\n${printed.slice(-2000)}\n${logged.slice(-2000)}`);
		expect(report.status).toBe('success');
		const [composed] = outputItems(report, 'Compose the report');
		expect(String(composed.text).split('\n')).toContain('Decisions: 3 — auto 33.3%, to a person 33.3%, blocked 33.3%');
	});

	test('Ctrl-C stops every process npm start started', async () => {
		for (const pid of descendants(npmStart.pid!)) started.add(pid);
		expect(started.size).toBeGreaterThanOrEqual(4); // npm, bash/node, n8n, its task runner at least
		const exited = new Promise((resolve) => npmStart.once('exit', resolve));
		process.kill(-npmStart.pid!, 'SIGINT'); // what a terminal does on Ctrl-C
		await exited;
		await waitFor('every started process to end', () => ([...started].some(alive) ? undefined : true), 120_000);
		await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
		const demoUrl = /DEMO MODEL answers at (http:\/\/127\.0\.0\.1:\d+\/v1)/.exec(stderr)![1];
		await expect(fetch(`${demoUrl}/models`)).rejects.toThrow();
		expect(stderr).toContain('[hitl] stopped');
	});
});
