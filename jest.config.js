/**
 * Jest runs TypeScript through swc (fast, no type check: `npm run typecheck` does that).
 * Two projects: `unit` needs no server (pure code, the emulator over HTTP, the API on the embedded
 * database); `integration` runs against a real Temporal dev server started once by its global setup.
 */
const transform = { '^.+\\.(t|j)sx?$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } } }] };
module.exports = {
  testTimeout: 60000,
  maxWorkers: 2,
  projects: [
    { displayName: 'unit', testEnvironment: 'node', transform, testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    {
      displayName: 'integration',
      testEnvironment: 'node',
      transform,
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
  ],
};
