import { type FaultController } from './faults';

/** Where and how one org's webhooks are delivered (set through the admin API or vendor routes). */
export interface WebhookTarget {
  url: string;
  /** Signing secret, when the vendor signs deliveries. */
  secret?: string;
  /** Vendor-specific settings (subscribed event types, app id…). */
  settings?: Record<string, unknown>;
}

/** The vendor-specific half: how a batch of events becomes one HTTP request. */
export interface WebhookTransport<TEvent> {
  /** Events per delivery request. @defaultValue 100 */
  maxBatch?: number;
  /** Deliveries in flight at once. @defaultValue 10 */
  concurrency?: number;
  /** Retries after a failed delivery (non-2xx or network error). @defaultValue 3 */
  retries?: number;
  /** Delay before retry n is n × retryDelayMs. @defaultValue 200 */
  retryDelayMs?: number;
  /** Events enqueued within this window go out together. @defaultValue 50 */
  batchWindowMs?: number;
  /** Per-attempt timeout (ms): a slower receiver counts as a failed delivery. @defaultValue 10000 */
  timeoutMs?: number;
  /** Delay (ms) before retry n (1-based); replaces the linear `retryDelayMs` schedule when given. */
  retryDelay?(retry: number): number;
  /**
   * Retry waits run on the org's sandbox clock rather than wall time, so advancing the clock through
   * the admin API brings due retries forward (vendors whose retry schedule spans minutes). @defaultValue false
   */
  retriesOnOrgClock?: boolean;
  /** Whether a failed delivery (its status; 0 = network error or timeout) is retried. @defaultValue always */
  shouldRetry?(status: number): boolean;
  /** Whether this target wants the event at all (subscriptions). */
  accepts?(event: TEvent, target: WebhookTarget): boolean;
  /** Builds the request: body text plus headers (signature, content type). `attempt` is 0 the first time. */
  build(
    events: readonly TEvent[],
    target: WebhookTarget,
    now: number,
    attempt: number,
  ): { headers: Record<string, string>; body: string };
}

/**
 * How one org retries failed deliveries: set per org (`dispatcher.retryPolicy`) from the vendor's run-time
 * settings; each field falls back to the transport's.
 */
export interface WebhookRetryPolicy {
  retries?: number;
  retryDelay?(retry: number): number;
  shouldRetry?(status: number): boolean;
}

/** How often an org-clock retry wait looks at the clock. */
const CLOCK_POLL_MS = 20;

export interface WebhookDeliveryLog {
  at: number;
  url: string;
  events: number;
  attempt: number;
  /** HTTP status, or 0 for a network error. */
  status: number;
}

export interface WebhookStats {
  enqueued: number;
  dropped: number;
  duplicated: number;
  delivered: number;
  failed: number;
  /** Events given up on because the sandbox closed (queued, waiting for a retry, or in flight). */
  cancelled: number;
}

function noDeliveries(): WebhookStats {
  return { enqueued: 0, dropped: 0, duplicated: 0, delivered: 0, failed: 0, cancelled: 0 };
}

/**
 * Delivers vendor events to the org's webhook target in batches, with retries, and with the org's
 * webhook faults applied (drop, duplicate, reorder) so receivers are tested against at-least-once,
 * out-of-order delivery. Deliveries are plain HTTP POSTs over real sockets.
 */
export class WebhookDispatcher<TEvent> {
  target: WebhookTarget | null = null;
  /** Per-org overrides of the transport's retry rules; read at every attempt, so changes apply at once. */
  retryPolicy: WebhookRetryPolicy = {};
  /** Told the outcome of every attempt (1-based; status 0 = network error or timeout), e.g. to ban a failing target. */
  onAttempt: ((attempt: number, status: number) => void) | null = null;
  private pending: TEvent[] = [];
  private timer: NodeJS.Timeout | null = null;
  private inFlight = new Set<Promise<void>>();
  private active = 0;
  private waiting: (() => void)[] = [];
  private log: WebhookDeliveryLog[] = [];
  /** Set by `cancel()`: nothing is sent or retried any more. */
  private closed = false;
  /** Aborts the fetches in flight when the sandbox closes. */
  private readonly abort = new AbortController();
  /** Retry waits in progress; `cancel()` clears their timers and wakes them. */
  private readonly sleeps = new Set<{ timer: NodeJS.Timeout; wake: () => void }>();
  readonly stats: WebhookStats = noDeliveries();

  constructor(
    private readonly transport: WebhookTransport<TEvent>,
    private readonly faults: FaultController,
    private readonly now: () => number,
  ) {}

