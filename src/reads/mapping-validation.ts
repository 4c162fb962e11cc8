import { memoizedDescribe, resolveFieldPath } from '../connectors/relationship-paths';
import {
  type CrmObject,
  type NativeField,
  type NativeFieldType,
  type RelationshipSupport,
} from '../connectors/types';
import { BadUserInputError } from '../errors';
import { type FieldMappingOverride } from '../mapping/mapper';
import { type FieldMappingEntry, type Transform } from '../mapping/types';

/**
 * Checks overrides against what the CRM says it has, before they are stored, so that a saved mapping
 * cannot make the CRM refuse reads: every hop of a relationship path exists (and the path is within the
 * vendor's depth limit), the field it ends on exists, its type fits the transform, and every native
 * value a picklist transform names is one of the field's picklist values.
 */

/** What the CRM says about the object being mapped. */
export interface DescribedObject {
  object: CrmObject;
  /** The vendor's name of the object (Contact, contacts…): where relationship paths start. */
  nativeObject: string;
  /** The object's fields (`describeFields`). */
  fields: readonly NativeField[];
  /** The connector's relationship capability; absent, dotted paths are refused. */
  relationships?: RelationshipSupport;
}

/** Native field types each transform can read; `lookup`/`string` read anything as text. */
const TYPES_BY_TRANSFORM: Readonly<Record<Transform['kind'], readonly NativeFieldType[] | 'any'>> = {
  string: 'any',
  lookup: 'any',
  number: ['integer', 'decimal', 'currency', 'percent', 'string'],
  decimal: ['integer', 'decimal', 'currency', 'percent', 'string'],
  percent: ['percent', 'decimal', 'integer', 'string'],
  date: ['date', 'datetime', 'string'],
  datetime: ['datetime', 'date', 'string'],
  boolean: ['boolean', 'string'],
  picklist: ['picklist', 'string'],
  multi: ['multipicklist', 'string', 'text'],
  status_from_flags: 'any',
};

/** Every problem of `overrides` against the CRM's metadata, each naming the override; empty when none. */
export async function mappingProblems(
  overrides: readonly FieldMappingOverride[],
  described: DescribedObject,
): Promise<string[]> {
  const { object, relationships } = described;
  const describeObject = relationships ? memoizedDescribe(relationships) : undefined;
  const problems: string[] = [];
  for (const [i, o] of overrides.entries()) {
    if ('remove' in o) continue;
    const entry: FieldMappingEntry = o;
    const at = `overrides.${i} (${entry.canonical})`;
    const dotted = entry.native.includes('.');
    const resolved = await resolveFieldPath(entry.native, described, relationships, describeObject);
    if (!resolved.ok) {
      problems.push(
        dotted
          ? `${at}: ${resolved.problem}`
          : `${at}: the CRM has no ${object} field ${JSON.stringify(entry.native)}`,
      );
      continue;
    }
    problems.push(...fieldProblems(at, entry, resolved.field, dotted));
  }
  return problems;
}

/** Throws one BAD_USER_INPUT listing every problem of {@link mappingProblems}. */
export async function validateAgainstDescribe(
  overrides: readonly FieldMappingOverride[],
  described: DescribedObject,
): Promise<void> {
  const problems = await mappingProblems(overrides, described);
  if (problems.length > 0) {
    throw new BadUserInputError(`invalid field mapping for ${described.object}: ${problems.join('; ')}`, {
      details: { problems },
    });
  }
}

function fieldProblems(at: string, entry: FieldMappingEntry, field: NativeField, dotted: boolean): string[] {
  const problems: string[] = [];
  const allowed = TYPES_BY_TRANSFORM[entry.transform.kind];
  if (allowed !== 'any' && field.type !== 'unknown' && !allowed.includes(field.type)) {
    problems.push(
      `${at}: transform ${entry.transform.kind} cannot read ${field.name} of type ${field.type} (expected ${allowed.join(' or ')})`,
    );
  }
  if (entry.transform.kind === 'picklist' && field.picklistValues) {
    const known = new Set(field.picklistValues.map((v) => v.value));
    for (const value of Object.keys(entry.transform.values)) {
      if (!known.has(value)) {
        problems.push(
          `${at}: ${field.name} has no picklist value ${JSON.stringify(value)} (it has ${[...known].slice(0, 20).join(', ')})`,
        );
      }
    }
  }
  if (entry.writable && dotted) {
    problems.push(`${at}: ${entry.native} is read through a relationship, so the entry cannot be writable`);
  } else if (entry.writable && field.readOnly) {
    problems.push(`${at}: ${field.name} is read-only in the CRM, so the entry cannot be writable`);
  }
  return problems;
}
