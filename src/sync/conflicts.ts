import crypto from 'node:crypto';
import { type RedisClient } from '../redis/client';
import { isDeepStrictEqual } from 'node:util';
import { type CrmObject } from '../connectors/types';
import { type Logger } from '../logger';
import { type ObjectMapping, type SourceOfTruth } from '../mapping/types';
import { encodeRecordId } from '../reads/ids';
import { type FieldChange } from '../store/repositories/change-events.repo';
import { type FieldValue } from '../store/repositories/record-snapshots.repo';
import { type CanonicalPatch } from '../writes/write-operation.types';
import { type WriteService } from '../writes/write-service.types';
import { hashTag, redisKey } from '../redis/keys';

/**
 * Source of truth per field (docs/sync.md "Conflicts"). A CRM-side change to a field the mapping gives
 * to the app, on a record the app has written that field of, is a CONFLICT: the change is recorded as
 * such and the app's last-written value is written back through the write path. A field the app never
 * wrote for that record is the CRM's to change (nothing is reverted); a CRM-owned field always takes
 * the CRM's value. Values are never merged.
 *
 * At most one write-back per (record, field, CRM value): if the CRM sets the same value again after
 * our write-back (a workflow that insists), the CRM keeps it — the field leaves the app's written
 * values, so two systems can never loop.
 */

/** How long a write-back is remembered: longer than any CRM automation's retry cycle. */
export const WRITE_BACK_MEMORY_SECONDS = 30 * 24 * 3600;

function ownerOf(mapping: ObjectMapping, field: string): SourceOfTruth {
  // A field no entry maps (a custom field read from the describe) is the CRM's: the app cannot write it.
  return mapping.fields.find((e) => e.canonical === field)?.source ?? 'CRM';
}

/** The changes that take a field the app owns and wrote away from the app's last-written value. Pure. */
export function conflictingChanges(
  changes: readonly FieldChange[],
  appValues: readonly FieldValue[],
  mapping: ObjectMapping,
): FieldChange[] {
  const written = new Map(appValues.map((p) => [p.field, p.value]));
  return changes.filter(
    (c) =>
      written.has(c.field) &&
      ownerOf(mapping, c.field) === 'APP' &&
      !isDeepStrictEqual(c.after ?? null, written.get(c.field) ?? null),
  );
}

/** `customFields.<name>` pairs → a canonical patch. */
export function patchOf(values: readonly FieldValue[]): CanonicalPatch {
  const patch: CanonicalPatch = { fields: {}, customFields: {} };
  for (const { field, value } of values) {
    if (field.startsWith('customFields.'))
      patch.customFields[field.slice('customFields.'.length)] = value as never;
    else patch.fields[field] = value as never;
  }
  return patch;
}

export interface RecordRef {
  tenantId: string;
  connectionId: string;
  object: CrmObject;
  remoteId: string;
}

export class WriteBacks {
  constructor(
    private readonly deps: {
      redis: RedisClient;
      redisPrefix: string;
      writes: Pick<WriteService, 'accept'>;
      logger: Pick<Logger, 'warn'>;
    },
  ) {}

  /** True the first time (record, field, CRM value) is seen: a write-back may follow. */
  async claim(ref: RecordRef, change: FieldChange): Promise<boolean> {
    const ok = await this.deps.redis.set(this.key(ref, change), '1', 'EX', WRITE_BACK_MEMORY_SECONDS, 'NX');
    return ok === 'OK';
  }

  /**
   * Queues an UPDATE of `values` (the app's) through the write path, with an idempotency key of the
   * conflict, so a retried ingest queues it once. A refusal (the field is no longer writable, the
   * connection is gone) is logged and the claims released: the CONFLICT event stays in the history.
   */
  async writeBack(
    ref: RecordRef,
    values: readonly FieldValue[],
    conflicts: readonly FieldChange[],
  ): Promise<string | null> {
    const key = `sync-write-back:${digest([ref.connectionId, ref.object, ref.remoteId, conflicts.map((c) => [c.field, c.after])])}`;
    try {
      const [op] = await this.deps.writes.accept({
        tenantId: ref.tenantId,
        idempotencyKey: key,
        items: [{ kind: 'UPDATE', object: ref.object, id: encodeRecordId(ref), input: patchOf(values) }],
      });
      return op?.id ?? null;
    } catch (err) {
      this.deps.logger.warn(
        { err, record: ref, fields: values.map((v) => v.field) },
        'write-back of a conflict refused',
      );
      await this.deps.redis.del(...conflicts.map((c) => this.key(ref, c))).catch(() => undefined);
      return null;
    }
  }

  private key(ref: RecordRef, change: FieldChange): string {
    // Several of one record are deleted at once (DEL): tagged per connection, one slot.
    return redisKey(
      this.deps.redisPrefix,
      'sync',
      'write-back',
      hashTag('conn', ref.connectionId),
      ref.object,
      ref.remoteId,
      digest([change.field, change.after ?? null]),
    );
  }
}

function digest(value: unknown): string {
  return crypto.createHash('sha256').update(JSON.stringify(value)).digest('base64url').slice(0, 32);
}
