import { type WriteOperationEvent } from '../../events/write-operation-events';
import { type Logger } from '../../logger';
import { WRITE_STATUSES } from '../../writes/write-operation.types';

/**
 * The operations `writeOperationUpdated` pushes. An event that carries all the subscriber selected
 * (`fromEvent`; src/events/write-operation-events.ts) is pushed as it came, without a store read.
 * Otherwise — the record written or the failure selected and flagged, or an older publisher's event —
 * the ids of one burst of events are read in ONE batched store read, and what is pushed is the
 * operation's state as read.
 *
 * Order per operation never goes backwards: a read older than what was pushed (an earlier `updatedAt`),
 * or the same instant at an earlier status, is not pushed again. A status may be skipped (RUNNING, when
 * the operation already SUCCEEDED by the time it is read), never reversed. A retried operation (FAILED →
 * QUEUED) is a newer state and is pushed.
 *
 * `return()` reaches the event source at once (the Redis subscription is released even while waiting),
 * which an async generator would only do at its next `yield`.
 */

/** What the stream needs of what it pushes: whose it is, and how recent. */
export interface StreamedOperation {
  id: string;
  connectionId: string;
  status: string;
  updatedAt: Date;
}

export interface WriteOperationStreamOptions<T extends StreamedOperation> {
  /** The tenant's events (the caller's key's tenant: the channel cannot carry another tenant's ids). */
  events: AsyncIterable<WriteOperationEvent>;
  /** The tenant's operations in the order of `ids`, null for unknown ones (WriteService.getMany). */
  read: (ids: readonly string[]) => Promise<(T | null)[]>;
  /** What an event pushes by itself, or null when its operation must be read. Without it, all are read. */
  fromEvent?: (event: WriteOperationEvent) => T | null;
  /** Exactly one of `ids` and `connectionId`. */
  ids?: readonly string[];
  connectionId?: string;
  logger: Pick<Logger, 'warn'>;
  /** How long to wait before reading again after a failed read (the store unreachable). */
  retryDelayMs?: number;
}

/** Ids one store read takes at most (a burst of a 2,000-operation connection is read in pieces). */
const MAX_READ_IDS = 500;
/** Operations whose last pushed state is remembered; the oldest is forgotten past this. */
const MAX_REMEMBERED = 10_000;
const RANK = new Map(WRITE_STATUSES.map((s, i) => [s as string, i]));

export function writeOperationStream<T extends StreamedOperation>(
  options: WriteOperationStreamOptions<T>,
): AsyncIterableIterator<T> {
  return new WriteOperationStream(options);
}

class WriteOperationStream<T extends StreamedOperation> implements AsyncIterableIterator<T> {
  private readonly source: AsyncIterator<WriteOperationEvent>;
  private readonly wanted: ReadonlySet<string> | null;
  /** Ids with an event not yet read. */
  private readonly pending = new Set<string>();
  /** Read and due to be pushed, in order. */
  private readonly ready: T[] = [];
  /** What was last pushed of each operation. */
  private readonly pushed = new Map<string, { status: string; updatedAt: number }>();
  private reading = false;
  private scheduled = false;
  private closed = false;
  private sourceDone = false;
  private failure: { error: unknown } | null = null;
  private wake: (() => void) | null = null;

  constructor(private readonly options: WriteOperationStreamOptions<T>) {
    this.source = options.events[Symbol.asyncIterator]();
    this.wanted = options.ids ? new Set(options.ids) : null;
    // Listening starts now, before the first read, so a change made while that read runs is not missed.
    void this.pump();
    // The current state of each requested operation first; by connection, nothing until a change.
    if (options.ids?.length) {
      for (const id of options.ids) this.pending.add(id);
      this.schedule(0);
    }
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return this;
  }

  async next(): Promise<IteratorResult<T>> {
    for (;;) {
      const op = this.ready.shift();
      if (op) return { done: false, value: op };
      if (this.failure) {
        const { error } = this.failure;
        await this.close();
        throw error;
      }
      if (this.closed || (this.sourceDone && this.pending.size === 0 && !this.reading)) {
        return { done: true, value: undefined };
      }
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  async return(): Promise<IteratorResult<T>> {
    await this.close();
    return { done: true, value: undefined };
  }

  async throw(error: unknown): Promise<IteratorResult<T>> {
    await this.close();
    throw error;
  }

  private async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.pending.clear();
    this.ready.length = 0;
    this.notify();
    try {
      await this.source.return?.();
    } catch {
      // Closing anyway.
    }
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  private async pump(): Promise<void> {
    try {
      for (;;) {
        const step = await this.source.next();
        if (step.done || this.closed) break;
        const event = step.value;
        const wanted = this.wanted
          ? this.wanted.has(event.operationId)
          : event.connectionId === this.options.connectionId;
        if (!wanted) continue;
        const told = this.options.fromEvent?.(event);
        if (told) {
          if (this.accepts(told)) {
            this.ready.push(told);
            this.notify();
          }
          continue;
        }
        this.pending.add(event.operationId);
        this.schedule(0);
      }
    } catch (error) {
      if (!this.closed) this.failure = { error };
    }
    this.sourceDone = true;
    this.notify();
  }

  /**
   * Reads on the next turn of the event loop rather than at once: the events of one Redis pipeline (a
   * worker's batch) arrive together, and all of them are pending by then, so they make one read.
   */
  private schedule(delayMs: number): void {
    if (this.scheduled || this.closed) return;
    this.scheduled = true;
    const run = () => {
      this.scheduled = false;
      void this.flush();
    };
    if (delayMs > 0) setTimeout(run, delayMs).unref();
    else setImmediate(run);
  }

  private async flush(): Promise<void> {
    // A read in progress takes what became pending meanwhile when it is done.
    if (this.reading || this.closed) return;
    this.reading = true;
    try {
      while (this.pending.size > 0 && !this.closed) {
        const ids = [...this.pending].slice(0, MAX_READ_IDS);
        for (const id of ids) this.pending.delete(id);
        let ops: (T | null)[];
        try {
          ops = await this.options.read(ids);
        } catch (err) {
          // Kept pending and read again: an outage delays updates rather than losing them.
          for (const id of ids) this.pending.add(id);
          this.options.logger.warn({ err }, 'writeOperationUpdated could not read operations; retrying');
          this.schedule(this.options.retryDelayMs ?? 1000);
          return;
        }
        for (const op of ops) if (op && this.accepts(op)) this.ready.push(op);
        this.notify();
      }
    } finally {
      this.reading = false;
      this.notify();
    }
  }

  /** Whether `op` as read now is a state this subscriber asked for and has not been pushed yet. */
  private accepts(op: T): boolean {
    if (this.wanted ? !this.wanted.has(op.id) : op.connectionId !== this.options.connectionId) return false;
    const updatedAt = op.updatedAt.getTime();
    const last = this.pushed.get(op.id);
    if (last) {
      if (updatedAt < last.updatedAt) return false;
      if (updatedAt === last.updatedAt && (RANK.get(op.status) ?? 0) <= (RANK.get(last.status) ?? 0)) {
        return false;
      }
      this.pushed.delete(op.id);
    } else if (this.pushed.size >= MAX_REMEMBERED) {
      const oldest = this.pushed.keys().next().value;
      if (oldest !== undefined) this.pushed.delete(oldest);
    }
    this.pushed.set(op.id, { status: op.status, updatedAt });
    return true;
  }
}
