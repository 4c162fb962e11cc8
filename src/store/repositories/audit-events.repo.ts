import { type AuditEntry, type AuditEvent, type AuditFilter } from '../../audit/audit.types';
import { type TimePosition } from '../../security/position-cursor';
import { retryBusy } from '../bulk-write';
import { type AuditEventDoc, type AuditEventModel } from '../models/audit-event.model';

/** `audit_events` (src/store/models/audit-event.model.ts): appended to, listed newest first, pruned. */
export class AuditEventsRepository {
  constructor(private readonly events: AuditEventModel) {}

  async insert(event: AuditEvent): Promise<void> {
    const { id, ...rest } = event;
    await retryBusy(() => this.events.create({ _id: id, ...rest }));
  }

  /** The tenant's events matching `filter`, newest first, after `after` (exclusive). */
  async list(
    tenantId: string,
    filter: AuditFilter,
    first: number,
    after: TimePosition | null,
  ): Promise<{ nodes: AuditEvent[]; hasNextPage: boolean }> {
    const query: Record<string, unknown> = { tenantId };
    if (filter.action !== undefined) query.action = filter.action;
    if (filter.connectionId !== undefined) query.connectionId = filter.connectionId;
    if (filter.keyId !== undefined) query['actor.keyId'] = filter.keyId;
    const and: Record<string, unknown>[] = [];
    if (filter.since !== undefined) and.push({ at: { $gte: filter.since } });
    if (after) and.push({ $or: [{ at: { $lt: after.at } }, { at: after.at, _id: { $lt: after.id } }] });
    if (and.length > 0) query.$and = and;
    const docs = (await this.events
      .find(query)
      .sort({ at: -1, _id: -1 })
      .limit(first + 1)
      .lean()) as (AuditEventDoc & { _id: string })[];
    return { nodes: docs.slice(0, first).map(toAuditEvent), hasNextPage: docs.length > first };
  }

  /** Deletes events recorded before `before`; returns how many. */
  async pruneOlderThan(before: Date): Promise<number> {
    const result = await retryBusy(() => this.events.deleteMany({ at: { $lt: before } }));
    return result.deletedCount ?? 0;
  }
}

function toAuditEvent(doc: AuditEventDoc & { _id: string }): AuditEvent {
  const entry: AuditEntry = {
    tenantId: doc.tenantId,
    actor: {
      kind: doc.actor?.kind as AuditEvent['actor']['kind'],
      keyId: doc.actor?.keyId ?? null,
      subject: doc.actor?.subject ?? null,
    },
    action: doc.action,
    connectionId: doc.connectionId ?? null,
    targetIds: [...(doc.targetIds ?? [])],
    targetCount: doc.targetCount,
    outcome: doc.outcome as AuditEvent['outcome'],
    errorCode: doc.errorCode ?? null,
  };
  return { id: doc._id, at: doc.at, ...entry };
}
