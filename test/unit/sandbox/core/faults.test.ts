import { FaultController } from '../../../../src/sandbox/core/faults';

describe('FaultController latency', () => {
  it('draws latencyMs + 0..latencyJitterMs, inclusive, reaching both ends', () => {
    const faults = new FaultController(7, () => 0);
    faults.patch({ latencyMs: 40, latencyJitterMs: 10 });
    const draws = Array.from({ length: 500 }, () => faults.latency());
    expect(Math.min(...draws)).toBe(40);
    expect(Math.max(...draws)).toBe(50);
    expect(new Set(draws).size).toBe(11);
  });

  it('is exactly latencyMs without jitter, and 0 once cleared', () => {
    const faults = new FaultController(7, () => 0);
    faults.patch({ latencyMs: 25 });
    expect(new Set(Array.from({ length: 50 }, () => faults.latency()))).toEqual(new Set([25]));
    faults.patch({ latencyJitterMs: 5 });
    faults.clear();
    expect(faults.latency()).toBe(0);
  });

  it('is deterministic per seed, so a failing run can be replayed', () => {
    const a = new FaultController(3, () => 0);
    const b = new FaultController(3, () => 0);
    a.patch({ latencyJitterMs: 1000 });
    b.patch({ latencyJitterMs: 1000 });
    expect(Array.from({ length: 20 }, () => a.latency())).toEqual(
      Array.from({ length: 20 }, () => b.latency()),
    );
  });

  it('refuses a negative or non-integer jitter', () => {
    const faults = new FaultController(1, () => 0);
    expect(() => faults.patch({ latencyJitterMs: -1 })).toThrow();
    expect(() => faults.patch({ latencyJitterMs: 1.5 })).toThrow();
    expect(faults.current.latencyJitterMs).toBe(0);
  });
});

describe('FaultController patch', () => {
  it('merges: a PATCH of one knob leaves the others as they were', () => {
    const faults = new FaultController(1, () => 0);
    faults.patch({ latencyMs: 3, latencyJitterMs: 4, errorRate: 0.5 });
    faults.patch({ latencyJitterMs: 0 });
    expect(faults.current).toMatchObject({ latencyMs: 3, latencyJitterMs: 0, errorRate: 0.5 });
  });
});
