import { type CrmObject, type NativeRecord } from '../connectors/types';
import { type CanonicalFields, toCanonical } from '../mapping/mapper';
import { type CanonicalValue, type MappingContext, type ObjectMapping } from '../mapping/types';
import { encodeRecordId } from './ids';

/** A record as the API returns it: canonical fields plus identity and lifecycle. */
export interface CanonicalRecord {
  id: string;
  object: CrmObject;
  connectionId: string;
  remoteId: string;
  fields: Record<string, CanonicalValue>;
  customFields: Record<string, CanonicalValue>;
  isDeleted: boolean;
  /**
   * When the CRM soft-deleted it. Vendors report a deleted record's last-modified time, which is the
   * deletion time: that is what this is.
   */
  deletedAt: Date | null;
  createdAt: Date | null;
  updatedAt: Date | null;
  issues: CanonicalFields['issues'];
}

/** Native → canonical through the connection's effective mapping. Pure. */
export function toCanonicalRecord(
  connectionId: string,
  object: CrmObject,
  mapping: ObjectMapping,
  native: NativeRecord,
  ctx: MappingContext,
): CanonicalRecord {
  const mapped = toCanonical(mapping, native.fields, ctx, native.refusedFields);
  const updatedAt = asDate(mapped.fields.updatedAt) ?? asDate(native.updatedAt);
  return {
    id: encodeRecordId({ object, connectionId, remoteId: native.remoteId }),
    object,
    connectionId,
    remoteId: native.remoteId,
    fields: mapped.fields,
    customFields: mapped.customFields,
    isDeleted: native.isDeleted,
    deletedAt: native.isDeleted ? updatedAt : null,
    createdAt: asDate(mapped.fields.createdAt),
    updatedAt,
    issues: mapped.issues,
  };
}

function asDate(value: CanonicalValue | undefined): Date | null {
  if (typeof value !== 'string' || value === '') return null;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? null : d;
}
