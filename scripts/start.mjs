/**
 * What `npm start` runs once scripts/start.sh has put Node 24 on PATH, built the package and
 * installed it into the n8n user folder:
 *
 *   1. an LLM for the templates: OPENAI_API_KEY (OPENAI_BASE_URL, HITL_MODEL) when set, else the
 *      demo model (scripts/demoModel.mjs: canned answers on loopback), stored as the "LLM API"
 *      credential that the templates' LLM Draft nodes point at;
 *   2. the templates imported (again when a file changed), the webhook ones published unless a
 *      node still needs a credential npm start cannot make (a mail server: it says which), the
 *      Review Inbox among them (as a shared inbox on the embedded store: the support template's
 *      review links go through it, so a late reviewer is told who decided), with a "HITL Store"
 *      credential on the embedded store for the Human Approval Wait that records to it, and a
 *      random "HITL Review Secret" both share, with which the inbox opens each review from its row;
 *   3. n8n on loopback (HITL_HOST to listen elsewhere), an owner account with a random password
 *      kept in the user folder, and four closing lines: where to open, how to log in, the review
 *      inbox, a curl;
 *   4. Ctrl-C (SIGINT, SIGTERM, SIGHUP) stops n8n, its task runners and the demo model.
 *
 * Usage: node scripts/start.mjs <n8n folder> <n8n user folder>
 */
import { spawn } from 'node:child_process';
import { createHash, randomBytes, randomInt } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { fileURLToPath } from 'node:url';

import { DEMO_MARK, startDemoModel } from './demoModel.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const TEMPLATES = path.join(ROOT, 'templates');

/** The credentials `npm start` manages; the templates' nodes refer to them by id. */
const LLM_CREDENTIAL = { id: 'hitlStartLlmApi1', type: 'llmApi', name: 'LLM API' };
/** The embedded store in the user folder, the same file the nodes use without a credential. */
const STORE_CREDENTIAL = { id: 'hitlStartStore01', type: 'hitlStore', name: 'HITL Store (embedded)', data: { backend: 'embedded', filePath: '' } };
/**
 * The key that seals the review links the store keeps and signs personal links, random, made once
 * and kept in n8n's (encrypted) credentials: with it the review inbox opens each waiting review
 * from its row. The Human Approval Wait nodes that record to the store and the inbox share it.
 */
const REVIEW_SECRET_CREDENTIAL = { id: 'hitlStartSecret1', type: 'hitlReviewSecretApi', name: 'HITL Review Secret (npm start)' };
/** The Review Inbox template's path (its Production URL is <n8n>/webhook/review-inbox). */
const INBOX_PATH = 'review-inbox';
const DEMO_CREDENTIAL_NAME = 'LLM API (demo model: canned answers)';
const OWNER_FILE = 'owner-login.json';
const OWNER_EMAIL = 'owner@hitl.local';

const log = (line) => process.stderr.write(`[hitl] ${line}\n`);

const [n8nDir, userFolder] = process.argv.slice(2);
if (!n8nDir || !userFolder) {
	log('usage: node scripts/start.mjs <n8n folder> <n8n user folder> (run through npm start)');
	process.exit(2);
}
const n8nBin = path.join(n8nDir, 'node_modules', 'n8n', 'bin', 'n8n');
const database = path.join(userFolder, '.n8n', 'database.sqlite');

