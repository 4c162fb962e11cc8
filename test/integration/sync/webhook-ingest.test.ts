import { type Job } from 'bull';
import { type NativeChange } from '../../../src/connectors/types';
import { createLogger } from '../../../src/logger';
import { type WebhookIngestJobData } from '../../../src/queue/webhook-ingest.producer';
import { KeyRing } from '../../../src/security/credentials-cipher';
import { openStore, type Store } from '../../../src/store';
import { type NewWebhookReceipt } from '../../../src/store/repositories/webhook-receipts.repo';
import { type IngestBatch, type IngestOutcome } from '../../../src/sync/types';
import { processWebhookIngest } from '../../../src/worker/sync/webhook-ingest.processor';
import { testStoreUrls, uniqueName } from '../../support/stores';

/**
 * Webhook receipts on the real store (FerretDB) and the ingest processor over them, with the ingest
 * core replaced by a recorder: dedupe on insert, grouping by object, marking, and skipping what is done.
 */

const logger = createLogger({ level: 'silent' });
let store: Store;
let connectionId: string;

beforeAll(async () => {
  store = await openStore({
    uri: testStoreUrls().mongodbUri,
    dbName: uniqueName('webhook_ingest'),
    keyRing: new KeyRing([{ kid: 'k', key: Buffer.alloc(32, 3) }]),
  });
  const tenant = await store.tenants.create('webhook-ingest');
  connectionId = (
    await store.connections.create({
      tenantId: tenant.id,
      crm: 'hubspot',
      displayName: 'HubSpot',
      credentials: {},
      externalAccountId: '111',
    })
  ).id;
});
afterAll(async () => {
  await store.conn.dropDatabase().catch(() => undefined);
  await store.close();
});

function change(object: 'contact' | 'deal', remoteId: string, occurredAt: string): NativeChange {
  return { object, remoteId, kind: 'UPSERTED', occurredAt, changedFields: ['a.b'], eventId: '1' };
}

function receipt(key: string, changes: NativeChange[], receivedAt = new Date()): NewWebhookReceipt {
  return { id: `${connectionId}:${key}`, tenantId: 't', connectionId, crm: 'hubspot', changes, receivedAt };
}

/** Every count ingest reports: spread, so the contract growing a count (`skipped`) breaks nothing here. */
const NOTHING = { events: 0, unchanged: 0, fetched: 0, skipped: 0 };
const outcome = (events: number): IngestOutcome => ({ ...NOTHING, events });

function job(data: WebhookIngestJobData): Job<WebhookIngestJobData> {
  return { data } as Job<WebhookIngestJobData>;
}

describe('webhook receipts', () => {
  it('reports redeliveries as duplicates, within one insert and across inserts', async () => {
    const a = receipt('dup:a', [change('contact', '1', '2026-01-01T00:00:00.000Z')]);
    const b = receipt('dup:b', [change('contact', '2', '2026-01-01T00:00:00.000Z')]);
    expect(await store.webhookReceipts.insertMany([a, b, a])).toEqual({
      inserted: [a.id, b.id],
      duplicates: [a.id],
    });
    expect(await store.webhookReceipts.insertMany([b])).toEqual({ inserted: [], duplicates: [b.id] });
    const [found] = await store.webhookReceipts.findMany([a.id, 'missing']);
    expect(found).toMatchObject({ id: a.id, changes: a.changes, ingestedAt: null });
  });
});

describe('webhook receipt retention', () => {
  it('prunes ingested receipts older than the bound, never pending ones, and purges a connection', async () => {
    const old = new Date('2026-01-01T00:00:00.000Z');
    const kept = [receipt('r:pending', [change('contact', '1', old.toISOString())], old)];
    const ingested = receipt('r:ingested', [change('contact', '2', old.toISOString())], old);
    const recent = receipt('r:recent', [change('contact', '3', old.toISOString())], old);
    await store.webhookReceipts.insertMany([...kept, ingested, recent]);
    await store.webhookReceipts.markIngested([ingested.id], old);
    await store.webhookReceipts.markIngested([recent.id], new Date('2026-06-01T00:00:00.000Z'));
    expect(await store.webhookReceipts.pruneIngested(new Date('2026-02-01T00:00:00.000Z'))).toBe(1);
    const left = await store.webhookReceipts.findMany([kept[0]!.id, ingested.id, recent.id]);
    expect(left.map((r) => r.id)).toEqual([kept[0]!.id, recent.id]);
    const other = {
      ...ingested,
      id: 'aaaaaaaaaaaaaaaaaaaaaaaa:r:1',
      connectionId: 'aaaaaaaaaaaaaaaaaaaaaaaa',
    };
    await store.webhookReceipts.insertMany([other]);
    expect(await store.webhookReceipts.deleteForConnection(other.connectionId)).toBe(1);
    expect(await store.webhookReceipts.findMany([other.id, kept[0]!.id])).toHaveLength(1);
  });
});

