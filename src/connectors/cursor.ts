/**
 * Connector cursors: where a connector's listing or change feed resumes, as base64url JSON with a
 * format version. They never reach a client as they are — the read layer seals every cursor it hands
 * out (`reads/list-cursor.ts`) — so one that fails to decode here was not issued by this connector
 * (a bug, or a stored sync cursor of an older format): an internal error, not the caller's.
 */

const VERSION = 1;

export class ConnectorCursorError extends Error {
  override readonly name = 'ConnectorCursorError';
}

export function encodeConnectorCursor(state: object): string {
  return Buffer.from(JSON.stringify({ v: VERSION, ...state }), 'utf8').toString('base64url');
}

/** The state of a cursor `check` accepts; a {@link ConnectorCursorError} for anything else. */
export function decodeConnectorCursor<T extends object>(
  crm: string,
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
  if (!o || typeof o !== 'object' || o.v !== VERSION || !check(o)) {
    throw new ConnectorCursorError(
      `not a ${crm} cursor this connector issued: ${JSON.stringify(cursor.slice(0, 40))}`,
    );
  }
  return o as T;
}