const port = Number(process.env.HITL_PORT || 5678);
const listenHost = process.env.HITL_HOST || '127.0.0.1';
const wildcard = listenHost === '0.0.0.0' || listenHost === '::';
const inUrl = (host) => (host.includes(':') ? `[${host}]` : host);
// What a browser on this machine (loopback) or on the network (HITL_HOST) types.
const publicBase = (process.env.WEBHOOK_URL || `http://${inUrl(wildcard ? hostname() : listenHost)}:${port}/`).replace(/\/*$/, '');
const localBase = `http://${inUrl(wildcard ? '127.0.0.1' : listenHost)}:${port}`;

const env = {
	...process.env,
	N8N_USER_FOLDER: userFolder,
	N8N_PORT: String(port),
	N8N_LISTEN_ADDRESS: listenHost,
	// n8n's own pairing (5678/5679); another port pair for another instance
	N8N_RUNNERS_BROKER_PORT: process.env.N8N_RUNNERS_BROKER_PORT || String(port + 1),
	// The review links (`$execution.resumeFormUrl`) and the editor's own links point here.
	WEBHOOK_URL: `${publicBase}/`,
	N8N_EDITOR_BASE_URL: process.env.N8N_EDITOR_BASE_URL || `${publicBase}/`,
	N8N_DIAGNOSTICS_ENABLED: process.env.N8N_DIAGNOSTICS_ENABLED || 'false',
	N8N_VERSION_NOTIFICATIONS_ENABLED: process.env.N8N_VERSION_NOTIFICATIONS_ENABLED || 'false',
	N8N_PERSONALIZATION_ENABLED: process.env.N8N_PERSONALIZATION_ENABLED || 'false',
	N8N_SECURE_COOKIE: process.env.N8N_SECURE_COOKIE || 'false', // plain http
};

// ---- processes this script started, and stopping them ------------------------------------------

const children = new Set();
let n8n;
let demoModel;
let stopping = false;

function killGroup(child, signal) {
	try {
		process.kill(-child.pid, signal);
	} catch {
		// already gone
	}
}

async function stopAll(exitCode) {
	if (stopping) return;
	stopping = true;
	log('stopping…');
	for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
	if (n8n && n8n.exitCode === null && n8n.signalCode === null) {
		const exited = new Promise((resolve) => n8n.once('exit', resolve));
		// n8n shuts down its task runners itself; the group kill is for what it leaves behind.
		n8n.kill('SIGTERM');
		const force = setTimeout(() => killGroup(n8n, 'SIGKILL'), 45_000);
		await exited;
		clearTimeout(force);
	}
	if (n8n) killGroup(n8n, 'SIGKILL');
	await demoModel?.close();
	log('stopped');
	process.exit(exitCode);
}

for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]]) {
	process.on(signal, () => void stopAll(code));
}
process.on('exit', () => {
	if (n8n) killGroup(n8n, 'SIGKILL');
	for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
});

/** Runs n8n's CLI once (import, publish); resolves with what it printed. */
function n8nCli(args) {
	return new Promise((resolve, reject) => {
		const child = spawn(process.execPath, [n8nBin, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
		children.add(child);
		let output = '';
		child.stdout.on('data', (chunk) => (output += chunk));
		child.stderr.on('data', (chunk) => (output += chunk));
		child.once('exit', (code) => {
			children.delete(child);
			if (code === 0) resolve(output);
			else reject(new Error(`n8n ${args[0]} failed (exit ${code}):\n${output.slice(-3000)}`));
		});
	});
}

function readDatabase(query, ...parameters) {
	if (!existsSync(database)) return [];
	const db = new DatabaseSync(database, { readOnly: true });
	try {
		return db.prepare(query).all(...parameters);
	} finally {
		db.close();
	}
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// ---- 1. the LLM -----------------------------------------------------------------------------------

async function storeLlmCredential() {
	const key = process.env.OPENAI_API_KEY;
	let name;
	let data;
	if (key) {
		const baseUrl = process.env.OPENAI_BASE_URL || 'https://api.openai.com/v1';
		name = LLM_CREDENTIAL.name;
		data = { apiKey: key, baseUrl, organization: '', headers: '{}' };
		log(`LLM: ${process.env.HITL_MODEL || 'the templates\' model (gpt-4o-mini)'} at ${baseUrl}, key from OPENAI_API_KEY`);
	} else {
		demoModel = await startDemoModel({ log: (line) => process.stdout.write(`${line}\n`) });
		name = DEMO_CREDENTIAL_NAME;
		data = { apiKey: '', baseUrl: demoModel.baseUrl, organization: '', headers: '{}' };
		log(`LLM: no OPENAI_API_KEY, so the DEMO MODEL answers at ${demoModel.baseUrl}: canned answers, not an AI.`);
		log(`     Every draft it writes ends with "${DEMO_MARK}". Set OPENAI_API_KEY (and OPENAI_BASE_URL, HITL_MODEL) for a real model.`);
		// A credential the user has renamed is theirs (e.g. their own key typed in the editor): keep it.
		const [existing] = readDatabase('SELECT name FROM credentials_entity WHERE id = ?', LLM_CREDENTIAL.id);
		if (existing && existing.name !== DEMO_CREDENTIAL_NAME) {
			log(`keeping your credential "${existing.name}" (the demo model is not used by the templates)`);
			return;
		}
	}
	await importCredential({ ...LLM_CREDENTIAL, name, data });
}

/** Imports (or overwrites, by id) one credential through n8n's CLI, encrypted with the instance's key. */
async function importCredential(credential) {
	const folder = mkdtempSync(path.join(tmpdir(), 'hitl-start-'));
	try {
		const file = path.join(folder, 'credentials.json');
		writeFileSync(file, JSON.stringify([credential]), { mode: 0o600 });
		const output = await n8nCli(['import:credentials', `--input=${file}`]);
		// The CLI logs a failure and still exits 0 (and logs nothing under NODE_ENV=test): check the row.
		const [stored] = readDatabase('SELECT name FROM credentials_entity WHERE id = ?', credential.id);
		if (stored?.name !== credential.name) throw new Error(`n8n import:credentials failed:\n${output.slice(-3000)}`);
	} finally {
		rmSync(folder, { recursive: true, force: true });
	}
}

// ---- 2. the templates -----------------------------------------------------------------------------

/**
 * A credential npm start manages, created once and kept as it is afterwards: the HITL Store (the
 * user may point it at PostgreSQL) and the review secret (changing it would void waiting links).
 */
async function importCredentialOnce(credential) {
	if (readDatabase('SELECT id FROM credentials_entity WHERE id = ?', credential.id).length > 0) return;
	await importCredential(credential);
}

/** A template as npm start imports it: its LLM Draft nodes on the managed credential (and HITL_MODEL). */
function preparedTemplate(file) {
	const workflow = JSON.parse(readFileSync(file, 'utf8'));
	for (const node of workflow.nodes) {
		if (node.credentials?.llmApi) node.credentials.llmApi = { id: LLM_CREDENTIAL.id, name: LLM_CREDENTIAL.name };
		if (node.credentials?.hitlStore) node.credentials.hitlStore = { id: STORE_CREDENTIAL.id, name: STORE_CREDENTIAL.name };
		// The inbox opens the reviews of the nodes that record to its store: both hold the same secret.
		if (node.type === 'n8n-nodes-hitl.reviewInbox' || (node.type === 'n8n-nodes-hitl.humanApprovalWait' && node.credentials?.hitlStore)) {
			node.credentials = { ...node.credentials, hitlReviewSecretApi: { id: REVIEW_SECRET_CREDENTIAL.id, name: REVIEW_SECRET_CREDENTIAL.name } };
		}
		// One local address for everyone (no personal links to hand out, no secret to set up); the
		// node's Access switches it to personal inbox links for a team.
		if (node.type === 'n8n-nodes-hitl.reviewInbox') node.parameters.access = 'shared';
		if (node.type === 'n8n-nodes-hitl.llmDraft' && process.env.HITL_MODEL) {
			node.parameters.model = { __rl: true, mode: 'id', value: process.env.HITL_MODEL };
		}
	}
	return workflow;
}

// The Review Inbox is a trigger with a webhook: published like the webhook templates, and its
// activation registers it in the store for the support template's review links.
const startsOnWebhook = (workflow) => workflow.nodes.some((node) => ['n8n-nodes-base.webhook', 'n8n-nodes-hitl.reviewInbox'].includes(node.type));

/**
 * The credentials a template's nodes still lack once npm start has set the ones it manages (the
 * LLM, the store, the review secret): a mail server, so far. n8n refuses to start a workflow with
 * such a node ("uses invalid credential"), so that template is imported but not published.
 */
const missingCredentials = (workflow) =>
	workflow.nodes.flatMap((node) =>
		Object.entries(node.credentials ?? {})
			.filter(([, credential]) => !credential.id)
			.map(([type]) => `"${node.name}" needs a ${type} credential`),
	);

/** A template npm start publishes: a webhook starts it and every credential it needs is set. */
const publishable = (workflow) => startsOnWebhook(workflow) && missingCredentials(workflow).length === 0;

/**
 * Imports each template once, and again when it changed (file, HITL_MODEL), so that edits made in
 * the editor are not overwritten on every start. Publishes the ones a webhook starts and that need
 * no credential npm start cannot make, so that the curl printed at the end answers. Returns the ids
 * of the published templates.
 */
async function importTemplates() {
	const templates = readdirSync(TEMPLATES)
		.filter((name) => name.endsWith('.json'))
		.sort()
		.map((name) => ({ name, workflow: preparedTemplate(path.join(TEMPLATES, name)) }));
	const markerOf = ({ name, workflow }) => {
		const hash = createHash('sha256').update(JSON.stringify(workflow)).digest('hex').slice(0, 12);
		return path.join(userFolder, '.n8n', `.hitl-template-${path.basename(name, '.json')}-${hash}`);
	};
	const changed = templates.filter((template) => !existsSync(markerOf(template)));
	if (changed.length > 0) {
		const folder = mkdtempSync(path.join(tmpdir(), 'hitl-templates-'));
		try {
			for (const { name, workflow } of changed) writeFileSync(path.join(folder, name), JSON.stringify(workflow));
			log(`importing ${changed.map(({ name }) => name).join(', ')}`);
			await n8nCli(['import:workflow', '--separate', `--input=${folder}`]);
		} finally {
			rmSync(folder, { recursive: true, force: true });
		}
		for (const { name, workflow } of changed.filter((entry) => startsOnWebhook(entry.workflow))) {
			const missing = missingCredentials(workflow);
			if (missing.length > 0) {
				log(`not publishing ${name}: ${missing.join(', ')}; set it in the editor, then publish the workflow`);
				continue;
			}
			log(`publishing ${name}`);
			await n8nCli(['publish:workflow', `--id=${workflow.id}`]);
		}
		for (const template of changed) writeFileSync(markerOf(template), '');
	}
	return templates.filter(({ workflow }) => publishable(workflow)).map(({ workflow }) => workflow.id);
}

// ---- 3. n8n and its owner -------------------------------------------------------------------------

async function waitUntilServing(webhookWorkflowIds, timeoutMs = 600_000) {
	const deadline = Date.now() + timeoutMs;
	while (Date.now() < deadline) {
		if (n8n.exitCode !== null || n8n.signalCode !== null) throw new Error('n8n exited during start-up (its log is above)');
		const ready = await fetch(`${localBase}/healthz/readiness`).then((response) => response.ok, () => false);
		// n8n 2.x registers published workflows' webhooks after it reports ready.
		if (ready) {
			const registered = new Set(readDatabase('SELECT DISTINCT workflowId FROM webhook_entity').map((row) => String(row.workflowId)));
			if (webhookWorkflowIds.every((id) => registered.has(id))) return;
		}
		await sleep(500);
	}
	throw new Error(`n8n did not answer on ${localBase} within ${timeoutMs / 1000} s`);
}

function randomPassword() {
	// n8n wants 8–64 characters with a digit and an upper-case letter.
	return `Hitl-${randomBytes(12).toString('base64url')}-${randomInt(1000, 10000)}`;
}

const postJson = (route, body) =>
	fetch(`${localBase}/rest/${route}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

/**
 * The owner account, set up through n8n's first-run endpoint right after start (the same call the
 * set-up page makes), with a random password kept in the user folder. Returns how to log in.
 */
async function ensureOwner() {
	const file = path.join(userFolder, OWNER_FILE);
	const saved = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : undefined;
	const login = saved ?? { email: OWNER_EMAIL, password: randomPassword() };
	if (!saved) writeFileSync(file, `${JSON.stringify(login, null, 2)}\n`, { mode: 0o600 });
	const setup = await postJson('owner/setup', { ...login, firstName: 'HITL', lastName: 'Owner' });
	if (!setup.ok) {
		const text = await setup.text();
		if (!/already/i.test(text)) throw new Error(`Setting up the owner account failed: ${setup.status} ${text}`);
		if (!saved) {
			// Someone set the owner up in the browser before this script did.
			rmSync(file, { force: true });
			return 'with the owner account you set up';
		}
	}
	const check = await postJson('login', { emailOrLdapLoginId: login.email, password: login.password });
	if (!check.ok) return `as ${login.email} with the password you set (the one in ${file} no longer works)`;
	return `${login.email} / ${login.password}   (kept in ${file})`;
}

function firstTicketsCurl() {
	const url = `${publicBase}/webhook/support-reply`;
	// Three tickets, one per route, with the demo model's canned answers: a delivery question goes out
	// alone, a refund waits for a person, a reply promising investment returns is blocked.
	const tickets = [
		{ ticketId: 'DEMO-1', customerName: 'Dana', message: 'Where is my parcel? I ordered it last week.' },
		{ ticketId: 'DEMO-2', customerName: 'Sam', message: 'The shoes do not fit. I want a refund.' },
		{ ticketId: 'DEMO-3', customerName: 'Alex', message: 'Should I invest my savings with you?' },
	];
	return `curl -s ${tickets
		.map((ticket) => `-w '\\n' -H 'content-type: application/json' ${url} -d '${JSON.stringify(ticket)}'`)
		.join(' --next ')}`;
}

// ---- main -----------------------------------------------------------------------------------------

try {
	mkdirSync(path.join(userFolder, '.n8n'), { recursive: true });
	await storeLlmCredential();
	await importCredentialOnce(STORE_CREDENTIAL);
	await importCredentialOnce({ ...REVIEW_SECRET_CREDENTIAL, data: { secret: randomBytes(32).toString('base64url') } });
	const webhookWorkflowIds = await importTemplates();
	if (stopping) await new Promise(() => {}); // Ctrl-C during the imports: stopAll() exits
	log(`starting n8n on ${localBase} (user folder ${userFolder})`);
	// Its own process group, so that stopping it also ends the task runners it starts.
	n8n = spawn(process.execPath, [n8nBin, 'start'], { env, detached: true, stdio: ['ignore', 'inherit', 'inherit'] });
	n8n.once('exit', (code, signal) => {
		if (stopping) return;
		log(`n8n exited (${signal ?? `code ${code}`})`);
		void stopAll(code || 1);
	});
	await waitUntilServing(webhookWorkflowIds);
	const howToLogIn = await ensureOwner();
	if (demoModel) log('the tickets below are answered by the DEMO MODEL: canned answers, not an AI');
	// The last four lines of the start: where to open, how to log in, the reviewers' queue, a first ticket.
	process.stdout.write(`\nOpen     ${publicBase}\nLog in   ${howToLogIn}\nInbox    ${publicBase}/webhook/${INBOX_PATH}\nTry it   ${firstTicketsCurl()}\n`);
} catch (error) {
	if (!stopping) {
		log(error instanceof Error ? error.message : String(error));
		await stopAll(1);
	}
}
