import { z } from 'zod';
import { BadUserInputError } from '../errors';
import { type FieldMappingOverride } from './mapper';

/** Validates per-connection overrides before they are stored (operator input, so messages matter). */

/**
 * Keys that reach an object's prototype when assigned (`obj["__proto__"] = …`): as a custom field key
 * the value would vanish silently into the prototype of `customFields`, or worse, change it. Refused
 * wherever they appear in an override, as a key or as a segment of a name.
 */
export const RESERVED_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** Longest canonical and native names accepted: far beyond any vendor's API names (40–80 characters). */
const MAX_NAME_LENGTH = 255;
/** Entries of one picklist table: a CRM picklist holds at most 1,000 values. */
const MAX_PICKLIST_VALUES = 1000;
/** Most overrides per object. */
const MAX_OVERRIDES = 500;

const transformSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('string'), maxLength: z.number().int().positive().optional() }),
  z.object({ kind: z.literal('number'), integer: z.boolean().optional() }),
  z.object({ kind: z.literal('decimal'), native: z.enum(['number', 'string']) }),
  z.object({
    kind: z.literal('percent'),
    nativeScale: z.union([z.literal(1), z.literal(100)]),
    native: z.enum(['number', 'string']),
  }),
  z.object({ kind: z.literal('date'), native: z.enum(['date', 'datetime', 'epoch_ms']) }),
  z.object({ kind: z.literal('datetime'), native: z.enum(['iso', 'epoch_ms']) }),
  z.object({ kind: z.literal('boolean'), native: z.enum(['boolean', 'string']) }),
  z.object({
    kind: z.literal('picklist'),
    values: z
      .record(z.string().max(MAX_NAME_LENGTH), z.string().max(MAX_NAME_LENGTH))
      .refine((v) => Object.keys(v).length <= MAX_PICKLIST_VALUES, {
        message: `expected at most ${MAX_PICKLIST_VALUES} picklist values`,
      }),
    unknown: z.enum(['passthrough', 'null']),
  }),
  z.object({ kind: z.literal('multi'), separator: z.string().min(1).max(3) }),
  z.object({
    kind: z.literal('lookup'),
    table: z.string().min(1).max(MAX_NAME_LENGTH),
    missing: z.enum(['passthrough', 'null']),
  }),
  z.object({
    kind: z.literal('status_from_flags'),
    closedField: z.string().min(1).max(MAX_NAME_LENGTH),
    wonField: z.string().min(1).max(MAX_NAME_LENGTH),
  }),
]);

const hasReservedSegment = (name: string): boolean => name.split('.').some((p) => RESERVED_KEYS.has(p));
const notReserved = {
  message: `expected a name without ${[...RESERVED_KEYS].join(', ')} (they reach the prototype of an object)`,
};

const canonicalName = z
  .string()
  .max(MAX_NAME_LENGTH)
  .regex(/^(?:[a-zA-Z][a-zA-Z0-9]*|customFields\.[A-Za-z0-9_]+)$/, {
    message: 'expected a canonical field name or customFields.<key>',
  })
  .refine((name) => !hasReservedSegment(name), notReserved);

const entrySchema = z.object({
  canonical: canonicalName,
  native: z
    .string()
    .max(MAX_NAME_LENGTH)
    .regex(/^[A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*$/, { message: 'expected a native field name' })
    .refine((name) => !hasReservedSegment(name), notReserved),
  transform: transformSchema,
  source: z.enum(['CRM', 'APP']),
  writable: z.boolean(),
  optional: z.boolean().optional(),
});

const removalSchema = z.object({ canonical: canonicalName, remove: z.literal(true) });

/** Parses overrides or throws BAD_USER_INPUT naming each bad entry by index and path. */
export function parseOverrides(input: unknown): FieldMappingOverride[] {
  if (!Array.isArray(input) || input.length > MAX_OVERRIDES) {
    throw new BadUserInputError(
      `invalid field mapping: expected a list of at most ${MAX_OVERRIDES} overrides, got ${describeInput(input)}`,
    );
  }
  const lines: string[] = reservedKeyPaths(input).map(
    (path) =>
      `overrides.${path}: the key ${JSON.stringify(path.split('.').pop())} is not allowed (it reaches the prototype of an object)`,
  );
  const out: FieldMappingOverride[] = [];
  input.forEach((item: unknown, index) => {
    // Decide the shape first, so errors speak about the shape the operator meant (a union would only say "invalid").
    const isRemoval = typeof item === 'object' && item !== null && 'remove' in item;
    const parsed = (isRemoval ? removalSchema : entrySchema).safeParse(item);
    if (parsed.success) out.push(parsed.data as FieldMappingOverride);
    else
      for (const i of parsed.error.issues)
        lines.push(`overrides.${[index, ...i.path].join('.')}: ${i.message}`);
  });
  if (lines.length > 0) throw new BadUserInputError(`invalid field mapping: ${lines.join('; ')}`);
  return out;
}

function describeInput(input: unknown): string {
  if (Array.isArray(input)) return `a list of ${input.length}`;
  return input === null ? 'null' : `a ${typeof input}`;
}

/**
 * Where a reserved key is an own key of any object in `value`, as dotted paths ("0.transform.values.__proto__").
 * JSON.parse makes `"__proto__"` an own key, which zod's object parsing would otherwise drop silently.
 */
export function reservedKeyPaths(value: unknown, path: string[] = [], depth = 0): string[] {
  if (value === null || typeof value !== 'object' || depth > 8) return [];
  const out: string[] = [];
  for (const key of Object.keys(value)) {
    const at = [...path, key];
    if (RESERVED_KEYS.has(key)) out.push(at.join('.'));
    out.push(...reservedKeyPaths((value as Record<string, unknown>)[key], at, depth + 1));
  }
  return out;
}
