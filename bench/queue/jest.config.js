// Runs the queue benchmark with the same TypeScript setup as the tests, outside the test
// projects: it prints figures (ratios against n8n's own Wait node on the same server).
const path = require('node:path');

module.exports = {
  rootDir: path.resolve(__dirname, '..', '..'),
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json', diagnostics: false }] },
  testMatch: ['<rootDir>/bench/queue/*.bench.ts'],
  testTimeout: 3_600_000,
};
