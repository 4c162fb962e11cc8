import {
  CrmNeedsReauthError,
  CrmRateLimitedError,
  CrmUnavailableError,
  CrmValidationError,
  CrmUpstreamError,
} from '../../../src/errors';
import { outcomesOfCallError, outcomesOfResults } from '../../../src/worker/writes/write-outcomes';
import { toRecordWrite } from '../../../src/worker/writes/record-writes';
import { gatewayKeyField } from '../../../src/worker/writes/gateway-key';
import { fieldChanges } from '../../../src/worker/writes/record-history';
import { writeBackoffMs } from '../../../src/writes/write-backoff';
import { type WriteOperation } from '../../../src/writes/write-operation.types';

function op(over: Partial<WriteOperation>): WriteOperation {
  return {
    id: 'wop_1',
    tenantId: 't',
    connectionId: 'c',
    crm: 'hubspot',
    object: 'contact',
    kind: 'CREATE',
    batchKind: 'UPSERT',
    status: 'RUNNING',
    seq: 1,
    recordKey: 'op:wop_1',
    remoteId: null,
    target: null,
    dependsOn: [],
    externalId: null,
    gatewayKeyField: null,
    firstKeyedSend: false,
    input: null,
    nativeFields: null,
    inputHash: 'h',
    idempotencyKey: null,
    attempts: 0,
    notBefore: new Date(0),
    claimToken: 'k',
    runningSince: new Date(0),
    bulkJob: null,
    result: null,
    failure: null,
    acceptedAt: new Date(0),
    updatedAt: new Date(0),
    finishedAt: null,
    ...over,
  };
}

describe('write outcomes', () => {
  it('per record: ok, field errors (never retried), rate refusals rescheduled, retryable errors an attempt', () => {
    const ops = ['a', 'b', 'c', 'd'].map((id) => op({ id }));
    const out = outcomesOfResults(ops, [
      { ref: 'a', ok: true, remoteId: 'r1', created: true },
      {
        ref: 'b',
        ok: false,
        error: new CrmValidationError('bad email', {
          crm: 'hubspot',
          vendorCode: 'INVALID_EMAIL',
          details: { context: { propertyName: ['email'] } },
        }),
      },
      {
        ref: 'c',
        ok: false,
        error: new CrmRateLimitedError('slow down', { crm: 'hubspot', retryAfterMs: 1234 }),
      },
      { ref: 'd', ok: false, error: new CrmUnavailableError('down', { crm: 'hubspot' }) },
    ]);
    expect(out).toEqual([
      { id: 'a', kind: 'succeeded', remoteId: 'r1', created: true },
      {
        id: 'b',
        kind: 'failed',
        failure: {
          code: 'VALIDATION',
          message: 'bad email',
          retryable: false,
          fieldErrors: [{ field: 'email', message: 'bad email', code: 'INVALID_EMAIL' }],
        },
      },
      { id: 'c', kind: 'reschedule', retryAfterMs: 1234 },
      { id: 'd', kind: 'transient', message: 'down' },
    ]);
  });

  it('a whole call refused for rate reschedules everything with its retryAfterMs, counting no attempt', () => {
    const out = outcomesOfCallError(
      [op({ id: 'a' }), op({ id: 'b', kind: 'UPDATE' })],
      new CrmRateLimitedError('429', { crm: 'hubspot', retryAfterMs: 900 }),
    );
    expect(out).toEqual([
      { id: 'a', kind: 'reschedule', retryAfterMs: 900 },
      { id: 'b', kind: 'reschedule', retryAfterMs: 900 },
    ]);
    expect(
      outcomesOfCallError([op({})], new CrmNeedsReauthError('revoked', { crm: 'hubspot' }))[0]!.kind,
    ).toBe('reschedule');
  });

  it('an unknown outcome fails only creates without a key; keyed creates and the rest are resent', () => {
    const err = new CrmUnavailableError('lost', { crm: 'hubspot', details: { outcomeUnknown: true } });
    const out = outcomesOfCallError(
      [op({ id: 'plain' }), op({ id: 'gk', gatewayKeyField: 'k' }), op({ id: 'up', kind: 'UPDATE' })],
      err,
    );
    expect(out.map((o) => [o.id, o.kind === 'failed' ? o.failure.code : o.kind])).toEqual([
      ['plain', 'OUTCOME_UNKNOWN'],
      ['gk', 'transient'],
      ['up', 'transient'],
    ]);
    expect(outcomesOfCallError([op({})], new CrmUpstreamError('no', { crm: 'hubspot' }))[0]).toMatchObject({
      kind: 'failed',
      failure: { code: 'VENDOR_ERROR', retryable: true },
    });
  });

  it('a create claimed with a gateway key is sent as an upsert valued with its operation id', () => {
    const write = toRecordWrite(
      op({
        gatewayKeyField: 'crm_external_id',
        nativeFields: [{ field: 'email', value: 'a@b.co' }] as never,
      }),
    );
    expect(write).toEqual({
      ref: 'wop_1',
      externalId: { field: 'crm_external_id', value: 'wop_1' },
      fields: { email: 'a@b.co' },
    });
    // Keyed for the first time: never sent, so no record can hold the key (the connector may skip a
    // lookup); a user's own upsert key never says so — a record may exist whatever the engine did.
    expect(toRecordWrite(op({ gatewayKeyField: 'k', firstKeyedSend: true }))).toMatchObject({
      externalId: { field: 'k', value: 'wop_1' },
      firstAttempt: true,
    });
    expect(
      toRecordWrite(
        op({ kind: 'UPSERT', externalId: { field: 'email', value: 'a@b.co' }, firstKeyedSend: true }),
      ),
    ).not.toHaveProperty('firstAttempt');
    expect(toRecordWrite(op({ kind: 'UPDATE', recordKey: 'rid:9' }))).toEqual({
      ref: 'wop_1',
      remoteId: '9',
      fields: {},
    });
    expect(toRecordWrite(op({ kind: 'UPDATE', recordKey: 'op:wop_0' }))).toBeNull();
  });

  it('reads the gateway key setting, refusing what is not a field name', () => {
    expect(gatewayKeyField({ gatewayKeyField: 'External_Id__c' }, 'deal')).toBe('External_Id__c');
    expect(gatewayKeyField({ gatewayKeyField: { contact: 'crm_external_id' } }, 'contact')).toBe(
      'crm_external_id',
    );
    expect(gatewayKeyField({ gatewayKeyField: { contact: 'crm_external_id' } }, 'deal')).toBeNull();
    expect(gatewayKeyField({ gatewayKeyField: 'a/../b' }, 'deal')).toBeNull();
    expect(gatewayKeyField({}, 'deal')).toBeNull();
  });

  it('field changes list only what differs', () => {
    expect(
      fieldChanges(
        [
          { field: 'a', value: 1 },
          { field: 'b', value: 'x' },
        ],
        [
          { field: 'a', value: 1 },
          { field: 'b', value: 'y' },
          { field: 'c', value: true },
        ],
      ),
    ).toEqual([
      { field: 'b', before: 'x', after: 'y' },
      { field: 'c', before: null, after: true },
    ]);
  });

  it('backs off exponentially with bounded jitter', () => {
    expect(writeBackoffMs(1, () => 0)).toBe(1000);
    expect(writeBackoffMs(1, () => 1)).toBe(2000);
    expect(writeBackoffMs(3, () => 0.5)).toBe(6000);
    expect(writeBackoffMs(40, () => 1)).toBe(600_000);
  });
});
