import { type CrmConnector, type LinkPair, type WriteResult } from '../../connectors/types';
import { type WriteOutcome } from '../../store/repositories/write-batches.repo';
import { ID_IN_MAX } from '../../store/repositories/write-outcome.updates';
import { type WriteGroup, type WriteOperation } from '../../writes/write-operation.types';
import { remoteIdOf, toLinkPair, toRecordWrite } from './record-writes';
import { writeMetrics } from './write-metrics';
import { isRateRefusal, outcomesOfCallError, outcomesOfResults } from './write-outcomes';

/**
 * A flush's vendor calls (docs/writes.md "Groups and coalescing"): the claimed operations go out in
 * bulk calls of at most the connector's `writeBatch`, all at once.
 *
 * Why a flush claims several batches: on the embedded store a claim costs a read of every open
 * operation (one query that decodes the whole collection), and the bookkeeping after the calls costs a
 * few commands whatever their size; claimed one batch at a time, that cost bounded a group to a batch or
 * two per second, far below what a vendor allows (`bench:writes`). Each call still passes the budget
 * gate on its own: one the budget refuses reschedules its operations, the others go through.
 */

/**
 * Most operations one flush claims: whole batches of `writeBatch`, up to the ids one `{_id: {$in}}`
 * carries on the embedded store ({@link ID_IN_MAX}); at least one batch.
 */
export function claimLimit(writeBatch: number): number {
  const batch = Math.max(1, writeBatch);
  return Math.max(batch, Math.floor(ID_IN_MAX / batch) * batch);
}

/** The claimed operations in bulk calls of ≤ `writeBatch`, sent at once; one outcome per operation. */
export async function sendBatches(
  connector: CrmConnector,
  crm: string,
  group: WriteGroup,
  ops: readonly WriteOperation[],
): Promise<WriteOutcome[]> {
  const size = Math.max(1, connector.limits.writeBatch);
  const batches: WriteOperation[][] = [];
  for (let i = 0; i < ops.length; i += size) batches.push(ops.slice(i, i + size));
  return (await Promise.all(batches.map((batch) => send(connector, crm, group, batch)))).flat();
}

/** One vendor call for the whole batch; every operation gets an outcome. */
async function send(
  connector: CrmConnector,
  crm: string,
  group: WriteGroup,
  ops: readonly WriteOperation[],
): Promise<WriteOutcome[]> {
  const sendable: WriteOperation[] = [];
  const unsendable: WriteOutcome[] = [];
  type Input = ReturnType<typeof toRecordWrite> | string | LinkPair | null;
  const linking = group.batchKind === 'LINK' || group.batchKind === 'UNLINK';
  const inputs: Input[] = ops.map((op) =>
    group.batchKind === 'DELETE' ? remoteIdOf(op) : linking ? toLinkPair(op) : toRecordWrite(op),
  );
  ops.forEach((op, i) => {
    if (inputs[i]) sendable.push(op);
    else {
      unsendable.push({
        id: op.id,
        kind: 'failed',
        failure: {
          code: 'NOT_FOUND',
          message: linking
            ? `this ${op.kind.toLowerCase()} names a record the CRM does not know (no remote id for its ${remoteIdOf(op) ? (op.target?.object ?? 'target') : op.object})`
            : `this ${op.kind.toLowerCase()} names no record the CRM knows (no remote id)`,
          retryable: false,
          fieldErrors: [],
        },
      });
    }
  });
  if (sendable.length === 0) return unsendable;
  const present = inputs.filter((x) => x !== null);
  let results: WriteResult[];
  try {
    results = await call(connector, group, sendable, present);
  } catch (err) {
    writeMetrics.batch(crm, group.batchKind, sendable.length, 'error');
    if (isRateRefusal(err)) writeMetrics.rateLimited(crm);
    return [...outcomesOfCallError(sendable, err), ...unsendable];
  }
  writeMetrics.batch(crm, group.batchKind, sendable.length, 'ok');
  return [...outcomesOfResults(sendable, results), ...unsendable];
}

/** The one connector call of a batch, by batch kind; results in the order of `ops`. */
async function call(
  connector: CrmConnector,
  group: WriteGroup,
  ops: readonly WriteOperation[],
  inputs: readonly (NonNullable<ReturnType<typeof toRecordWrite>> | string | LinkPair)[],
): Promise<WriteResult[]> {
  switch (group.batchKind) {
    case 'DELETE':
      return connector.deleteRecords(group.object, inputs as string[]);
    case 'UPSERT':
      return connector.upsertRecords(group.object, inputs as NonNullable<ReturnType<typeof toRecordWrite>>[]);
    case 'LINK':
    case 'UNLINK': {
      // The operation's record is of the group's object and its target of the other: one call.
      const to = ops[0]?.target?.object ?? (group.object === 'contact' ? 'deal' : 'contact');
      const pairs = inputs as LinkPair[];
      return group.batchKind === 'LINK'
        ? connector.linkRecords(group.object, to, pairs)
        : connector.unlinkRecords(group.object, to, pairs);
    }
  }
}
