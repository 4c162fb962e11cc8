// One Jest run over every layer. Stores (Redis, MongoDB-wire) are started once by the global setup
// and handed to test files through environment variables; each test file takes its own database and
// queue prefix so files can run in parallel without seeing each other's data.
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // The write path's crash tests (kill -9, Redis restarts) take minutes: `npm run test:reliability`.
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/reliability/'],
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
  // A worker that has finished its files still has to tear down every test file's module registry and
  // VM context before its process ends: on a busy 2-core machine that took 0.5-0.6 s of CPU (measured
  // with nothing left open, not even a timer, once Jest sent the worker its end message), just past
  // Jest's 500 ms default, which then printed "a worker process has failed to exit gracefully" though
  // nothing leaked. A real leak (an open socket, server or timer) keeps a process alive for good, so
  // it still trips this bound and the warning.
  workerGracefulExitTimeout: 3000,
};
