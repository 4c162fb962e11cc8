/**
 * A least-recently-used map bounded twice: by entries and by a size the caller states per entry (an
 * estimate of the bytes it holds). Clients choose the keys (document texts, variables), so a client
 * sending ever-new ones only evicts older entries: memory stays under `maxBytes` whatever arrives.
 * Recency is the Map's insertion order: a hit re-inserts its entry at the end.
 */
export class BoundedLru<V> {
  private readonly entries = new Map<string, { value: V; size: number }>();
  private bytes = 0;

  constructor(
    readonly maxEntries: number,
    readonly maxBytes: number,
  ) {}

  get(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.value;
  }

  /** Stores `value` unless `size` alone is over `maxBytes`; evicts the least recently used past a bound. */
  set(key: string, value: V, size: number): void {
    if (size > this.maxBytes) return;
    this.delete(key);
    this.entries.set(key, { value, size });
    this.bytes += size;
    while (this.entries.size > this.maxEntries || this.bytes > this.maxBytes) {
      const oldest = this.entries.keys().next().value as string;
      this.delete(oldest);
    }
  }

  delete(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.bytes -= entry.size;
  }

  get size(): number {
    return this.entries.size;
  }

  /** Sum of the stated sizes of the entries held. */
  get totalBytes(): number {
    return this.bytes;
  }
}
