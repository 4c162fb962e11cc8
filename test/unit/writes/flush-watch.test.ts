import { FlushWatch } from '../../../src/worker/writes/flush-watch';

describe('FlushWatch', () => {
  it('lets a flush renew its lock until WRITE_FLUSH_MAX_MS, and names the stage it is in', () => {
    let now = 1_000;
    const watch = new FlushWatch(60_000, () => now);
    expect(watch.stage).toBe('load-connection');
    watch.enter('record-outcomes');
    now += 59_999;
    expect(watch.mayRenew()).toBe(true);
    now += 1;
    expect(watch.mayRenew()).toBe(false);
    expect(watch.stage).toBe('record-outcomes');
    expect(watch.elapsedMs()).toBe(60_000);
  });

  it('says a flush is slow once, the first time it passes the bound', () => {
    let now = 0;
    const watch = new FlushWatch(600_000, () => now);
    expect(watch.firstTimeSlow(30_000)).toBe(false);
    now = 30_000;
    expect(watch.firstTimeSlow(30_000)).toBe(true);
    now = 45_000;
    expect(watch.firstTimeSlow(30_000)).toBe(false);
  });

  it('adds up the time of each stage, a stage entered twice included', () => {
    let now = 0;
    const watch = new FlushWatch(600_000, () => now);
    now = 5;
    watch.enter('claim');
    now = 105;
    watch.enter('publish');
    now = 106;
    watch.enter('send');
    now = 406;
    watch.enter('publish');
    now = 410;
    expect(watch.stagesMs()).toEqual({ 'load-connection': 5, claim: 100, publish: 5, send: 300 });
  });
});
