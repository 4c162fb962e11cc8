import { QUEUES } from '../../../src/queue/queues';
import { requestWriteFlush, WRITE_FLUSH_JOB } from '../../../src/queue/writes.producer';
import { backgroundMetadata } from '../../../src/reads/background-metadata';
import { ingestOf } from '../../../src/sync/ingest';
import { FINAL_WRITE_STATUSES, type WriteOperation } from '../../../src/writes/write-operation.types';
import { uniqueName } from '../../support/stores';
import { within } from '../../support/within';
import { groupOf, insertOperations } from '../../support/writes/operations';
import { startWriteStack, type WriteStack } from '../../support/writes/write-stack';

jest.setTimeout(90_000);

/**
 * Our own write seen again by sync — the vendor's webhook for it, or the next poll — is recorded once,
 * as the write's MUTATION event, never a second time as a vendor change.
 */

let writes: WriteStack;
beforeAll(async () => {
  writes = await startWriteStack('echo', 9, 'echo');
});
afterAll(async () => {
  await writes?.close();
});

async function writeAndSettle(
  crm: 'hubspot' | 'salesforce',
  fields: Record<string, unknown>,
): Promise<WriteOperation> {
  const { stack, tenant } = writes;
  const c = await stack.ctx.store.connections.getById(tenant.connections[crm]);
  const connection = { id: c.id, tenantId: c.tenantId, crm: c.crm };
  const [id] = await insertOperations(stack.ctx, connection, [{ kind: 'CREATE', fields }]);
  await requestWriteFlush(stack.ctx.queues.get(QUEUES.writes), groupOf(connection.id, 'CREATE'), 'accepted');
  let op: WriteOperation | undefined;
  await within(45_000, async () => {
    [op] = await stack.ctx.store.writeBatches.findMany([id!]);
    expect(FINAL_WRITE_STATUSES.has(op!.status)).toBe(true);
    const active = await stack.ctx.queues.get(QUEUES.writes).getActive();
    expect(active.filter((j) => j.name === WRITE_FLUSH_JOB)).toHaveLength(0);
  });
  expect(op!.status).toBe('SUCCEEDED');
  return op!;
}

it("records the webhook echo of our own HubSpot create once, as the write's event", async () => {
  const run = uniqueName('echo');
  const op = await writeAndSettle('hubspot', {
    firstname: 'Echo',
    lastname: run,
    email: `${run}@example.com`,
  });
  const connection = await writes.stack.ctx.store.connections.getById(op.connectionId);
  const ingest = ingestOf(writes.stack.ctx);
  const outcome = await ingest({
    connection,
    object: 'contact',
    changes: [
      { object: 'contact', remoteId: op.remoteId!, kind: 'UPSERTED', occurredAt: new Date().toISOString() },
    ],
    source: 'WEBHOOK',
    observedAt: new Date(),
  });
  expect(outcome.events).toBe(0);
  const history = await writes.stack.ctx.store.changeEvents.forRecord(connection.id, 'contact', op.remoteId!);
  expect(history.map((e) => [e.kind, e.source, e.writeOperationId])).toEqual([
    ['CREATED', 'MUTATION', op.id],
  ]);
});

it("records the poll echo of our own Salesforce create once, as the write's event", async () => {
  const run = uniqueName('echo');
  const op = await writeAndSettle('salesforce', {
    FirstName: 'Echo',
    LastName: run,
    Email: `${run}@example.com`,
  });
  const connection = await writes.stack.ctx.store.connections.getById(op.connectionId);
  const reader = await (await backgroundMetadata(writes.stack.ctx, connection)).reading('contact');
  const page = await reader.listChanges('contact', { since: new Date(Date.now() - 3_600_000) });
  expect(page.items.map((c) => c.remoteId)).toContain(op.remoteId);
  const outcome = await ingestOf(writes.stack.ctx)({
    connection,
    object: 'contact',
    changes: page.items.filter((c) => c.remoteId === op.remoteId),
    source: 'POLL',
    observedAt: new Date(),
  });
  expect(outcome).toMatchObject({ events: 0, unchanged: 1 });
  const history = await writes.stack.ctx.store.changeEvents.forRecord(connection.id, 'contact', op.remoteId!);
  expect(history.map((e) => [e.kind, e.source])).toEqual([['CREATED', 'MUTATION']]);
});

