import { type BulkWriteDeclaration } from '../../../../src/config/crms';
import { type OpenOperation } from '../../../../src/store/repositories/write-batches.repo';
import { bulkSelection, bulkShapeOf } from '../../../../src/worker/writes/bulk-jobs';

/** Which due writes a vendor bulk job takes (docs/writes.md "Bulk jobs"). Pure. */

const DECL: BulkWriteDeclaration = {
  threshold: 3,
  maxRecords: 10,
  takes: ['byId', 'byKey'],
  timeoutMs: 1000,
  pollMs: 10,
  maxPollMs: 100,
};

const op = (id: string, kind: string, recordKey: string): OpenOperation =>
  ({
    _id: id,
    kind,
    recordKey,
    status: 'QUEUED',
    seq: 1,
    object: 'contact',
    batchKind: 'UPSERT',
  }) as OpenOperation;

describe('bulk job shapes', () => {
  it('takes updates of known records, upserts by a key and gateway-keyed creates; never plain creates', () => {
    expect(bulkShapeOf(op('a', 'UPDATE', 'rid:123'), DECL.takes, null)).toBe('byId');
    expect(bulkShapeOf(op('a', 'UPDATE', 'op:create-1'), DECL.takes, null)).toBeNull();
    expect(bulkShapeOf(op('a', 'UPSERT', 'ext:Email__c:x:y'), DECL.takes, null)).toBe('byKey:Email__c');
    expect(bulkShapeOf(op('a', 'CREATE', 'op:a'), DECL.takes, 'Gateway_Key')).toBe('byKey:Gateway_Key');
    expect(bulkShapeOf(op('a', 'CREATE', 'op:a'), DECL.takes, null)).toBeNull();
    expect(bulkShapeOf(op('a', 'UPSERT', 'ext::v'), DECL.takes, null)).toBeNull();
    // A vendor whose job takes only keyed upserts.
    expect(bulkShapeOf(op('a', 'UPDATE', 'rid:123'), ['byKey'], null)).toBeNull();
  });

  it('selects the commonest shape from the threshold on, and nothing below it', () => {
    const select = bulkSelection(DECL, 'Gateway_Key');
    const ops = [
      op('1', 'UPDATE', 'rid:1'),
      op('2', 'CREATE', 'op:2'),
      op('3', 'UPSERT', 'ext:Gateway_Key:k3'),
      op('4', 'CREATE', 'op:4'),
      op('5', 'UPDATE', 'rid:5'),
    ];
    const chosen = select(ops)!;
    expect(chosen.selection).toBe('byKey:Gateway_Key');
    expect(chosen.limit).toBe(10);
    expect(ops.filter(chosen.only).map((o) => o._id)).toEqual(['2', '3', '4']);
    expect(select(ops.slice(0, 3))).toBeNull();
  });
});
