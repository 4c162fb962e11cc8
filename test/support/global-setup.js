// Starts the stores once for the whole Jest run (throwaway Redis and FerretDB, or the external ones
// named by REDIS_URL / MONGODB_URI) and hands their URLs to the test workers through the environment.
// It uses the compiled service manager from dist/: `npm test` builds before it runs Jest.
'use strict';

module.exports = async function globalSetup() {
  const { startThrowawayStores } = require('../../dist/runtime/services');
  const stores = await startThrowawayStores('test', {
    mongodbUri: process.env.MONGODB_URI,
    redisUrl: process.env.REDIS_URL,
  });
  process.env.TEST_MONGODB_URI = stores.mongodbUri;
  process.env.TEST_REDIS_URL = stores.redisUrl;
  globalThis.__CGW_STORES__ = stores;
};
