import { type CrmObject } from '../../connectors/types';
import { BadUserInputError } from '../../errors';
import { type CanonicalValue } from '../../mapping/types';
import { type CanonicalPatch } from '../../writes/write-operation.types';
import { type WriteItem } from '../../writes/write-service.types';
import { WRITE_BOUNDS } from './write.inputs';

/**
 * GraphQL write inputs → the write service's items (src/writes/write-service.types.ts). Pure: what
 * the service validates against the connection (mapping, source of truth, ids) is not repeated here;
 * this layer says only what the GraphQL shape cannot (id and externalId together, a custom field
 * value that is not a canonical value, two different idempotency keys).
 */

/** A contact or deal input as type-graphql hands it over (absent fields undefined, sent nulls null). */
export type RecordInput = { customFields?: Record<string, unknown> | null } & Record<string, unknown>;

/**
 * One entry of `details.problems`: `<where>: <what is wrong there>`, e.g. `items[3].input.customFields.x: …`
 * — the form the write service's own problems take (src/writes/write-validation.ts).
 */
export type WriteProblem = string;

/**
 * Only the fields the client sent: an absent field is untouched, an explicit null clears it. A
 * `customFields: null` writes no custom field (clear one with `{"name": null}`).
 */
export function toCanonicalPatch(input: RecordInput, path: string, problems: WriteProblem[]): CanonicalPatch {
  const fields: Record<string, CanonicalValue> = {};
  for (const [name, value] of Object.entries(input)) {
    if (name === 'customFields' || value === undefined) continue;
    fields[name] = value as CanonicalValue;
  }
  const customFields: Record<string, CanonicalValue> = {};
  for (const [name, value] of Object.entries(input.customFields ?? {})) {
    if (isCanonicalValue(value)) customFields[name] = value;
    else
      problems.push(
        `${path}.customFields.${name.slice(0, 100)}: a custom field value must be a string, a number, a boolean, null or a list of strings`,
      );
  }
  return { fields, customFields };
}

function isCanonicalValue(value: unknown): value is CanonicalValue {
  if (value === null) return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (typeof value === 'string' || typeof value === 'boolean') return true;
  return Array.isArray(value) && value.every((v) => typeof v === 'string');
}

export interface ListItemInput {
  id?: string | null;
  externalId?: { field: string; value: string } | null;
  input: RecordInput;
}

/** `upsertContacts`/`upsertDeals`: id → UPDATE, externalId → UPSERT, neither → CREATE. */
export function listWriteItems(
  object: CrmObject,
  connectionId: string,
  items: readonly ListItemInput[],
): WriteItem[] {
  const problems: WriteProblem[] = [];
  const out = items.map((item, i): WriteItem => {
    const path = `items[${i}]`;
    const input = toCanonicalPatch(item.input, `${path}.input`, problems);
    if (item.id != null && item.externalId != null) {
      problems.push(`${path}: give id (an update) or externalId (an upsert), not both; neither is a create`);
    }
    if (item.id != null) return { kind: 'UPDATE', object, connectionId, id: item.id, input };
    if (item.externalId != null) {
      const externalId = { field: item.externalId.field, value: item.externalId.value };
      return { kind: 'UPSERT', object, connectionId, externalId, input };
    }
    return { kind: 'CREATE', object, connectionId, input };
  });
  throwProblems(problems);
  return out;
}

/** BAD_USER_INPUT naming each problem, with them as `details.problems`; nothing when there are none. */
export function throwProblems(problems: readonly WriteProblem[]): void {
  if (problems.length === 0) return;
  const shown = problems.slice(0, 5);
  const more =
    problems.length > shown.length ? ` (and ${problems.length - shown.length} more in details.problems)` : '';
  throw new BadUserInputError(`cannot accept these writes: ${shown.join('; ')}${more}`, {
    details: { problems: [...problems] },
  });
}

/**
 * The key of a write request: the `idempotencyKey` argument or the `Idempotency-Key` header. Both
 * given with different values is BAD_USER_INPUT (which one the client meant is not ours to guess).
 */
export function resolveIdempotencyKey(
  header: string | null,
  argument: string | null | undefined,
): string | null {
  const arg = argument ?? null;
  if (header !== null) checkKey(header, 'the Idempotency-Key header');
  if (arg !== null) checkKey(arg, 'idempotencyKey');
  if (header !== null && arg !== null && header !== arg) {
    throw new BadUserInputError(
      'the Idempotency-Key header and the idempotencyKey argument differ; send one, or the same value in both',
      {
        details: {
          problems: ['idempotencyKey: differs from the Idempotency-Key header'],
        },
      },
    );
  }
  return arg ?? header;
}

function checkKey(key: string, name: string): void {
  // Printable ASCII only: a key travels in an HTTP header, and a control character in one is a mistake.
  if (key.length === 0 || key.length > WRITE_BOUNDS.idempotencyKey || !/^[\x20-\x7e]+$/.test(key)) {
    throw new BadUserInputError(
      `${name} must be 1 to ${WRITE_BOUNDS.idempotencyKey} printable ASCII characters; got ` +
        (key.length === 0 ? 'an empty string' : `${key.length} characters`),
    );
  }
}
