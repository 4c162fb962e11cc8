import 'reflect-metadata';
import { parseWriteOperationEvent, writeOperationEvent } from '../../../../src/events/write-operation-events';
import {
  toWriteOperationView,
  writeOperationViewOfEvent,
} from '../../../../src/graphql/writes/write-operation.type';
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

  const succeeded = operation({
    status: 'SUCCEEDED',
    kind: 'LINK',
    remoteId: '901',
    target: { object: 'deal', remoteId: '77', recordKey: 'rid:77' },
    result: { created: false, record: { id: 'x', fields: { email: 'secret@example.org' } } },
    attempts: 2,
    updatedAt: new Date('2026-01-02T03:05:00.000Z'),
    finishedAt: new Date('2026-01-02T03:05:00.000Z'),
  });
  const failed = operation({
    status: 'DEAD',
    failure: {
      code: 'RETRIES_EXHAUSTED',
      message: 'the CRM said secret@example.org',
      retryable: true,
      fieldErrors: [],
    },
  });

  it("carries an operation's state across the wire as a read would show it, but record and failure", () => {
    for (const op of [operation(), succeeded, failed]) {
      const wire: unknown = JSON.parse(JSON.stringify(writeOperationEvent(op)));
      const parsed = parseWriteOperationEvent(wire);
      expect(parsed?.state).toBeDefined();
      expect(writeOperationViewOfEvent({ ...parsed!, state: parsed!.state! })).toEqual({
        ...toWriteOperationView(op),
        record: null,
        failure: null,
      });
    }
    expect(writeOperationEvent(succeeded).state).toMatchObject({ hasRecord: true, hasFailure: false });
    expect(writeOperationEvent(failed).state).toMatchObject({ hasRecord: false, hasFailure: true });
  });

  it('never puts record values or vendor messages on the wire', () => {
    for (const op of [succeeded, failed]) {
      expect(JSON.stringify(writeOperationEvent(op))).not.toContain('secret@example.org');
    }
  });

  it("drops an event whose state is malformed, and keeps an older publisher's event without one", () => {
    const wire = JSON.parse(JSON.stringify(writeOperationEvent(succeeded))) as Record<string, unknown>;
    const { state, ...stateless } = wire as { state: Record<string, unknown> } & Record<string, unknown>;
    expect(parseWriteOperationEvent(stateless)?.state).toBeUndefined();
    expect(parseWriteOperationEvent({ ...wire, state: { ...state, kind: 'MERGE' } })).toBeNull();
    expect(parseWriteOperationEvent({ ...wire, state: { ...state, updatedAt: 'never' } })).toBeNull();
    expect(parseWriteOperationEvent({ ...wire, state: { ...state, attempts: -1 } })).toBeNull();
    expect(parseWriteOperationEvent({ ...wire, state: { ...state, remoteId: 'x'.repeat(201) } })).toBeNull();
  });
});
