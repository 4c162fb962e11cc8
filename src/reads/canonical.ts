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

/**
 * {@link toCanonicalRecord} for a response: the record's identity is set now, its canonical fields
 * (mapping, dates, issues) and its opaque id on first use. A read maps hundreds of records a request
 * (a listed page, every record a nested level reaches), and a query that selects only `remoteId` — or
 * only the nested records — reads none of them (mapping them all cost about a tenth of the gateway's
 * CPU for `contacts(first: 100) { deals { contacts } }` in `bench:reads`). The values are those {@link toCanonicalRecord} gives, computed at most once.
 * A mapping that throws (a bug, not a bad value: those are issues) fails the field that asked.
 */
export class LazyCanonicalRecord implements CanonicalRecord {
  readonly remoteId: string;
  readonly isDeleted: boolean;
  private encodedId?: string;
  private built?: CanonicalRecord;

  constructor(
    readonly connectionId: string,
    readonly object: CrmObject,
    private readonly mapping: ObjectMapping,
    private readonly native: NativeRecord,
    private readonly ctx: MappingContext,
  ) {
    this.remoteId = native.remoteId;
    this.isDeleted = native.isDeleted;
  }

  get id(): string {
    return (this.encodedId ??= encodeRecordId(this));
  }
  get fields(): CanonicalRecord['fields'] {
    return this.mapped().fields;
  }
  get customFields(): CanonicalRecord['customFields'] {
    return this.mapped().customFields;
  }
  get issues(): CanonicalRecord['issues'] {
    return this.mapped().issues;
  }
  get createdAt(): Date | null {
    return this.mapped().createdAt;
  }
  get updatedAt(): Date | null {
    return this.mapped().updatedAt;
  }
  get deletedAt(): Date | null {
    return this.mapped().deletedAt;
  }

  private mapped(): CanonicalRecord {
    return (this.built ??= toCanonicalRecord(
      this.connectionId,
      this.object,
      this.mapping,
      this.native,
      this.ctx,
    ));
  }
}

function asDate(value: CanonicalValue | undefined): Date | null {
  if (typeof value !== 'string' || value === '') return null;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? null : d;
}
