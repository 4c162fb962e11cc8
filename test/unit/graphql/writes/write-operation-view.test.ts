import 'reflect-metadata';
import { parseWriteOperationEvent } from '../../../../src/events/write-operation-events';
import { toWriteOperationView } from '../../../../src/graphql/writes/write-operation.type';
import { decodeRecordId } from '../../../../src/reads/ids';
import { operation } from './operation.fixture';

describe('toWriteOperationView', () => {
  it('shows what a client may see and nothing of the tenant, native fields, claim or hashes', () => {
    const view = toWriteOperationView(operation());
    expect(Object.keys(view).sort()).toEqual(
      [
        'acceptedAt',
        'attempts',
        'connectionId',
        'created',
        'failure',
        'finishedAt',
        'id',
        'kind',
        'object',
        'record',
        'recordId',
        'status',
        'targetId',
        'updatedAt',
      ].sort(),
    );
    expect(JSON.stringify(view)).not.toMatch(/secret/);
    expect(view).toMatchObject({ recordId: null, created: null, record: null, failure: null });
  });

  it('gives the record id as the read API encodes it, and the record and failure once known', () => {
    const done = toWriteOperationView(
      operation({
        status: 'SUCCEEDED',
        remoteId: '123',
        result: { created: true, record: { email: 'a@b.c' } },
        target: { object: 'deal', remoteId: '9', recordKey: 'rid:9' },
      }),
    );
    expect(decodeRecordId(done.recordId!, 'contact')).toEqual({
      object: 'contact',
      connectionId: 'conn1',
      remoteId: '123',
    });
    expect(decodeRecordId(done.targetId!, 'deal')).toEqual({
      object: 'deal',
      connectionId: 'conn1',
      remoteId: '9',
    });
    expect(done).toMatchObject({ created: true, record: { email: 'a@b.c' } });
    const failed = toWriteOperationView(
      operation({
        status: 'FAILED',
        failure: {
          code: 'VALIDATION',
          message: 'bad',
          retryable: false,
          fieldErrors: [{ field: 'email', message: 'x', code: null }],
        },
      }),
    );
    expect(failed.failure).toEqual({
      code: 'VALIDATION',
      message: 'bad',
      retryable: false,
      fieldErrors: [{ field: 'email', message: 'x', code: null }],
    });
  });
});

describe('parseWriteOperationEvent', () => {
  it('parses what the publisher sends and drops anything malformed', () => {
    const wire = {
      operationId: 'wop_1',
      connectionId: 'c',
      status: 'RUNNING',
      occurredAt: '2026-01-01T00:00:00.000Z',
    };
    expect(parseWriteOperationEvent(wire)).toEqual({ ...wire, occurredAt: new Date(wire.occurredAt) });
    expect(parseWriteOperationEvent({ ...wire, status: 'DONE' })).toBeNull();
    expect(parseWriteOperationEvent({ ...wire, operationId: '' })).toBeNull();
    expect(parseWriteOperationEvent({ ...wire, occurredAt: 'never' })).toBeNull();
    expect(parseWriteOperationEvent('wop_1')).toBeNull();
    expect(parseWriteOperationEvent(null)).toBeNull();
  });
});
