// One Jest run over every layer. Stores (Redis, MongoDB-wire) are started once by the global setup
// and handed to test files through environment variables; each test file takes its own database and
// queue prefix so files can run in parallel without seeing each other's data.
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    // tsconfig.json sets isolatedModules, so ts-jest only transpiles (tsc type-checks separately);
    // decorator metadata is still emitted, which type-graphql needs.
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.check.json' }],
  },
  setupFiles: ['<rootDir>/test/support/setup-env.ts'],
  globalSetup: '<rootDir>/test/support/global-setup.js',
  globalTeardown: '<rootDir>/test/support/global-teardown.js',
  testTimeout: 30000,
  maxWorkers: 2,
};
