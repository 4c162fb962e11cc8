// Starts the stores once for the whole Jest run (throwaway Redis and FerretDB, or the external ones
// named by REDIS_URL / MONGODB_URI) and hands their URLs to the test workers through the environment.
// It uses the compiled service manager from dist/: `npm test` builds before it runs Jest.
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

module.exports = async function globalSetup() {
  const { startStores } = require('../../dist/runtime/services');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cgw-test-'));
  const stores = await startStores({
    mongodbUri: process.env.MONGODB_URI,
    redisUrl: process.env.REDIS_URL,
    dataDir,
    persistent: false,
  });
  process.env.TEST_MONGODB_URI = stores.mongodbUri;
  process.env.TEST_REDIS_URL = stores.redisUrl;
  globalThis.__CGW_STORES__ = { stores, dataDir };
};
