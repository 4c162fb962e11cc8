import { writeOperationEventsRoutingKey } from '../../../src/events/write-operation-events';
import { QUEUES } from '../../../src/queue/queues';
import { createRedisClient } from '../../../src/redis/client';
import { WRITE_FLUSH_JOB } from '../../../src/queue/writes.producer';
import { type AppContext } from '../../../src/runtime/context';
import { type ConnectionView } from '../../../src/store/repositories/connections.repo';
import { type WriteItem } from '../../../src/writes/write-service.types';
import { createTestContext } from '../context';
import { testStoreUrls } from '../stores';

/**
 * The accept side on the test stores, with no worker: a context (own database and Redis prefix), a
 * tenant with one connection per CRM named, and counts of the flush jobs Bull holds in Redis.
 */
export interface AcceptHarness {
  ctx: AppContext;
  tenant: (name: string) => Promise<{ id: string; connection: ConnectionView }>;
  /** Flush jobs in Redis, whatever their state (no worker runs them). */
  flushJobs(): Promise<{ id: string; data: unknown }[]>;
  /** QUEUED/CANCELLED/… events published for `tenantId` since the call, collected until `stop`. */
  listen(
    tenantId: string,
  ): Promise<{ events: { operationId: string; status: string }[]; stop(): Promise<void> }>;
  close(): Promise<void>;
}

export async function startAcceptHarness(): Promise<AcceptHarness> {
  const ctx = await createTestContext();
  const queue = ctx.queues.get(QUEUES.writes);
  let n = 0;
  return {
    ctx,
    async tenant(name) {
      n += 1;
      const tenant = await ctx.store.tenants.create(`${name}-${n}-${Date.now()}`);
      const connection = await ctx.store.connections.create({
        tenantId: tenant.id,
        crm: 'hubspot',
        displayName: `${name} crm`,
        credentials: { accessToken: 'test' },
      });
      // An app-owned external id field for upserts.
      await ctx.store.fieldMappings.replace(tenant.id, connection.id, 'contact', [
        {
          canonical: 'customFields.extId',
          native: 'ext_id',
          transform: { kind: 'string' },
          source: 'APP',
          writable: true,
        },
      ]);
      return { id: tenant.id, connection };
    },
    async flushJobs() {
      const jobs = await queue.getJobs(['waiting', 'delayed', 'active', 'completed', 'failed', 'paused']);
      return jobs
        .filter((j) => j && j.name === WRITE_FLUSH_JOB)
        .map((j) => ({ id: String(j.id), data: j.data }));
    },
    async listen(tenantId) {
      const sub = createRedisClient(testStoreUrls().redisUrl);
      const events: { operationId: string; status: string }[] = [];
      await sub.subscribe(`${writeOperationEventsRoutingKey(ctx.redisPrefix)}:${tenantId}`);
      sub.on('message', (_c: string, m: string) =>
        events.push(JSON.parse(m) as { operationId: string; status: string }),
      );
      return {
        events,
        async stop() {
          sub.disconnect();
        },
      };
    },
    async close() {
      await ctx.store.conn.dropDatabase().catch(() => undefined);
      await ctx.close();
    },
  };
}

export function createItem(connectionId: string, fields: Record<string, unknown>): WriteItem {
  return {
    kind: 'CREATE',
    object: 'contact',
    connectionId,
    input: { fields: fields as never, customFields: {} },
  };
}
