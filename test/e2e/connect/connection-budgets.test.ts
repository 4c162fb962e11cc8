import 'reflect-metadata';
import { ConnectionBudgetsDocument, ContactPageDocument } from '../generated/operations';
import { request } from '../support/gateway';
import { BudgetSamples } from '../../../src/ratelimit/budget-samples';
import { processBudgetSample } from '../../../src/worker/budgets/budget-sample.processor';
import { type ReadStack, type ReadTenant, startReadStack } from '../../support/read-stack';
import { testStoreUrls, uniqueName } from '../../support/stores';

jest.setTimeout(60_000);

/** `connection { budgets }`: what is left of each budget, as the CRM counts it, and its last hour. */

let stack: ReadStack;
let t: ReadTenant;
let other: ReadTenant;

beforeAll(async () => {
  stack = await startReadStack({
    ...testStoreUrls(),
    name: uniqueName('budgets'),
    orgs: { hubspot: [{ id: 'default', seed: 9, counts: { contacts: 4, deals: 1 } }] },
  });
  t = await stack.tenant('budgets');
  other = await stack.tenant('other');
});

afterAll(async () => {
  await stack?.close();
});

async function budgets(connectionId: string, key = t.key) {
  const res = await request(stack.url, ConnectionBudgetsDocument, { id: connectionId }, { key });
  return res;
}

it("shows each of the CRM's budgets with what a read spent, and the worker's samples of the last hour", async () => {
  const id = t.connections.hubspot;
  const before = (await budgets(id)).body.data!.connection!.budgets;
  expect(before.map((b) => b.name)).toEqual(expect.arrayContaining(['burst', 'daily']));
  const burst = () => before.find((b) => b.name === 'burst')!;
  // No call yet: the declared limit, all of it left, no samples.
  expect(burst()).toMatchObject({
    limit: 100,
    remaining: 100,
    windowMs: 10_000,
    retryAfterMs: 0,
    samples: [],
  });

  const read = await request(stack.url, ContactPageDocument, { connectionId: id, first: 2 }, { key: t.key });
  expect(read.body.errors).toBeUndefined();
  const after = (await budgets(id)).body.data!.connection!.budgets.find((b) => b.name === 'burst')!;
  // The sandbox's headers told the limit of its OAuth app (110), which the count goes by since, and
  // what the read's calls spent of it.
  expect(after.limit).toBe(110);
  expect(after.remaining).toBeLessThan(110);
  expect(after.remaining).toBeGreaterThan(100);

  const sample = processBudgetSample({
    connections: stack.ctx.store.connections,
    readings: (c) => stack.ctx.crm.budgetReadings(c),
    samples: new BudgetSamples(stack.ctx.redis, stack.ctx.redisPrefix),
    logger: stack.ctx.logger,
  });
  await sample();
  await sample();
  const sampled = (await budgets(id)).body.data!.connection!.budgets.find((b) => b.name === 'burst')!;
  expect(sampled.samples).toHaveLength(2);
  expect(Date.parse(sampled.samples[0]!.at)).toBeLessThanOrEqual(Date.parse(sampled.samples[1]!.at));
  expect(sampled.samples[1]!.remaining).toBeLessThanOrEqual(110);
});

it("gives another tenant's connection as NOT_FOUND, budgets and all", async () => {
  const res = await budgets(t.connections.hubspot, other.key);
  expect(res.body.data?.connection ?? null).toBeNull();
  expect(JSON.stringify(res.body)).not.toContain('"burst"');
});
