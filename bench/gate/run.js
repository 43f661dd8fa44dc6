#!/usr/bin/env node
// Starts the gate benchmark: jest with bench/gate/jest.config.js, the flags passed on in
// GATE_BENCH_ARGS (jest itself refuses flags it does not know). See README.md for the flags.
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const root = path.resolve(__dirname, '..', '..');
const result = spawnSync(
  process.execPath,
  [path.join(root, 'node_modules', 'jest', 'bin', 'jest.js'), '-c', path.join(__dirname, 'jest.config.js'), '--silent=false'],
  { cwd: root, stdio: 'inherit', env: { ...process.env, GATE_BENCH_ARGS: process.argv.slice(2).join(' ') } },
);
process.exit(result.status ?? 1);
