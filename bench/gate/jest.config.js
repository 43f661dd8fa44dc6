// Runs the gate benchmark with the same TypeScript setup as the tests, outside the test projects:
// it prints figures and fails only when an execution fails or an item goes missing.
// Start it with `node bench/gate/run.js [flags]` (see README.md), which passes the flags on.
const path = require('node:path');

module.exports = {
  rootDir: path.resolve(__dirname, '..', '..'),
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json', diagnostics: false }] },
  testMatch: ['<rootDir>/bench/gate/*.bench.ts', '<rootDir>/bench/gate/*.test.ts'],
  testTimeout: 6 * 3_600_000,
};
