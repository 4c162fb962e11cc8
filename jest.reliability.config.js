// `npm run test:reliability`: the write path under crashes — a real worker process killed with -9 and
// restarted, a private Redis with an append-only file restarted mid-batch. Minutes per file, so not
// part of `npm test` (jest.config.js ignores test/reliability/); one file at a time, as each starts
// its own worker, Redis and sandboxes beside the global stores (the MongoDB-wire store is shared).
const base = require('./jest.config');

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  testMatch: ['<rootDir>/test/reliability/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/'],
  testTimeout: 600_000,
  maxWorkers: 1,
};
