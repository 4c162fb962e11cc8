import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

/** Every `syncEvents` event of a tenant, with when it arrived, by record id (benchmarks only). */
export interface SyncArrivals {
  /** performance.now() of each event of the record, in arrival order. */
  of(remoteId: string): readonly number[];
  /** Resolves with the arrival time of the record's event number `index` (0-based), or throws after `timeoutMs`. */
  waitFor(remoteId: string, index: number, timeoutMs: number): Promise<number>;
  close(): Promise<void>;
}

/** Subscribes as `key` at the gateway `url` and gives it a second to reach the live stream. */
export async function subscribeSyncEvents(url: string, key: string): Promise<SyncArrivals> {
  const arrivals = new Map<string, number[]>();
  const client: Client = createClient({
    url: `${url.replace(/^http/, 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${key}` },
  });
  client.subscribe<{ syncEvents: { remoteId: string } }>(
    { query: 'subscription { syncEvents { remoteId kind } }' },
    {
      next: (r) => {
        const e = r.data?.syncEvents;
        if (!e) return;
        const list = arrivals.get(e.remoteId) ?? [];
        list.push(performance.now());
        arrivals.set(e.remoteId, list);
      },
      error: (err) => console.error('subscription failed', err),
      complete: () => undefined,
    },
  );
  await new Promise((r) => setTimeout(r, 1_000));
  const of = (id: string): readonly number[] => arrivals.get(id) ?? [];
  return {
    of,
    async waitFor(id, index, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (of(id).length <= index) {
        if (Date.now() > deadline)
          throw new Error(`no event #${index + 1} for record ${id} within ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 2));
      }
      return of(id)[index]!;
    },
    close: () => client.dispose() as Promise<void>,
  };
}

/** The p-th percentile of ascending `sorted` (nearest rank). */
export function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}