describe('processWebhookIngest', () => {
  it('ingests pending receipts grouped by object in time order, marks them, and skips them the next time', async () => {
    const early = new Date('2026-02-01T00:00:00.000Z');
    const receipts = [
      receipt('p:1', [change('contact', 'c1', '2026-01-01T00:00:02.000Z')]),
      receipt('p:2', [change('deal', 'd1', '2026-01-01T00:00:01.000Z')], early),
      receipt('p:3', [change('contact', 'c2', '2026-01-01T00:00:01.000Z')], early),
    ];
    await store.webhookReceipts.insertMany(receipts);
    const batches: IngestBatch[] = [];
    const ingest = async (batch: IngestBatch): Promise<IngestOutcome> => {
      batches.push(batch);
      return outcome(batch.changes.length);
    };
    const at = new Date('2026-03-01T00:00:00.000Z');
    const process = processWebhookIngest({
      receipts: store.webhookReceipts,
      ingest,
      connections: store.connections,
      logger,
      now: () => at,
    });
    const data = { connectionId, receiptIds: receipts.map((r) => r.id) };
    expect(await process(job(data))).toMatchObject({ receipts: 3, events: 3, unchanged: 0, fetched: 0 });
    expect(batches.map((b) => [b.object, b.source, b.changes.map((c) => c.remoteId), b.observedAt])).toEqual([
      ['contact', 'WEBHOOK', ['c2', 'c1'], early],
      ['deal', 'WEBHOOK', ['d1'], early],
    ]);
    expect(batches[0]!.connection.id).toBe(connectionId);
    const stored = await store.webhookReceipts.findMany(data.receiptIds);
    expect(stored.map((r) => r.ingestedAt)).toEqual([at, at, at]);

    // A redelivery's job, or a retry after success: nothing left to ingest.
    expect(await process(job(data))).toEqual({ receipts: 0 });
    expect(batches).toHaveLength(2);
  });

  it('leaves every receipt pending when ingest fails, so the retried job takes them all', async () => {
    const receipts = [
      receipt('f:1', [change('contact', 'c1', '2026-01-01T00:00:00.000Z')]),
      receipt('f:2', [change('deal', 'd1', '2026-01-01T00:00:00.000Z')]),
    ];
    await store.webhookReceipts.insertMany(receipts);
    const failing = processWebhookIngest({
      receipts: store.webhookReceipts,
      ingest: async (batch) => {
        if (batch.object === 'deal') throw new Error('store down');
        return outcome(1);
      },
      connections: store.connections,
      logger,
    });
    const data = { connectionId, receiptIds: receipts.map((r) => r.id) };
    await expect(failing(job(data))).rejects.toThrow('store down');
    const stored = await store.webhookReceipts.findMany(data.receiptIds);
    expect(stored.map((r) => r.ingestedAt)).toEqual([null, null]);
  });

  it('touches only receipts of the job’s own connection, and nothing of a deleted connection', async () => {
    const foreign = { ...receipt('x:1', [change('contact', 'c', '2026-01-01T00:00:00.000Z')]) };
    const other = {
      ...foreign,
      id: 'ffffffffffffffffffffffff:x:1',
      connectionId: 'ffffffffffffffffffffffff',
    };
    await store.webhookReceipts.insertMany([other]);
    const calls: IngestBatch[] = [];
    const process = processWebhookIngest({
      receipts: store.webhookReceipts,
      ingest: async (b) => {
        calls.push(b);
        return outcome(0);
      },
      connections: store.connections,
      logger,
    });
    expect(await process(job({ connectionId, receiptIds: [other.id] }))).toMatchObject({ receipts: 0 });
    expect(await process(job({ connectionId: other.connectionId, receiptIds: [other.id] }))).toMatchObject({
      receipts: 0,
    });
    expect(calls).toEqual([]);
  });
});
