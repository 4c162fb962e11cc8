import { QUEUES } from '../../../src/queue/queues';
import { requestWriteFlush, WRITE_FLUSH_JOB } from '../../../src/queue/writes.producer';
import { FINAL_WRITE_STATUSES, type WriteOperation } from '../../../src/writes/write-operation.types';
import { type ReadStack, type ReadTenant } from '../../support/read-stack';
import { startWriteStack, type WriteStack } from '../../support/writes/write-stack';
import { uniqueName } from '../../support/stores';
import { within } from '../../support/within';
import { groupOf, insertOperations, type OperationSpec } from '../../support/writes/operations';

jest.setTimeout(90_000);

/**
 * LINK / UNLINK through the write engine (docs/writes.md "Links"): operations stored as the accept path
 * stores them, a real worker, both sandboxes. A link waits for the creates of its contact and its deal
 * (`dependsOn`), gets the deal's remote id into its target when that create succeeds, and fails
 * DEPENDENCY_FAILED when it does not. The sandboxes' stores are the truth about associations.
 */

type Crm = 'hubspot' | 'salesforce';

let stack: ReadStack;
let tenant: ReadTenant;

let writes: WriteStack;
beforeAll(async () => {
  writes = await startWriteStack('wlinks', 7, 'links');
  ({ stack, tenant } = writes);
});

afterAll(async () => {
  await writes?.close();
});

/** Vendor truth: the deal ids the sandbox links to a contact. */
function dealsOf(crm: Crm, contactId: string): string[] {
  const state = stack.sandboxes.sandboxes[crm]!.server.org('default').state as unknown;
  if (crm === 'hubspot') {
    const store = (state as { store: { associated(type: 'contacts', id: string): string[] } }).store;
    return store.associated('contacts', contactId);
  }
  const store = (state as { store: { table(name: string): Map<string, Record<string, unknown>> } }).store;
  const rows = [...store.table('OpportunityContactRole').values()].filter(
    (r) => r.IsDeleted !== true && String(r.ContactId).slice(0, 15) === contactId.slice(0, 15),
  );
  return [...new Set(rows.map((r) => String(r.OpportunityId)))];
}

const SAMPLES = {
  hubspot: {
    contact: (run: string) => ({ lastname: run, email: `${run}@example.com` }),
    deal: (run: string) => ({ dealname: run, dealstage: 'appointmentscheduled', pipeline: 'default' }),
    badDeal: (run: string) => ({ dealname: run, dealstage: 'no-such-stage', pipeline: 'default' }),
    unknownDeal: '999999999999',
  },
  salesforce: {
    contact: (run: string) => ({ LastName: run }),
    deal: (run: string) => ({ Name: run, StageName: 'Prospecting', CloseDate: '2026-12-31' }),
    badDeal: (run: string) => ({ Name: run, CloseDate: '2026-12-31' }),
    unknownDeal: '006000000000000AAA',
  },
} as const;

/** Stores the operations and requests the flush of each of their groups, as the accept path does. */
async function accept(crm: Crm, specs: OperationSpec[]): Promise<string[]> {
  const c = await stack.ctx.store.connections.getById(tenant.connections[crm]);
  const ids = await insertOperations(stack.ctx, { id: c.id, tenantId: c.tenantId, crm: c.crm }, specs);
  const queue = stack.ctx.queues.get(QUEUES.writes);
  const groups = new Map(specs.map((s) => [`${s.object ?? 'contact'}:${s.kind}`, s]));
  for (const s of groups.values())
    await requestWriteFlush(queue, groupOf(c.id, s.kind, s.object), 'accepted');
  return ids;
}

async function settled(ids: string[], ms: number): Promise<WriteOperation[]> {
  let ops: WriteOperation[] = [];
  await within(ms, async () => {
    ops = await stack.ctx.store.writeBatches.findMany(ids);
    expect(ops.filter((o) => FINAL_WRITE_STATUSES.has(o.status))).toHaveLength(ids.length);
    const active = await stack.ctx.queues.get(QUEUES.writes).getActive();
    expect(active.filter((j) => j.name === WRITE_FLUSH_JOB)).toHaveLength(0);
  });
  const byId = new Map(ops.map((o) => [o.id, o]));
  return ids.map((id) => byId.get(id)!);
}

