// Three tiers (see README, "How the tests are organised"):
//   unit      pure modules, no n8n engine;
//   workflow  real workflows run in-process by n8n-core's WorkflowExecute over the compiled nodes;
//   e2e       a real n8n server (installed on demand), a real browser, real mail/db servers.
const tsJest = ['ts-jest', { tsconfig: 'tsconfig.json', diagnostics: false }];

const project = (name, extra = {}) => ({
  displayName: name,
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': tsJest },
  testMatch: [`<rootDir>/test/${name}/**/*.test.ts`],
  ...extra,
});

module.exports = {
  projects: [
    project('unit'),
    project('workflow', { setupFiles: ['<rootDir>/test/workflow/quietLogs.ts'] }),
    project('e2e', { setupFilesAfterEnv: ['<rootDir>/test/e2e/jestSetup.ts'] }),
  ],
};