/** A create as a client makes it: canonical input through the accept path (the app's values are known). */
async function acceptAndSettle(fields: Record<string, string>): Promise<WriteOperation> {
  const { stack, tenant } = writes;
  const [accepted] = await stack.ctx.writes.accept({
    tenantId: tenant.tenantId,
    idempotencyKey: null,
    items: [
      {
        kind: 'CREATE',
        object: 'contact',
        connectionId: tenant.connections.hubspot,
        input: { fields, customFields: {} },
      },
    ],
  });
  let op: WriteOperation | undefined;
  await within(45_000, async () => {
    [op] = await stack.ctx.store.writeBatches.findMany([accepted!.id]);
    expect(op!.status).toBe('SUCCEEDED');
    const active = await stack.ctx.queues.get(QUEUES.writes).getActive();
    expect(active.filter((j) => j.name === WRITE_FLUSH_JOB)).toHaveLength(0);
  });
  return op!;
}

async function admin(method: string, path: string, body?: unknown) {
  const base = writes.stack.sandboxes.sandboxes.hubspot!.baseUrl;
  const res = await fetch(`${base}/__sandbox/orgs/default${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as { properties?: Record<string, unknown> } & Record<string, unknown>;
}

it('turns a CRM change to an app-owned field the app wrote into a CONFLICT, writes the app value back once, and never loops', async () => {
  const run = uniqueName('conflict');
  const op = await acceptAndSettle({ firstName: 'App', lastName: run, email: `${run}@example.com` });
  const connection = await writes.stack.ctx.store.connections.getById(op.connectionId);
  const ingest = ingestOf(writes.stack.ctx);
  const webhook = () =>
    ingest({
      connection,
      object: 'contact',
      changes: [
        { object: 'contact', remoteId: op.remoteId!, kind: 'UPSERTED', occurredAt: new Date().toISOString() },
      ],
      source: 'WEBHOOK',
      observedAt: new Date(),
    });
  const history = () => writes.stack.ctx.store.changeEvents.forRecord(connection.id, 'contact', op.remoteId!);
  const firstname = async () => {
    const r = await admin('GET', `/records/contacts/${op.remoteId}`);
    return (r.properties ?? r).firstname;
  };

  // A CRM user edits the app's field and a field the app never wrote.
  await admin('PATCH', `/records/contacts/${op.remoteId}`, { firstname: 'Crm', phone: '+1 555 0100' });
  expect(await webhook()).toMatchObject({ events: 1 });
  const conflict = (await history()).at(-1)!;
  expect(conflict).toMatchObject({ kind: 'CONFLICT', source: 'WEBHOOK' });
  expect(conflict.changes).toEqual(
    expect.arrayContaining([
      { field: 'firstName', before: 'App', after: 'Crm' },
      { field: 'phone', before: null, after: '+1 555 0100' },
    ]),
  );
  // The app's value goes back through the write path; the phone, never written by the app, stays.
  await within(45_000, async () => {
    expect(await firstname()).toBe('App');
    expect((await history()).map((e) => [e.kind, e.source])).toEqual([
      ['CREATED', 'MUTATION'],
      ['CONFLICT', 'WEBHOOK'],
      ['UPDATED', 'MUTATION'],
    ]);
  });
  const restored = (await history()).at(-1)!;
  expect(restored.changes).toEqual([{ field: 'firstName', before: 'Crm', after: 'App' }]);
  const after = await admin('GET', `/records/contacts/${op.remoteId}`);
  expect((after.properties ?? after).phone).toBe('+1 555 0100');

  // The CRM insists on the same value: recorded as its change, not written back again.
  await admin('PATCH', `/records/contacts/${op.remoteId}`, { firstname: 'Crm' });
  expect(await webhook()).toMatchObject({ events: 1 });
  expect((await history()).at(-1)).toMatchObject({ kind: 'UPDATED', source: 'WEBHOOK' });
  await new Promise((r) => setTimeout(r, 2_000));
  expect(await firstname()).toBe('Crm');
});
