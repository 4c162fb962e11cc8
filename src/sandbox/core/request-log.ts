/** One vendor request as the sandbox saw it. */
export interface RequestLogEntry {
  /** Sandbox-clock time the request arrived (epoch ms). */
  at: number;
  method: string;
  /** The route pattern, e.g. `/services/data/:version/sobjects/:type/:id`; `*` when nothing matched. */
  route: string;
  url: string;
  status: number;
  durationMs: number;
  /**
   * Real-clock time the request was logged (epoch ms, sub-millisecond), not the org clock tests may
   * move: `[endedAt - durationMs, endedAt]` is when the sandbox was busy with it, which is what a
   * benchmark subtracts from a gateway's latency to get the gateway's own share.
   */
  endedAt: number;
  /** Latency the fault layer added before handling (latencyMs + drawn jitter), when non-zero. */
  injectedLatencyMs?: number;
  /** The injected fault, when one answered instead of the handler. */
  fault?: 'serverError' | 'rateLimit' | 'lostResponse';
  /** The client closed the connection before any response was sent (`status` is then 0). */
  aborted?: true;
  /** Records the request carried, for a write (VendorDefinition.writeItems). */
  items?: number;
}

export interface RequestLogSnapshot {
  total: number;
  /** Requests per `METHOD route`, since the last clear. */
  counters: Record<string, number>;
  /** The most recent entries, oldest first. */
  entries: RequestLogEntry[];
}

/**
 * Per-org log of vendor requests. Tests and benchmarks count vendor calls from `counters` (keyed by
 * route pattern so `/sobjects/Contact/003…` and `/sobjects/Contact/003…2` count as one endpoint);
 * `entries` is a bounded ring so a benchmark's million calls cost constant memory.
 */
export class RequestLog {
  private ring: RequestLogEntry[] = [];
  private next = 0;
  private totalCount = 0;
  private counts = new Map<string, number>();
  /** Requests per HTTP status since the last clear: a benchmark's vendor 429s over any number of calls. */
  private statuses = new Map<number, number>();
  /** Successful (2xx) writes per number of records they carried: batch sizes over any number of calls. */
  private writeSizes = new Map<number, number>();

  constructor(private readonly capacity = 2000) {}

  record(entry: RequestLogEntry): void {
    this.totalCount++;
    const key = `${entry.method} ${entry.route}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    this.statuses.set(entry.status, (this.statuses.get(entry.status) ?? 0) + 1);
    if (entry.items !== undefined && entry.status >= 200 && entry.status < 300) {
      this.writeSizes.set(entry.items, (this.writeSizes.get(entry.items) ?? 0) + 1);
    }
    if (this.ring.length < this.capacity) this.ring.push(entry);
    else this.ring[this.next] = entry;
    this.next = (this.next + 1) % this.capacity;
  }

  /** Requests counted for one `METHOD route` key, or for every key matching a predicate. */
  count(keyOrFilter: string | ((key: string) => boolean)): number {
    if (typeof keyOrFilter === 'string') return this.counts.get(keyOrFilter) ?? 0;
    let n = 0;
    for (const [key, value] of this.counts) if (keyOrFilter(key)) n += value;
    return n;
  }

  /** Requests answered with `status` since the last clear (0: aborted by the client). */
  countStatus(status: number): number {
    return this.statuses.get(status) ?? 0;
  }

  /** Successful writes since the last clear as [records carried, calls], smallest batches first. */
  writeBatchSizes(): [number, number][] {
    return [...this.writeSizes].sort((a, b) => a[0] - b[0]);
  }

  get total(): number {
    return this.totalCount;
  }

  snapshot(limit = 100): RequestLogSnapshot {
    const ordered =
      this.ring.length < this.capacity
        ? this.ring
        : [...this.ring.slice(this.next), ...this.ring.slice(0, this.next)];
    return {
      total: this.totalCount,
      counters: Object.fromEntries(this.counts),
      entries: limit > 0 ? ordered.slice(-limit) : [],
    };
  }

  clear(): void {
    this.ring = [];
    this.next = 0;
    this.totalCount = 0;
    this.counts = new Map();
    this.statuses = new Map();
    this.writeSizes = new Map();
  }
}
