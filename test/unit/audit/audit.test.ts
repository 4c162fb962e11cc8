import { createAuditLog } from '../../../src/audit/audit-log';
import { mutationTargets } from '../../../src/audit/mutation-targets';
import { KeyRing } from '../../../src/security/credentials-cipher';
import { type AuditEventsRepository } from '../../../src/store/repositories/audit-events.repo';

describe('mutationTargets', () => {
  it('keeps the ids a mutation named and made, and nothing of its input', () => {
    const t = mutationTargets(
      {
        connectionId: 'conn_1',
        input: { email: 'ada@example.org', ownerId: 'usr_9', connectionIds: ['conn_2'] },
        idempotencyKey: 'key-1',
      },
      { id: 'wop_1', connectionId: 'conn_1', record: { email: 'ada@example.org' } },
      false,
    );
    expect(t).toEqual({ connectionId: 'conn_1', targetIds: ['conn_1', 'conn_2', 'wop_1'], targetCount: 1 });
    expect(JSON.stringify(t)).not.toContain('ada@example.org');
    expect(JSON.stringify(t)).not.toContain('key-1');
  });

  it('counts the items of a list mutation and keeps at most 50 ids', () => {
    const items = Array.from({ length: 120 }, (_, i) => (i % 2 ? { id: `rec_${i}` } : { input: {} }));
    const answer = items.map((_, i) => ({ id: `wop_${i}`, connectionId: 'conn_1' }));
    const t = mutationTargets({ connectionId: 'conn_1', items }, answer, false);
    expect(t.targetCount).toBe(120);
    expect(t.targetIds).toHaveLength(50);
    expect(t.targetIds.slice(0, 3)).toEqual(['conn_1', 'rec_1', 'rec_3']);
  });

  it('names the connection a connection mutation acted on, answered or refused', () => {
    expect(mutationTargets({ input: { crm: 'x' } }, { id: 'conn_7' }, true).connectionId).toBe('conn_7');
    expect(mutationTargets({ id: 'conn_8' }, null, true)).toEqual({
      connectionId: 'conn_8',
      targetIds: ['conn_8'],
      targetCount: 1,
    });
    // An update of a record by id: the connection is the operation's.
    expect(
      mutationTargets({ id: 'rec_1' }, { id: 'wop_2', connectionId: 'conn_3' }, false).connectionId,
    ).toBe('conn_3');
  });

  it('takes only strings: a hostile argument of another shape is not an id', () => {
    const t = mutationTargets({ id: { $ne: null }, ids: [1, 'ok', null], contactId: '' }, [null, 5], false);
    expect(t).toEqual({ connectionId: null, targetIds: ['ok'], targetCount: 2 });
  });
});

describe('createAuditLog.record', () => {
  it('never fails the caller when the store refuses the event: it logs the whole event instead', async () => {
    const logger = { error: jest.fn() };
    const log = createAuditLog({
      events: {
        insert: () => Promise.reject(new Error('store down')),
      } as unknown as AuditEventsRepository,
      keyRing: KeyRing.parse(`t:${Buffer.alloc(32, 1).toString('base64')}`),
      logger,
    });
    const entry = {
      tenantId: 't1',
      actor: { kind: 'API_KEY' as const, keyId: 'k1', subject: null },
      action: 'deleteConnection',
      connectionId: 'c1',
      targetIds: ['c1'],
      targetCount: 1,
      outcome: 'SUCCEEDED' as const,
      errorCode: null,
    };
    await expect(log.record(entry)).resolves.toBeUndefined();
    expect(logger.error).toHaveBeenCalledWith(
      expect.objectContaining({ auditEvent: expect.objectContaining(entry) }),
      'audit event not stored',
    );
  });
});
