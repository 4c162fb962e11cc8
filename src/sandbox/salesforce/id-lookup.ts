import { idKey as key15, to18 } from './ids';
import { SCHEMA } from './schema';

/** Which object an id belongs to, by its key prefix. */
export function objectForIdPrefix(id: string): string | undefined {
  const prefix = id.slice(0, 3);
  for (const o of SCHEMA.values()) if (o.keyPrefix === prefix) return o.name;
  return undefined;
}

/** Validated, normalised (18-character) id, or null. */
export function idKey(text: string): string | null {
  const k = key15(text);
  return k === null ? null : to18(k);
}
