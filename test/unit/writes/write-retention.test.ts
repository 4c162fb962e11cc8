import { EnvError, loadEnv } from '../../../src/config/env';
import { updatesById } from '../../../src/store/repositories/write-outcome.updates';

describe('WRITE_OPERATION_RETENTION_DAYS', () => {
  it('defaults to 30 days', () => {
    expect(loadEnv({}).WRITE_OPERATION_RETENTION_DAYS).toBe(30);
  });

  it('is refused shorter than the idempotency keys it must outlive, naming both', () => {
    const env = { WRITE_OPERATION_RETENTION_DAYS: '1', IDEMPOTENCY_KEY_RETENTION_HOURS: '48' };
    expect(() => loadEnv(env)).toThrow(EnvError);
    expect(() => loadEnv(env)).toThrow(
      /WRITE_OPERATION_RETENTION_DAYS: .*IDEMPOTENCY_KEY_RETENTION_HOURS.*48 h.*1 days/,
    );
    expect(loadEnv({ ...env, WRITE_OPERATION_RETENTION_DAYS: '2' }).WRITE_OPERATION_RETENTION_DAYS).toBe(2);
  });
});

describe('updatesById', () => {
  it('sends the ids sharing a $set as one updateMany by _id alone, at most 1,000 ids each', () => {
    const now = new Date(0);
    const running = { status: 'RUNNING', claimToken: 't', runningSince: now };
    const sets = new Map<string, Record<string, unknown>>();
    for (let i = 0; i < 1001; i++) sets.set(`op${i}`, { ...running });
    sets.set('rekeyed', { ...running, recordKey: 'rid:1', remoteId: '1' });
    const writes = updatesById(sets) as { updateMany: { filter: { _id: { $in: string[] } } } }[];
    expect(writes.map((w) => w.updateMany.filter._id.$in.length)).toEqual([1000, 1, 1]);
    expect(writes[2]!.updateMany.filter).toEqual({ _id: { $in: ['rekeyed'] } });
  });
});
