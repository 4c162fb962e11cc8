import { CrmValidationError } from '../../errors';
import { CRM } from './hubspot.constants';

/**
 * Opaque cursors: base64url JSON with a version, so a cursor from another connector or an older
 * release is refused with a clear error instead of being misread.
 */

export function encodeCursor(state: object): string {
  return Buffer.from(JSON.stringify({ v: 1, ...state }), 'utf8').toString('base64url');
}

export function decodeCursor<T extends object>(
  cursor: string,
  check: (o: Record<string, unknown>) => boolean,
): T {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const o = parsed as Record<string, unknown> | undefined;
  if (!o || typeof o !== 'object' || o.v !== 1 || !check(o)) {
    throw new CrmValidationError(`not a ${CRM} cursor: ${JSON.stringify(cursor.slice(0, 40))}`, { crm: CRM });
  }
  return o as T;
}