  enqueue(event: TEvent): void {
    if (!this.target || this.closed) return;
    if (this.transport.accepts && !this.transport.accepts(event, this.target)) return;
    this.stats.enqueued++;
    const f = this.faults.current;
    if (this.faults.draw(f.webhookDropRate)) {
      this.stats.dropped++;
      return;
    }
    this.pending.push(event);
    if (this.faults.draw(f.webhookDuplicateRate)) {
      this.stats.duplicated++;
      this.pending.push(event);
    }
    if (!this.timer) {
      this.timer = setTimeout(() => this.flushPending(), this.transport.batchWindowMs ?? 50);
      this.timer.unref();
    }
  }

  /** Resolves once every enqueued event has been delivered or given up on. */
  async idle(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.flushPending();
    }
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /** Retry waits currently scheduled (each holds a timer). */
  get scheduledRetries(): number {
    return this.sleeps.size;
  }

  /**
   * Stops for good (the sandbox is closing): queued events, deliveries waiting for a retry or a
   * concurrency slot and fetches in flight are given up on and counted as `cancelled`. Resolves once
   * every delivery has settled — promptly, not after the retry schedule (a vendor's can span minutes).
   */
  async cancel(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.stats.cancelled += this.pending.length;
    this.pending = [];
    this.abort.abort();
    for (const sleep of this.sleeps) {
      clearTimeout(sleep.timer);
      sleep.wake();
    }
    this.sleeps.clear();
    for (const wake of this.waiting.splice(0)) wake();
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  deliveries(limit = 100): WebhookDeliveryLog[] {
    return this.log.slice(-limit);
  }

  /** Drops queued events and forgets history (org reset). In-flight deliveries finish on their own. */
  reset(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.pending = [];
    this.log = [];
    Object.assign(this.stats, noDeliveries());
  }

  private flushPending(): void {
    this.timer = null;
    const target = this.target;
    if (!target) return;
    let events = this.pending;
    this.pending = [];
    const reorder = this.faults.current.webhookReorder;
    if (reorder) events = this.faults.shuffle(events);
    const size = this.transport.maxBatch ?? 100;
    let batches: TEvent[][] = [];
    for (let i = 0; i < events.length; i += size) batches.push(events.slice(i, i + size));
    if (reorder) batches = this.faults.shuffle(batches);
    for (const batch of batches) {
      const p = this.deliver(batch, target).finally(() => this.inFlight.delete(p));
      this.inFlight.add(p);
    }
  }

  private async deliver(batch: TEvent[], target: WebhookTarget): Promise<void> {
    await this.acquire();
    try {
      for (let attempt = 1; attempt <= this.retries() + 1; attempt++) {
        if (this.closed) break;
        const { headers, body } = this.transport.build(batch, target, this.now(), attempt - 1);
        let status = 0;
        try {
          const res = await fetch(target.url, {
            method: 'POST',
            headers,
            body,
            signal: AbortSignal.any([
              AbortSignal.timeout(this.transport.timeoutMs ?? 10_000),
              this.abort.signal,
            ]),
          });
          status = res.status;
          await res.arrayBuffer();
        } catch {
          status = 0;
        }
        if (this.closed) break;
        this.log.push({ at: this.now(), url: target.url, events: batch.length, attempt, status });
        if (this.log.length > 1000) this.log.splice(0, this.log.length - 1000);
        this.onAttempt?.(attempt, status);
        if (status >= 200 && status < 300) {
          this.stats.delivered += batch.length;
          return;
        }
        const shouldRetry = this.retryPolicy.shouldRetry ?? this.transport.shouldRetry;
        if (shouldRetry && !shouldRetry(status)) break;
        if (attempt > this.retries()) break;
        const retryDelay = this.retryPolicy.retryDelay ?? this.transport.retryDelay;
        const delay = retryDelay?.(attempt) ?? attempt * (this.transport.retryDelayMs ?? 200);
        if (!(await this.sleep(delay))) break;
      }
      if (this.closed) this.stats.cancelled += batch.length;
      else this.stats.failed += batch.length;
    } finally {
      this.release();
    }
  }

  private retries(): number {
    return this.retryPolicy.retries ?? this.transport.retries ?? 3;
  }

  /** Waits before a retry; false when `cancel()` cut the wait short. */
  private sleep(ms: number): Promise<boolean> {
    if (this.closed) return Promise.resolve(false);
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(entry.timer);
        this.sleeps.delete(entry);
        resolve(true);
      };
      // On the org clock, a retry is due once the clock reaches it: an admin clock advance brings it forward.
      const due = this.now() + ms;
      const entry = {
        timer: this.transport.retriesOnOrgClock
          ? setInterval(() => {
              if (this.now() >= due) done();
            }, CLOCK_POLL_MS)
          : setTimeout(done, ms),
        wake: () => resolve(false),
      };
      this.sleeps.add(entry);
    });
  }

  private async acquire(): Promise<void> {
    if (this.active < (this.transport.concurrency ?? 10)) {
      this.active++;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.active++;
  }

  private release(): void {
    this.active--;
    this.waiting.shift()?.();
  }
}
