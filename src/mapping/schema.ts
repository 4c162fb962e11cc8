import { z } from 'zod';
import { BadUserInputError } from '../errors';
import { type FieldMappingOverride } from './mapper';

/** Validates per-connection overrides before they are stored (operator input, so messages matter). */

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
    values: z.record(z.string(), z.string()),
    unknown: z.enum(['passthrough', 'null']),
  }),
  z.object({ kind: z.literal('multi'), separator: z.string().min(1).max(3) }),
  z.object({ kind: z.literal('lookup'), table: z.string().min(1), missing: z.enum(['passthrough', 'null']) }),
  z.object({
    kind: z.literal('status_from_flags'),
    closedField: z.string().min(1),
    wonField: z.string().min(1),
  }),
]);

const canonicalName = z.string().regex(/^(?:[a-zA-Z][a-zA-Z0-9]*|customFields\.[A-Za-z0-9_]+)$/, {
  message: 'expected a canonical field name or customFields.<key>',
});

const entrySchema = z.object({
  canonical: canonicalName,
  native: z
    .string()
    .regex(/^[A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*$/, { message: 'expected a native field name' }),
  transform: transformSchema,
  source: z.enum(['CRM', 'APP']),
  writable: z.boolean(),
  optional: z.boolean().optional(),
});

const removalSchema = z.object({ canonical: canonicalName, remove: z.literal(true) });

/** Parses overrides or throws BAD_USER_INPUT naming each bad entry by index and path. */
export function parseOverrides(input: unknown): FieldMappingOverride[] {
  if (!Array.isArray(input) || input.length > 500) {
    throw new BadUserInputError(
      `invalid field mapping: expected a list of at most 500 overrides, got ${JSON.stringify(input)?.slice(0, 80)}`,
    );
  }
  const lines: string[] = [];
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
