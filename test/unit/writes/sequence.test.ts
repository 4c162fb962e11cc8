import { SEQ_PER_MS, SequenceClock } from '../../../src/writes/sequence';

describe('SequenceClock', () => {
  it('follows the wall clock × 1024 and stays strictly increasing within a millisecond', () => {
    let now = 1_700_000_000_000;
    const clock = new SequenceClock(() => now);
    const a = clock.next();
    expect(a).toBe(now * SEQ_PER_MS);
    const many = clock.nextMany(5000);
    for (let i = 1; i < many.length; i += 1) expect(many[i]!).toBe(many[i - 1]! + 1);
    expect(many[0]!).toBe(a + 1);
    now += 10;
    // Past the burst the clock meets the wall clock again.
    expect(clock.next()).toBe(Math.max(now * SEQ_PER_MS, many[many.length - 1]! + 1));
  });

  it('never goes back when the wall clock does', () => {
    let now = 1_700_000_000_000;
    const clock = new SequenceClock(() => now);
    const a = clock.next();
    now -= 60_000;
    expect(clock.next()).toBe(a + 1);
  });

  it('stays an exact integer in a double for centuries', () => {
    const year2200 = Date.UTC(2200, 0, 1);
    expect(Number.isSafeInteger(year2200 * SEQ_PER_MS + 1_000_000)).toBe(true);
  });
});
