// `npm run test:reliability` (issue 17's write crashes, issue 23's fleet). Minutes per file, so not
// part of `npm test` (jest.config.js ignores test/reliability/); one file at a time (maxWorkers 1), as
// each starts its own processes, Redis and sandboxes beside the global stores (the MongoDB-wire store
// is shared, one database per file). `npm run build` first: the processes run dist/bin/*.js.
//
// What runs where:
// - test/reliability/harness.test.ts, write-crashes.test.ts: one worker process (test/support/
//   worker-process.ts), the in-process read-stack gateway, a private AOF Redis killed with -9.
// - test/reliability/fleet.test.ts: the fleet harness (test/reliability/support/fleet.ts): 2 gateway
//   and 3 worker processes (test/support/node-process.ts spawns, kills and restarts them).
// - token-refresh.test.ts, fleet-writes.test.ts, webhook-storm.test.ts: issue 23's scenarios 1, 2, 5
//   (test/reliability/scenarios/*.ts) at full size on a fleet; each prints `REL <name> <figure> <unit>`.
// - soak.test.ts: issue 23's scenario 7, REL_SOAK_MINUTES (default 10) of steady mixed load with
//   each process's memory, event-loop lag and the queue depths sampled every 10 s.
// - bulk-jobs.test.ts: the write engine's bulk jobs (6,000 Zoho upserts through one Bulk Write job,
//   2,000 Salesforce upserts through Bulk 2.0, a lost poll) — about five minutes, the declared
//   thresholds being thousands of records; npm test covers the pieces by unit tests.
// - then jest.reliability-cluster.config.js: scenarios 1, 2 and 6 once more with the fleet on a local
//   Redis Cluster (REL_REDIS_CLUSTER=1).
// - `npm test` runs the same scenarios 1, 2 and 5 at small size on one fleet:
//   test/integration/reliability-subset.test.ts (about 70 s).
const base = require('./jest.config');

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  testMatch: ['<rootDir>/test/reliability/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/'],
  testTimeout: 600_000,
  maxWorkers: 1,
};
