// Addressing one row (docs/vendors/dynamics.md "Rows and keys"): `contacts(<guid>)`,
// `contacts(contactid=<guid>)`, or an alternate key `contacts(emailaddress1='a@b.com')`, possibly
// multi-part. Key columns that are not a declared alternate key are the documented 400.
import { badRequest } from './errors';
import { type EntityDef } from './schema';

export type RowKey =
  { kind: 'id'; id: string } | { kind: 'alternate'; values: Record<string, string | number> };

const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

export function isGuid(text: string): boolean {
  return GUID.test(text);
}

/** Splits `a='x,y',b=2` on the commas outside quotes. */
function splitKeyParts(text: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === "'") {
      if (quoted && text[i + 1] === "'") {
        current += "''";
        i++;
        continue;
      }
      quoted = !quoted;
    }
    if (ch === ',' && !quoted) {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  parts.push(current);
  return parts;
}

function literal(text: string): string | number {
  const t = text.trim();
  if (t.startsWith("'") && t.endsWith("'") && t.length >= 2) return t.slice(1, -1).replace(/''/g, "'");
  if (isGuid(t)) return t.toLowerCase();
  const n = Number(t);
  if (t !== '' && !Number.isNaN(n)) return n;
  throw badRequest(`Bad Request - Error in query syntax: the key value '${t}' is not a valid literal.`);
}

function invalidKey(entity: EntityDef): Error {
  const type = `Microsoft.Dynamics.CRM.${entity.logicalName}`;
  return badRequest(
    `The key in the request URI is not valid for resource '${type}'. Ensure that the names and number of key properties match the declared or alternate key properties for the resource '${type}'.`,
  );
}

/** Parses the text between the parentheses of an entity segment (already percent-decoded). */
export function parseRowKey(entity: EntityDef, text: string): RowKey {
  const trimmed = text.trim();
  if (isGuid(trimmed)) return { kind: 'id', id: trimmed.toLowerCase() };
  const values: Record<string, string | number> = {};
  for (const part of splitKeyParts(trimmed)) {
    const eq = part.indexOf('=');
    if (eq < 1) throw invalidKey(entity);
    values[part.slice(0, eq).trim()] = literal(part.slice(eq + 1));
  }
  const names = Object.keys(values);
  if (names.length === 1 && names[0] === entity.primaryId) {
    const id = String(values[entity.primaryId]);
    if (!isGuid(id)) throw invalidKey(entity);
    return { kind: 'id', id: id.toLowerCase() };
  }
  const declared = entity.keys.some(
    (k) => k.attributes.length === names.length && k.attributes.every((a) => names.includes(a)),
  );
  if (!declared) throw invalidKey(entity);
  return { kind: 'alternate', values };
}

/** How a key reads in messages and entity ids: `<guid>` or `emailaddress1='a@b.com'`. */
export function keyText(key: RowKey): string {
  if (key.kind === 'id') return key.id;
  return Object.entries(key.values)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? `'${v.replace(/'/g, "''")}'` : String(v)}`)
    .join(',');
}
