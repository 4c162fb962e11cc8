import { type OpenOperation, type Transition } from '../../../../src/store/repositories/write-batches.repo';
import { waitingGroups } from '../../../../src/worker/writes/waiting-groups';

/** An open operation as the claim reads it (projected). */
function open(o: Partial<OpenOperation> & { _id: string; recordKey: string }): OpenOperation {
  return {
    object: 'contact',
    batchKind: 'UPSERT',
    status: 'QUEUED',
    seq: 1,
    notBefore: new Date(0),
    kind: 'UPDATE',
    dependsOn: [],
    target: null,
    ...o,
  } as OpenOperation;
}

/** A finished operation of the flush. */
function done(t: Partial<Transition> & { id: string; recordKey: string }): Transition {
  return { status: 'SUCCEEDED', remoteId: null, kind: 'CREATE', batchKind: 'UPSERT', ...t } as Transition;
}

describe('waitingGroups', () => {
  it('finds the groups of the next writes of the records a flush finished, in any group', () => {
    const snapshot = [
      open({ _id: 'u1', recordKey: 'op:c1' }),
      open({ _id: 'd1', recordKey: 'rid:R1', batchKind: 'DELETE', kind: 'DELETE' }),
      open({ _id: 'other', recordKey: 'rid:R9', batchKind: 'DELETE', kind: 'DELETE', object: 'deal' }),
    ];
    const groups = waitingGroups('conn', snapshot, [done({ id: 'c1', recordKey: 'op:c1', remoteId: 'R1' })]);
    expect(groups).toEqual([
      { connectionId: 'conn', object: 'contact', batchKind: 'UPSERT' },
      { connectionId: 'conn', object: 'contact', batchKind: 'DELETE' },
    ]);
  });

  it('finds links waiting for a record as their target, and a failed create wakes its waiters too', () => {
    const snapshot = [
      open({
        _id: 'l1',
        recordKey: 'rid:D1',
        batchKind: 'LINK',
        kind: 'LINK',
        object: 'deal',
        target: { object: 'contact', recordKey: 'op:c2', remoteId: null },
      }),
    ];
    const failed = done({ id: 'c2', recordKey: 'op:c2', status: 'FAILED' });
    expect(waitingGroups('conn', snapshot, [failed])).toEqual([
      { connectionId: 'conn', object: 'deal', batchKind: 'LINK' },
    ]);
  });

  it("leaves out the flush's own operations, operations no longer QUEUED and requeued outcomes", () => {
    const snapshot = [
      open({ _id: 'c1', recordKey: 'op:c1' }),
      open({ _id: 'r1', recordKey: 'rid:R1', status: 'RUNNING' }),
      open({ _id: 'q1', recordKey: 'rid:R2' }),
    ];
    const finished = [
      done({ id: 'c1', recordKey: 'op:c1', remoteId: 'R1' }),
      done({ id: 'x', recordKey: 'rid:R2', status: 'QUEUED' }),
    ];
    expect(waitingGroups('conn', snapshot, finished)).toEqual([]);
  });
});
