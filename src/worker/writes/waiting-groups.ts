import { type OpenOperation, type Transition } from '../../store/repositories/write-batches.repo';
import { type BatchKind, type WriteGroup, writeGroupKey } from '../../writes/write-operation.types';

/**
 * The groups holding the next write of a record a flush finished (an update waiting for its create, a
 * delete waiting for an update — in any group), and links waiting for one as their target: found among
 * the open operations the flush's claim read (`ClaimResult.open`), not by reading the collection again
 * (on FerretDB a scan of every open operation per flush). Pure.
 *
 * A write accepted after the claim read them is not among them; it is not lost: its own flush finds it
 * waiting for this flush's RUNNING write and asks again a little later (`ClaimResult.blocked`).
 */
export function waitingGroups(
  connectionId: string,
  open: readonly OpenOperation[],
  finished: readonly Transition[],
): WriteGroup[] {
  const done = finished.filter((t) => t.status !== 'QUEUED' && t.status !== 'RUNNING');
  // `op:<id>` also for a success: a link waits for a create as its target (`target.recordKey`).
  const keys = new Set(
    done.flatMap((t) =>
      t.status === 'SUCCEEDED' && t.remoteId
        ? [t.recordKey, `rid:${t.remoteId}`, `op:${t.id}`]
        : [t.recordKey, `op:${t.id}`],
    ),
  );
  // The flush's own operations were QUEUED when the claim read them: they wait for nothing now.
  const own = new Set(finished.map((t) => t.id));
  const groups = new Map<string, WriteGroup>();
  for (const o of open) {
    if (o.status !== 'QUEUED' || own.has(o._id)) continue;
    const linking = o.batchKind === 'LINK' || o.batchKind === 'UNLINK';
    const target = (o.target as { recordKey?: string } | null)?.recordKey;
    if (!keys.has(o.recordKey) && !(linking && target && keys.has(target))) continue;
    const group = {
      connectionId,
      object: o.object as WriteGroup['object'],
      batchKind: o.batchKind as BatchKind,
    };
    groups.set(writeGroupKey(group), group);
  }
  return [...groups.values()];
}
