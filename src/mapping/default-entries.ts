import { type FieldMappingEntry, type Transform } from './types';

/**
 * Builders of the entries CRMs' default mappings are made of (`src/connectors/<crm>/default-mapping.ts`):
 * a field the app writes, and a field the CRM alone sets.
 */

/** A field the app sets through writes, with its transform (plain text by default). */
export function appField(
  canonical: string,
  native: string,
  transform: Transform = { kind: 'string' },
): FieldMappingEntry {
  return { canonical, native, transform, source: 'APP', writable: true };
}

/** A field the CRM sets (a stamp, an owner, a derived value): read, never written. */
export function crmField(
  canonical: string,
  native: string,
  transform: Transform = { kind: 'string' },
): FieldMappingEntry {
  return { canonical, native, transform, source: 'CRM', writable: false };
}
