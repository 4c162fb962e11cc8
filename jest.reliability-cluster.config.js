// The second half of `npm run test:reliability` (issue 23): scenarios 1, 2 and 6 again, on a fleet
// whose Redis is a local 3-master Redis Cluster (test/reliability/support/private-redis.ts) — every
// process gets REDIS_CLUSTER_NODES, so budgets' scripts, locks, Bull queues and pub/sub run on the
// cluster's key layout (docs/redis-cluster.md). Jest's workers inherit the variable set here.
process.env.REL_REDIS_CLUSTER = '1';
const base = require('./jest.reliability.config');

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  testMatch: [
    '<rootDir>/test/reliability/token-refresh.test.ts',
    '<rootDir>/test/reliability/fleet-writes.test.ts',
    '<rootDir>/test/reliability/budget-fairness.test.ts',
  ],
};
