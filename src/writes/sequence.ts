/**
 * Acceptance order (`WriteOperation.seq`): a hybrid logical clock per process,
 * `max(Date.now() × 1024, last + 1)`. Writes to one record apply in `seq` order (docs/writes.md), so
 * within one gateway process a later accept always has a larger `seq` — even when many arrive in the
 * same millisecond (up to 1,024 per ms before the clock runs ahead of the wall clock, which it then
 * waits for) and even when the wall clock steps back (it keeps counting from `last`).
 *
 * Size: today's epoch milliseconds × 1024 ≈ 1.8e15, below Number.MAX_SAFE_INTEGER (9.007e15) until
 * the year 2248, so a double holds it exactly and MongoDB sorts it as a number.
 *
 * Across gateways: each process has its own clock, so two writes to one record accepted by DIFFERENT
 * gateways are ordered by their wall clocks — a gateway whose clock is ahead by d ms wins against writes
 * accepted on another within those d ms. The order is total and stable (ties between processes are
 * broken by the operation id only where the store sorts by it), but "accepted first" across gateways is
 * only as true as their clocks agree (NTP: milliseconds). A client that needs one write after another
 * waits for the first mutation's answer, and its next request then carries a larger `seq` unless the
 * second gateway's clock is behind by more than that round trip.
 */
export const SEQ_PER_MS = 1024;

export class SequenceClock {
  private last = 0;

  constructor(private readonly now: () => number = Date.now) {}

  /** The next acceptance sequence number of this process: strictly increasing. */
  next(): number {
    this.last = Math.max(this.now() * SEQ_PER_MS, this.last + 1);
    return this.last;
  }

  /** `count` consecutive numbers (one request's items, in item order). */
  nextMany(count: number): number[] {
    return Array.from({ length: count }, () => this.next());
  }
}

/** The process-wide clock every accept uses. */
export const acceptanceClock = new SequenceClock();
