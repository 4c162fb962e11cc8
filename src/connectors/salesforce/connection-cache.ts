/**
 * Per-connection, in-process memo of org metadata (the org's currency, which fields an object has):
 * all but fixed for an org, needed before many reads, and cheap to ask again every few minutes. A
 * connector instance lives for one request or job, so the memo is module state keyed by connection,
 * shared by every instance in the process. Concurrent callers share the answer in flight; a failed
 * answer is not kept (the next caller asks again).
 */

/** How long learned org metadata is trusted before it is asked again. */
export const METADATA_CACHE_TTL_MS = 15 * 60 * 1000;

interface Entry<T> {
  at: number;
  value: Promise<T>;
}

export class ConnectionCache<T> {
  private readonly entries = new Map<string, Entry<T>>();

  constructor(private readonly ttlMs: number = METADATA_CACHE_TTL_MS) {}

  /** The fresh answer for `connectionId`, else `load()`'s (kept from `now` on once it succeeds). */
  get(connectionId: string, now: number, load: () => Promise<T>): Promise<T> {
    const hit = this.entries.get(connectionId);
    if (hit && now - hit.at < this.ttlMs) return hit.value;
    return this.put(connectionId, now, load());
  }

  /** Keeps `value` as the answer learned at `now` (an answer obtained another way, e.g. a fresh describe). */
  put(connectionId: string, now: number, value: Promise<T>): Promise<T> {
    this.entries.set(connectionId, { at: now, value });
    value.catch(() => {
      if (this.entries.get(connectionId)?.value === value) this.entries.delete(connectionId);
    });
    return value;
  }

  /** Forgets one connection's answer, or every answer (between tests). */
  forget(connectionId?: string): void {
    if (connectionId === undefined) this.entries.clear();
    else this.entries.delete(connectionId);
  }
}
