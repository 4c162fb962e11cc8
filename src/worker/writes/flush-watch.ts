/**
 * Where a running flush is, and for how long it may keep its group's lock.
 *
 * A flush renews its group lock while it runs, so a flush stuck on a call that never answers would hold
 * the group for ever: every later flush of the group finds it busy and the reconciler, which recovers
 * only groups whose lock is free, never steps in. The watch ends that: past `maxMs` the flush stops
 * renewing (the lock then expires and the reconciler recovers its writes; an outcome the stuck flush
 * records later is fenced by its claim token), and the log names the stage it was stuck in.
 */
export type FlushStage =
  | 'load-connection'
  | 'budget'
  | 'claim'
  | 'send'
  | 'read-back'
  | 'record-outcomes'
  | 'history'
  | 'publish'
  | 'wake';

export class FlushWatch {
  stage: FlushStage = 'load-connection';
  private readonly startedAt: number;
  private warned = false;
  /** Milliseconds spent in each stage so far (a stage entered twice adds up): where a slow flush went. */
  private readonly spent = new Map<FlushStage, number>();
  private stageStartedAt: number;

  constructor(
    /** The longest a flush keeps renewing its lock (WRITE_FLUSH_MAX_MS). */
    readonly maxMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.startedAt = now();
    this.stageStartedAt = this.startedAt;
  }

  enter(stage: FlushStage): void {
    this.close();
    this.stage = stage;
  }

  /** Time per stage (ms) up to now, in the order the stages were first entered. */
  stagesMs(): Partial<Record<FlushStage, number>> {
    this.close();
    return Object.fromEntries(this.spent);
  }

  private close(): void {
    const at = this.now();
    this.spent.set(this.stage, (this.spent.get(this.stage) ?? 0) + (at - this.stageStartedAt));
    this.stageStartedAt = at;
  }

  elapsedMs(): number {
    return this.now() - this.startedAt;
  }

  /** May the flush renew its lock once more. */
  mayRenew(): boolean {
    return this.elapsedMs() < this.maxMs;
  }

  /** True once, when the flush has run longer than `slowMs`: the moment to log where it is. */
  firstTimeSlow(slowMs: number): boolean {
    if (this.warned || this.elapsedMs() < slowMs) return false;
    this.warned = true;
    return true;
  }
}
