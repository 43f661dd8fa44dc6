// Runs the LLM Draft benchmark with the same TypeScript setup as the tests, but outside the test
// projects: a benchmark prints figures and asserts only that every item completed exactly once.
const path = require('node:path');

module.exports = {
  rootDir: path.resolve(__dirname, '..', '..'),
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json', diagnostics: false }] },
  testMatch: ['<rootDir>/bench/llm-draft/*.bench.ts'],
  testTimeout: 600_000,
};
