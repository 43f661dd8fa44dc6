/**
 * The embedded back end on a Node.js without `node:sqlite`: a clear error naming the fix, and
 * nothing printed on a Node.js that has it (no ExperimentalWarning in n8n's logs).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const script = join(__dirname, 'fixtures', 'openEmbedded.js');

jest.setTimeout(60_000);

let dir: string;
beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'hitl-avail-'))));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('without node:sqlite the embedded store fails with an error that says what to do', async () => {
	const { stdout } = await run(process.execPath, ['--no-experimental-sqlite', script, join(dir, 'a.sqlite')]);
	const outcome = JSON.parse(stdout) as { ok: boolean; name: string; message: string };
	expect(outcome.ok).toBe(false);
	expect(outcome.name).toBe('EmbeddedStoreUnavailableError');
	expect(outcome.message).toMatch(/needs the built-in node:sqlite module/);
	expect(outcome.message).toMatch(/Node\.js 22\.13 or newer/);
	expect(outcome.message).toMatch(/"PostgreSQL"/);
});

test('with node:sqlite it opens and prints nothing on stderr', async () => {
	const { stdout, stderr } = await run(process.execPath, [script, join(dir, 'b.sqlite')]);
	expect(JSON.parse(stdout)).toEqual({ ok: true });
	expect(stderr).toBe('');
});
