#!/usr/bin/env node
// Starts the gate benchmark: jest with bench/gate/jest.config.js, the flags passed on in
// GATE_BENCH_ARGS (jest itself refuses flags it does not know). See README.md for the flags.
//
// --jobs=N runs the (scenario, seed) streams in N jest processes at once (each writes its raw
// results to a temp file) and then prints them together, as one run would.
const { spawn, spawnSync } = require('node:child_process');
const { mkdtempSync, rmSync } = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.resolve(__dirname, '..', '..');
const jestArgs = [path.join(root, 'node_modules', 'jest', 'bin', 'jest.js'), '-c', path.join(__dirname, 'jest.config.js')];
const env = (args) => ({ ...process.env, GATE_BENCH_ARGS: args.join(' ') });

const jobsFlag = process.argv.slice(2).find((arg) => arg.startsWith('--jobs='));
const args = process.argv.slice(2).filter((arg) => arg !== jobsFlag);
const jobs = jobsFlag ? Number(jobsFlag.slice('--jobs='.length)) : 1;

if (!(jobs > 1)) {
  const result = spawnSync(process.execPath, [...jestArgs, '--silent=false'], { cwd: root, stdio: 'inherit', env: env(args) });
  process.exit(result.status ?? 1);
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'hitl-gate-bench-parts-'));
const files = Array.from({ length: jobs }, (_, index) => path.join(dir, `part-${index + 1}.json`));
// The parts run only the benchmark file; their tables come from the merge.
const parts = files.map(
  (file, index) =>
    new Promise((resolve) => {
      const child = spawn(process.execPath, [...jestArgs, 'bench/gate/gate.bench.ts'], {
        cwd: root,
        stdio: ['ignore', 'ignore', 'inherit'],
        env: env([...args, `--part=${index + 1}/${jobs}`, `--part-out=${file}`]),
      });
      child.on('exit', (code) => resolve(code));
    }),
);
Promise.all(parts).then((codes) => {
  const failed = codes.some((code) => code !== 0);
  const result = failed ? { status: 1 } : spawnSync(process.execPath, [...jestArgs, '--silent=false', 'bench/gate/gate.bench.ts'], { cwd: root, stdio: 'inherit', env: env([...args, `--merge=${files.join(',')}`]) });
  rmSync(dir, { recursive: true, force: true });
  process.exit(result.status ?? 1);
});