describe.each(['hubspot', 'salesforce'] as const)('%s', (crm) => {
  const samples = SAMPLES[crm];

  it('create contact + create deal + link (waiting for both): all SUCCEEDED, the link in the CRM; then unlink, twice', async () => {
    const run = uniqueName('link');
    const contactOp = `wop_c_${run}`;
    const dealOp = `wop_d_${run}`;
    const [, , linkId] = await accept(crm, [
      { id: contactOp, kind: 'CREATE', object: 'contact', fields: samples.contact(run) },
      { id: dealOp, kind: 'CREATE', object: 'deal', fields: samples.deal(run) },
      { kind: 'LINK', object: 'contact', after: contactOp, target: { object: 'deal', after: dealOp } },
    ]);
    // Well inside the reconciler's period (15 s + 10 s): the creates' flushes wake the waiting link.
    const [contact, deal, link] = await settled([contactOp, dealOp, linkId!], 20_000);
    expect([contact!.status, deal!.status, link!.status]).toEqual(['SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED']);
    const contactId = contact!.remoteId!;
    const dealId = deal!.remoteId!;
    expect(link).toMatchObject({
      remoteId: contactId,
      recordKey: `rid:${contactId}`,
      target: { object: 'deal', remoteId: dealId, recordKey: `rid:${dealId}` },
      result: { created: false, record: null },
      failure: null,
    });
    expect(dealsOf(crm, contactId)).toEqual([dealId]);
    // A link changes no record's fields: no change event of its own.
    const history = await stack.ctx.store.changeEvents.forRecord(link!.connectionId, 'contact', contactId);
    expect(history.map((e) => e.writeOperationId)).toEqual([contactOp]);

    const unlinks = await accept(crm, [
      {
        kind: 'UNLINK',
        object: 'contact',
        remoteId: contactId,
        target: { object: 'deal', remoteId: dealId },
      },
      {
        kind: 'UNLINK',
        object: 'contact',
        remoteId: contactId,
        target: { object: 'deal', remoteId: dealId },
      },
    ]);
    const ops = await settled(unlinks, 30_000);
    expect(ops.map((o) => o.status)).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    expect(dealsOf(crm, contactId)).toEqual([]);
  });

  it('a link to a known contact waiting only for its deal is woken by that create (not by the reconciler)', async () => {
    const run = uniqueName('linkwake');
    const contactOp = `wop_c_${run}`;
    const [created] = await settled(
      await accept(crm, [{ id: contactOp, kind: 'CREATE', object: 'contact', fields: samples.contact(run) }]),
      20_000,
    );
    const contactId = created!.remoteId!;
    const dealOp = `wop_d_${run}`;
    const c = await stack.ctx.store.connections.getById(tenant.connections[crm]);
    const [, linkId] = await insertOperations(stack.ctx, { id: c.id, tenantId: c.tenantId, crm: c.crm }, [
      { id: dealOp, kind: 'CREATE', object: 'deal', fields: samples.deal(run) },
      { kind: 'LINK', object: 'contact', remoteId: contactId, target: { object: 'deal', after: dealOp } },
    ]);
    const queue = stack.ctx.queues.get(QUEUES.writes);
    // The link's flush first: its deal is pending, so it stays QUEUED and nothing asks for it again…
    await requestWriteFlush(queue, groupOf(c.id, 'LINK', 'contact'), 'accepted');
    await within(10_000, async () => {
      const counts = await queue.getJobCounts();
      expect(counts.waiting + counts.active).toBe(0);
    });
    expect((await stack.ctx.store.writeBatches.findMany([linkId!]))[0]!.status).toBe('QUEUED');
    // …until the deal's create succeeds: its flush wakes the link's group (by the link's target).
    await requestWriteFlush(queue, groupOf(c.id, 'CREATE', 'deal'), 'accepted');
    const [deal, link] = await settled([dealOp, linkId!], 8_000);
    expect([deal!.status, link!.status]).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    expect(link!.target).toMatchObject({ remoteId: deal!.remoteId, recordKey: `rid:${deal!.remoteId}` });
    expect(dealsOf(crm, contactId)).toEqual([deal!.remoteId]);
  });

  it('a link waiting for a create that FAILED ends DEPENDENCY_FAILED; a link to an unknown deal FAILED NOT_FOUND', async () => {
    const run = uniqueName('linkfail');
    const contactOp = `wop_c_${run}`;
    const dealOp = `wop_d_${run}`;
    const ids = await accept(crm, [
      { id: contactOp, kind: 'CREATE', object: 'contact', fields: samples.contact(run) },
      { id: dealOp, kind: 'CREATE', object: 'deal', fields: samples.badDeal(run) },
      { kind: 'LINK', object: 'contact', after: contactOp, target: { object: 'deal', after: dealOp } },
    ]);
    const [contact, deal, link] = await settled(ids, 20_000);
    expect(contact!.status).toBe('SUCCEEDED');
    expect(deal!.status).toBe('FAILED');
    expect(link!.status).toBe('FAILED');
    expect(link!.failure).toMatchObject({ code: 'DEPENDENCY_FAILED', retryable: false });
    expect(link!.failure!.message).toContain(dealOp);
    const contactId = contact!.remoteId!;
    expect(dealsOf(crm, contactId)).toEqual([]);

    const [unknown] = await accept(crm, [
      {
        kind: 'LINK',
        object: 'contact',
        remoteId: contactId,
        target: { object: 'deal', remoteId: samples.unknownDeal },
      },
    ]);
    const [op] = await settled([unknown!], 30_000);
    expect(op!.status).toBe('FAILED');
    expect(op!.failure).toMatchObject({ code: 'NOT_FOUND', retryable: false });
    expect(dealsOf(crm, contactId)).toEqual([]);
  });
});
