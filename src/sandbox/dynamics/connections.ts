// Connections (docs/vendors/dynamics.md "Connections"): Dataverse writes, for every connection it
// creates, a reciprocal one with the two sides (rows and roles) swapped, the pair naming each other
// through `relatedconnectionid` and the created one marked `ismaster`; deleting either deletes both.
import crypto from 'node:crypto';
import { DV_CODES, DvError } from './errors';
import { type EntityDef } from './schema';
import { type DvRecord, type DvStore, isLookupValue, type WriteContext } from './store';

const TABLE = 'connection';

export function isConnectionTable(entity: EntityDef): boolean {
  return entity.logicalName === TABLE;
}

/** Both sides are required on create ("Connections"). */
export function checkConnectionSides(values: Record<string, unknown>): void {
  if (!isLookupValue(values.record1id) || !isLookupValue(values.record2id))
    throw new DvError(
      400,
      DV_CODES.invalidArgument,
      'A connection needs both record1id and record2id (Connected From and Connected To).',
    );
}

/** Writes the reciprocal of a connection just created, and links the two. */
export function addReciprocal(store: DvStore, master: DvRecord, ctx: WriteContext): void {
  const v = master.values;
  const id = crypto.randomUUID();
  store.insert(
    TABLE,
    id,
    {
      record1id: v.record2id ?? null,
      record2id: v.record1id ?? null,
      record1roleid: v.record2roleid ?? null,
      record2roleid: v.record1roleid ?? null,
      description: v.description ?? null,
      ownerid: v.ownerid,
      relatedconnectionid: { id: master.id, entity: TABLE },
      ismaster: false,
    },
    ctx,
  );
  store.update(TABLE, master.id, { relatedconnectionid: { id, entity: TABLE }, ismaster: true }, ctx);
}

/** Deletes the other row of a connection's pair (the caller deletes the one it was asked to). */
export function removeReciprocal(store: DvStore, record: DvRecord, ctx: WriteContext): void {
  const related = record.values.relatedconnectionid;
  if (isLookupValue(related) && store.get(TABLE, related.id)) store.remove(TABLE, related.id, ctx);
}

/** Connects two rows as a CRM user would (both rows of the pair), for seeding and tests. */
export function connectRows(
  store: DvStore,
  from: { id: string; entity: string },
  to: { id: string; entity: string },
  ctx: WriteContext,
): DvRecord {
  const master = store.insert(
    TABLE,
    crypto.randomUUID(),
    { record1id: from, record2id: to, ownerid: { id: ctx.userId, entity: 'systemuser' } },
    ctx,
  );
  addReciprocal(store, master, ctx);
  return master;
}
