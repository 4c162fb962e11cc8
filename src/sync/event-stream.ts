import { type Logger } from '../logger';
import { type ChangeEvent } from '../store/repositories/change-events.repo';
import { type ChangeLog } from './change-log';

export interface ChangeStreamOptions {
  tenantId: string;
  changeLog: Pick<ChangeLog, 'watermark' | 'read'>;
  /** The tenant's "new events" nudges (any payload): a hint to look now instead of at the next tick. */
  nudges: AsyncIterable<unknown>;
  /** Replay from after this number; null: live only, from the watermark when subscribed. */
  after: number | null;
  /** Which events the subscriber wants; the position moves past the others too. */
  wanted: (event: ChangeEvent) => boolean;
  logger: Pick<Logger, 'warn'>;
  /** How often the watermark is checked without a nudge (a lost nudge costs at most this). */
  tickMs?: number;
  /** Wait after a failed store or Redis read before trying again. */
  retryDelayMs?: number;
}

/** Numbers read per store round trip while catching up. */
const READ_CHUNK = 500;
const DEFAULT_TICK_MS = 1_000;
const DEFAULT_RETRY_MS = 1_000;

/**
 * A tenant's change events in number order: first every stored event after `after` (replay), then each
 * new one as it is stored (live) — one loop for both, reading by number up to the watermark
 * (src/sync/change-log.ts), so the seam between them can neither skip nor repeat an event, and a
 * number not stored yet is waited for, never passed.
 *
 * Listening to nudges starts before the first read. `return()` ends the nudge subscription at once.
 * A failed read (the store or Redis down) is retried; the subscription survives an outage.
 */
export function changeEventStream(options: ChangeStreamOptions): AsyncIterableIterator<ChangeEvent> {
  return new ChangeEventStream(options);
}

class ChangeEventStream implements AsyncIterableIterator<ChangeEvent> {
  private readonly source: AsyncIterator<unknown>;
  private readonly ready: ChangeEvent[] = [];
  private position: number | null;
  private closed = false;
  private nudged = false;
  private wake: (() => void) | null = null;
  private readonly started: Promise<void>;

  constructor(private readonly options: ChangeStreamOptions) {
    this.source = options.nudges[Symbol.asyncIterator]();
    this.position = options.after;
    void this.listen();
    // A live-only subscription starts at the watermark of the moment it subscribed, not of its first pull.
    this.started = options.after === null ? this.startLive() : Promise.resolve();
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<ChangeEvent> {
    return this;
  }

  async next(): Promise<IteratorResult<ChangeEvent>> {
    await this.started;
    for (;;) {
      if (this.closed) return { done: true, value: undefined };
      const event = this.ready.shift();
      if (event) return { done: false, value: event };
      try {
        await this.step();
      } catch (err) {
        this.options.logger.warn(
          { err, tenantId: this.options.tenantId },
          'change stream read failed; retrying',
        );
        await this.sleep(this.options.retryDelayMs ?? DEFAULT_RETRY_MS);
      }
    }
  }

  async return(): Promise<IteratorResult<ChangeEvent>> {
    this.closed = true;
    this.wake?.();
    await this.source.return?.();
    return { done: true, value: undefined };
  }

  /** Reads the next stored events below the watermark, or waits for a nudge or the tick. */
  private async step(): Promise<void> {
    if (this.position === null) this.position = await this.options.changeLog.watermark(this.options.tenantId);
    this.nudged = false;
    const mark = await this.options.changeLog.watermark(this.options.tenantId);
    if (mark > this.position) {
      const upTo = Math.min(mark, this.position + READ_CHUNK);
      const events = await this.options.changeLog.read(this.options.tenantId, this.position, upTo);
      this.position = upTo;
      this.ready.push(...events.filter(this.options.wanted));
      return;
    }
    if (!this.nudged) await this.sleep(this.options.tickMs ?? DEFAULT_TICK_MS);
  }

  private async startLive(): Promise<void> {
    try {
      this.position = await this.options.changeLog.watermark(this.options.tenantId);
    } catch (err) {
      // Left null: the first step takes the watermark when the store answers.
      this.options.logger.warn(
        { err, tenantId: this.options.tenantId },
        'change stream could not read the watermark',
      );
    }
  }

  private async listen(): Promise<void> {
    try {
      for (;;) {
        const r = await this.source.next();
        if (r.done || this.closed) return;
        this.nudged = true;
        this.wake?.();
      }
    } catch (err) {
      // The ticks still deliver; only the promptness is lost.
      if (!this.closed) this.options.logger.warn({ err }, 'change nudges ended; falling back to the tick');
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.wake = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
    });
  }
}
