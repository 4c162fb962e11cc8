import { Field, ID, ObjectType } from 'type-graphql';
import { type CanonicalRecord } from '../../reads/canonical';
import { JSONObjectScalar } from '../scalars/json-object.scalar';

/**
 * Options of the object types a record read returns in bulk (records, their edges and pages): their
 * plain fields are read by graphql's own default resolver. Without it type-graphql wraps every field of
 * every record in a middleware runner (a closure and a call per field, hundreds of records a response)
 * to apply middlewares: this API has none (authorization wraps root fields only,
 * `auth/authorize-root-fields.ts`), so the wrapper protected nothing. Field resolvers (`Contact.deals`)
 * are not affected.
 */
export const BULK_OBJECT_TYPE = { simpleResolvers: true } as const;

@ObjectType({
  ...BULK_OBJECT_TYPE,
  description: 'A value of this record that the field mapping could not read.',
})
export class MappingIssue {
  @Field({ description: 'Canonical name, or customFields.<key>; the field reads null.' })
  canonical!: string;

  @Field({ description: 'The native field (path) the mapping reads it from.' })
  native!: string;

  @Field({ description: 'Why: a value that does not fit the transform, or a field the CRM refused.' })
  message!: string;
}

/**
 * The fields every canonical record has, whatever its object: identity, timestamps, deletion and
 * mapped custom fields. Contact and Deal extend it and add their own canonical fields.
 */
@ObjectType(BULK_OBJECT_TYPE)
export abstract class CanonicalRecordFields {
  @Field(() => ID, { description: 'Opaque and stable: encodes the connection and the remote id.' })
  id!: string;

  @Field(() => ID)
  connectionId!: string;

  @Field({ description: "The CRM's own id." })
  remoteId!: string;

  @Field(() => String, { nullable: true, description: "The CRM's owner (user) id." })
  ownerId!: string | null;

  @Field(() => Date, { nullable: true })
  createdAt!: Date | null;

  @Field(() => Date, { nullable: true })
  updatedAt!: Date | null;

  @Field()
  isDeleted!: boolean;

  @Field(() => Date, { nullable: true })
  deletedAt!: Date | null;

  @Field(() => JSONObjectScalar, {
    description: "Mapped custom fields under their canonical names (the connection's field mapping).",
  })
  customFields!: Record<string, unknown>;

  @Field(() => [MappingIssue], {
    description:
      'Values the field mapping could not read, each reading null: a value that does not fit its transform, or ' +
      'a field the CRM refused (deleted, or hidden from the integration user, after the mapping was saved; ' +
      'the rest of the record is read all the same, and fieldMapping.problems says what to fix). Empty when none.',
  })
  mappingIssues!: MappingIssue[];
}

/** A canonical string field: empty and non-string values read as null. */
export const canonicalString = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

/** No issues: the common case, one frozen array for every such record rather than one each. */
const NO_ISSUES: readonly MappingIssue[] = Object.freeze([]);

/**
 * `out` (a new Contact or Deal with its own fields set) with the {@link CanonicalRecordFields} of a
 * record set on it. Runs once per record of a response (hundreds): properties are set on the one
 * object rather than spread into a new literal — `{ ...common, own }` took V8 about 10 µs a record,
 * this well under 1 µs. `out` must be an instance of its GraphQL class: type-graphql hands a field
 * resolver (`Contact.deals`) its root as such an instance and copies any other object into a new
 * one first, on every call of every field resolver.
 */
export function withCanonicalRecordFields<T extends CanonicalRecordFields>(r: CanonicalRecord, out: T): T {
  out.id = r.id;
  out.connectionId = r.connectionId;
  out.remoteId = r.remoteId;
  out.ownerId = canonicalString(r.fields.ownerId);
  out.createdAt = r.createdAt;
  out.updatedAt = r.updatedAt;
  out.isDeleted = r.isDeleted;
  out.deletedAt = r.deletedAt;
  out.customFields = r.customFields;
  out.mappingIssues = r.issues.length === 0 ? (NO_ISSUES as MappingIssue[]) : r.issues.map((i) => ({ ...i }));
  return out;
}

/** The fields a record view sets at once: identity, what every response needs and costs nothing. */
export const IDENTITY_FIELDS = new Set<string>(['connectionId', 'remoteId', 'isDeleted']);
const RECORD = Symbol('record');
const VIEW = Symbol('view');

interface LazyView {
  [RECORD]: CanonicalRecord;
  [VIEW]?: CanonicalRecordFields;
}

/**
 * `build` (a record → a Contact or a Deal) made lazy: the view carries the record's identity, and
 * every other field of `type` (the canonical ones, dates, custom fields, issues, the opaque id) reads
 * `build(record)` — once, on the first such field a query selects. With a lazy record
 * (`reads/canonical.ts`) a query that selects only remote ids maps nothing. The view is an instance
 * of `type` (its prototype chain leads there), so type-graphql hands it to field resolvers as it is.
 */
export function lazyRecordView<T extends CanonicalRecordFields>(
  type: new () => T,
  build: (r: CanonicalRecord) => T,
): (r: CanonicalRecord) => T {
  const proto = Object.create(type.prototype as object) as object;
  // A new instance has every declared field as an own property (ES2022 class fields).
  // The opaque id is the record's own (encoded on first use): selecting it maps nothing either.
  Object.defineProperty(proto, 'id', {
    get(this: LazyView) {
      return this[RECORD].id;
    },
  });
  for (const key of Object.keys(new type())) {
    if (IDENTITY_FIELDS.has(key) || key === 'id') continue;
    Object.defineProperty(proto, key, {
      get(this: LazyView) {
        return ((this[VIEW] ??= build(this[RECORD])) as unknown as Record<string, unknown>)[key];
      },
    });
  }
  return (r) => {
    const view = Object.create(proto) as T & LazyView;
    view[RECORD] = r;
    view.connectionId = r.connectionId;
    view.remoteId = r.remoteId;
    view.isDeleted = r.isDeleted;
    return view;
  };
}
