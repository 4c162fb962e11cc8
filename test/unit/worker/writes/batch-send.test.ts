import { claimLimit } from '../../../../src/worker/writes/batch-send';

describe('claimLimit', () => {
  it('claims whole batches up to the ids one $in carries, and at least one batch', () => {
    expect(claimLimit(100)).toBe(1000);
    expect(claimLimit(200)).toBe(1000);
    expect(claimLimit(300)).toBe(900);
    expect(claimLimit(2000)).toBe(2000);
    expect(claimLimit(0)).toBe(1000);
  });
});
