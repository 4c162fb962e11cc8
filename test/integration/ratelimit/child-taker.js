// A second process for the cross-process budget test: runs the compiled gate from dist/ against the
// same Redis. Protocol over IPC: parent sends {go, calls}; child answers {admitted, denied}.
'use strict';
const { createRedisClient } = require('../../../dist/redis/client');
const { RedisBudgetGate } = require('../../../dist/ratelimit/budget-gate');

const [redisUrl, prefix, limit] = process.argv.slice(2);
const redis = createRedisClient(redisUrl, { maxRetriesPerRequest: 1 });
const gate = new RedisBudgetGate({
  redis,
  prefix,
  connection: {
    id: 'child',
    tenantId: 't',
    crm: 'salesforce',
    externalAccountId: 'org-shared',
    vendorUrls: {},
    settings: {},
  },
  budgets: [
    { name: 'daily', scope: 'account', limit: Number(limit), windowMs: 60000, interactiveReserve: 0 },
  ],
});

redis.ping().then(() => process.send({ ready: true }));
process.on('message', async (msg) => {
  if (!msg.go) return;
  const results = await Promise.allSettled(
    Array.from({ length: msg.calls }, () => gate.acquire('background')),
  );
  const admitted = results.filter((r) => r.status === 'fulfilled').length;
  const codes = [...new Set(results.filter((r) => r.status === 'rejected').map((r) => r.reason.code))];
  process.send({ admitted, denied: results.length - admitted, codes });
  await redis.quit();
  process.exit(0);
});
