// Starts the stores once for the whole Jest run (throwaway Redis and FerretDB, or the external ones
// named by REDIS_URL / MONGODB_URI) and hands their URLs to the test workers through the environment.
// With TEST_REDIS_CLUSTER=1 the Redis is a local 3-master Redis Cluster instead (every test that takes
// its client from the test stores then runs on a cluster: docs/redis-cluster.md "Testing").
// It uses the compiled service manager from dist/: `npm test` builds before it runs Jest.
'use strict';

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

module.exports = async function globalSetup() {
  const { startThrowawayStores } = require('../../dist/runtime/services');
  const cluster = process.env.TEST_REDIS_CLUSTER === '1' ? await startCluster() : undefined;
  const stores = await startThrowawayStores('test', {
    mongodbUri: process.env.MONGODB_URI,
    redisUrl: cluster?.url ?? process.env.REDIS_URL,
  });
  process.env.TEST_MONGODB_URI = stores.mongodbUri;
  process.env.TEST_REDIS_URL = stores.redisUrl;
  globalThis.__CGW_STORES__ = {
    async stop() {
      await stores.stop();
      await cluster?.stop();
    },
  };
};

async function startCluster() {
  const { startLocalRedisCluster } = require('../../dist/runtime/services/redis-cluster');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cgw-test-cluster-'));
  const cluster = await startLocalRedisCluster({ dir });
  return {
    url: cluster.url,
    async stop() {
      await cluster.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
