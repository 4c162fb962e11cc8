import { CrmNotFoundError } from '../errors';
import { type NativeField, type RelationshipSupport } from './types';

/**
 * Resolves a native field path (`Email`, `Account.Owner.Email`) against the vendor's field metadata,
 * hop by hop: each segment but the last must be a relationship of the object reached so far, and the
 * last a field of the object the hops end on. Names match exactly, case included: vendors answer with
 * their own spelling (a related `Account` comes back under `Account` even when asked for `account`), so
 * a path in another case would read nothing.
 *
 * Used before a mapping is stored (`reads/mapping-validation.ts`) and by connectors that must find which
 * selected field the vendor refused (a connector's `refused-fields.ts`). No I/O of its own: related objects
 * are described through `relationships.describeObject`, once per object and call.
 */

export type PathResolution = { ok: true; field: NativeField } | { ok: false; problem: string };

export interface PathRoot {
  /** The vendor's name of the object the path starts from (Contact, contacts…). */
  nativeObject: string;
  fields: readonly NativeField[];
}

/** `relationships.describeObject`, asking the vendor once per object however many paths need it. */
export function memoizedDescribe(
  relationships: RelationshipSupport,
): (nativeObject: string) => Promise<readonly NativeField[]> {
  const seen = new Map<string, Promise<NativeField[]>>();
  return (nativeObject) => {
    let fields = seen.get(nativeObject);
    if (!fields) {
      fields = relationships.describeObject(nativeObject);
      seen.set(nativeObject, fields);
    }
    return fields;
  };
}

export async function resolveFieldPath(
  path: string,
  root: PathRoot,
  relationships: RelationshipSupport | undefined,
  describeObject: (nativeObject: string) => Promise<readonly NativeField[]> = relationships
    ? memoizedDescribe(relationships)
    : () => Promise.resolve([]),
): Promise<PathResolution> {
  const segments = path.split('.');
  const leafName = segments[segments.length - 1] ?? path;
  if (segments.length > 1) {
    if (!relationships) {
      return { ok: false, problem: `"${path}" is a relationship path, and this CRM's field names are flat` };
    }
    if (segments.length > relationships.maxPathSegments) {
      return {
        ok: false,
        problem:
          `"${path}" has ${segments.length} segments; this CRM reads at most ` +
          `${relationships.maxPathSegments} (its relationship depth limit, the field included)`,
      };
    }
  }
  let objectName = root.nativeObject;
  let fields = root.fields;
  for (const segment of segments.slice(0, -1)) {
    const reference = fields.find((f) => f.relationshipName === segment);
    if (!reference) {
      return {
        ok: false,
        problem: `${objectName} has no relationship "${segment}" (in "${path}")${hint(fields, segment, true)}`,
      };
    }
    const targets = reference.referenceTo ?? [];
    if (targets.length !== 1) {
      // A polymorphic reference (What → Account | Opportunity…) has no one field list to check against.
      return {
        ok: false,
        problem: `${objectName}.${segment} may point to ${targets.join(' or ') || 'no known object'}; a path can only follow a reference to one object`,
      };
    }
    objectName = targets[0]!;
    try {
      fields = await describeObject(objectName);
    } catch (err) {
      // An object the integration user may not see describes as not found: the path cannot be read.
      if (!(err instanceof CrmNotFoundError)) throw err;
      return {
        ok: false,
        problem: `${objectName} (reached by "${segment}" in "${path}") cannot be described`,
      };
    }
  }
  const field = fields.find((f) => f.name === leafName);
  if (!field) {
    const where = segments.length > 1 ? ` (in "${path}")` : '';
    return {
      ok: false,
      problem: `${objectName} has no field "${leafName}"${where}${hint(fields, leafName, false)}`,
    };
  }
  return { ok: true, field };
}

/** "; did you mean Email?" when only the case differs. */
function hint(fields: readonly NativeField[], name: string, relationship: boolean): string {
  const lower = name.toLowerCase();
  const near = fields.find((f) => (relationship ? f.relationshipName : f.name)?.toLowerCase() === lower);
  const spelled = relationship ? near?.relationshipName : near?.name;
  return spelled ? `; did you mean "${spelled}"? (names are case-sensitive)` : '';
}
