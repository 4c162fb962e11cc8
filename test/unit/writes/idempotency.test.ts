import { BadUserInputError, ConflictError } from '../../../src/errors';
import {
  checkIdempotencyKey,
  derivedOperationIds,
  IdempotencyKeys,
  IDEMPOTENCY_KEY_REUSED,
  randomOperationIds,
  requestHashOf,
} from '../../../src/writes/idempotency';
import { type IdempotencyKeyRecord } from '../../../src/store/repositories/idempotency-keys.repo';
import { OperationCursorSeal } from '../../../src/writes/operation-cursor';
import { ListCursorSeal } from '../../../src/reads/list-cursor';
import { KeyRing } from '../../../src/security/credentials-cipher';

describe('idempotency keys', () => {
  it.each(['', 'x'.repeat(256), 'tab\there', 'é', 'line\n'])('refuses the key %j', (key) => {
    expect(() => checkIdempotencyKey(key)).toThrow(BadUserInputError);
  });

  it.each(['a', 'x'.repeat(255), 'order-42 / retry #1', '$where.__proto__'])('takes the key %j', (key) => {
    expect(() => checkIdempotencyKey(key)).not.toThrow();
  });

  it('hashes the same items the same whatever their key order', () => {
    const a = [{ kind: 'CREATE', object: 'contact', input: { fields: { a: 1, b: 'x' }, customFields: {} } }];
    const b = [{ input: { customFields: {}, fields: { b: 'x', a: 1 } }, object: 'contact', kind: 'CREATE' }];
    expect(requestHashOf(a)).toBe(requestHashOf(b));
    expect(requestHashOf(a)).not.toBe(requestHashOf([{ ...a[0], object: 'deal' }]));
  });

  it('derives operation ids from (tenant, key, nonce, index): the same for every replay', () => {
    const ids = derivedOperationIds('t1', 'k', 'n1', 3);
    expect(ids).toEqual(derivedOperationIds('t1', 'k', 'n1', 3));
    expect(new Set(ids).size).toBe(3);
    expect(ids[0]).toMatch(/^wop_[0-9a-f]{32}$/);
    expect(derivedOperationIds('t2', 'k', 'n1', 1)[0]).not.toBe(ids[0]);
    expect(derivedOperationIds('t1', 'k', 'n2', 1)[0]).not.toBe(ids[0]);
    expect(randomOperationIds(2)[0]).toMatch(/^wop_[0-9a-f]{32}$/);
  });

  it('claims a free key; a second claim with the same hash is a replay of the first ids; another hash is CONFLICT', async () => {
    const stored = new Map<string, IdempotencyKeyRecord>();
    const repo = {
      claim: async (r: IdempotencyKeyRecord) => {
        const k = `${r.tenantId}/${r.key}`;
        if (stored.has(k)) return { claimed: false as const, existing: stored.get(k)! };
        stored.set(k, r);
        return { claimed: true as const };
      },
      find: async (t: string, k: string) => stored.get(`${t}/${k}`) ?? null,
      pruneOlderThan: async () => 0,
    };
    const keys = new IdempotencyKeys(repo as never);
    const first = await keys.claim('t1', 'k', 'h1', 2, new Date());
    expect(first.replay).toBe(false);
    const again = await keys.claim('t1', 'k', 'h1', 2, new Date());
    expect(again).toEqual({ ids: first.ids, replay: true });
    expect(await keys.replayOf('t1', 'k', 'h1')).toEqual(first.ids);
    expect(await keys.replayOf('t1', 'other', 'h1')).toBeNull();
    const conflict = await keys.claim('t1', 'k', 'h2', 2, new Date()).catch((e: unknown) => e);
    expect(conflict).toBeInstanceOf(ConflictError);
    expect((conflict as ConflictError).details).toEqual({ reason: IDEMPOTENCY_KEY_REUSED });
    // Another tenant's key of the same name is its own.
    expect((await keys.claim('t2', 'k', 'h2', 1, new Date())).replay).toBe(false);
  });
});

describe('OperationCursorSeal', () => {
  const ring = new KeyRing([{ kid: 'k1', key: Buffer.alloc(32, 1) }]);
  const seal = new OperationCursorSeal(ring);
  const position = { acceptedAt: new Date('2026-01-02T03:04:05.678Z'), id: 'wop_00ff' };

  it('opens what it sealed for the same tenant and filter', () => {
    const filter = { status: 'QUEUED' as const, since: new Date(0) };
    expect(seal.open(seal.seal(position, 't1', filter), 't1', filter)).toEqual(position);
  });

  it.each([
    ['another tenant', 't2', {}],
    ['another filter', 't1', { connectionId: 'c1' }],
    ['another status', 't1', { status: 'FAILED' as const }],
  ])('refuses a cursor used for %s', (_what, tenant, filter) => {
    const cursor = seal.seal(position, 't1', {});
    expect(() => seal.open(cursor, tenant, filter)).toThrow(BadUserInputError);
  });

  it('refuses forgeries, list cursors and oversized strings', () => {
    const cursor = seal.seal(position, 't1', {});
    const flipped = cursor.slice(0, -2) + (cursor.at(-2) === 'A' ? 'B' : 'A') + cursor.slice(-1);
    expect(() => seal.open(flipped, 't1', {})).toThrow(BadUserInputError);
    expect(() => seal.open('w1.k1.AAAA', 't1', {})).toThrow(BadUserInputError);
    expect(() => seal.open('x'.repeat(10_000), 't1', {})).toThrow(BadUserInputError);
    const list = new ListCursorSeal(ring).seal(
      { v: null, s: 0, p: 1 },
      { tenantId: 't1', connectionId: 'c', object: 'contact', filter: 'none' },
    );
    expect(() => seal.open(list, 't1', {})).toThrow(BadUserInputError);
  });
});
