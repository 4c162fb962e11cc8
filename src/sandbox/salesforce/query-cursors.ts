import { randomBytes } from 'node:crypto';
import { SfHttpError } from './errors';
import { type SfOrg } from './context';
import { KEY_PREFIX } from './ids';
import { type QueryCursor } from './state';
import { type SfRecord } from './values';

/**
 * Server-side query cursors behind `nextRecordsUrl` locators (docs/vendors/salesforce.md, "Query
 * cursors"). What Salesforce documents today is the default: a cursor lives two days from its query,
 * any number may be open, and a locator may be read again. The rules before API v56.0 (15 minutes
 * idle, 10 per user with the oldest released, each locator used once) and what the docs leave open
 * (dropping a cursor once its last batch is served) are org settings, off by default.
 *
 * A refused locator is 400 `INVALID_QUERY_LOCATOR` whose message leads with the extended code: the
 * REST body has no documented field for it (UNVERIFIED), the SOAP fault has `ExtendedErrorCode`.
 */

export type ExtendedLocatorCode =
  'INVALID_QUERY_LOCATOR_FORMAT' | 'QUERY_LOCATOR_EXPIRED' | 'LOCATOR_LOCATION_EXCEEDS_SIZE';

export function invalidLocator(extended: ExtendedLocatorCode): SfHttpError {
  return new SfHttpError(400, {
    errorCode: 'INVALID_QUERY_LOCATOR',
    message: `${extended}: invalid query locator`,
  });
}

/** Opens a cursor over `rows` for `userId`; returns its id. */
export function openCursor(org: SfOrg, userId: string, rows: SfRecord[], totalSize: number): string {
  pruneCursors(org);
  const { maxOpenQueryCursorsPerUser: max } = org.state.settings;
  if (max !== null) {
    const mine = [...org.state.cursors].filter(([, c]) => c.userId === userId);
    // The oldest are released to make room (pre-v56.0 rule).
    mine.sort(([, a], [, b]) => a.createdAt - b.createdAt);
    for (const [id] of mine.slice(0, Math.max(0, mine.length - max + 1))) org.state.cursors.delete(id);
  }
  const id = `${KEY_PREFIX.QueryLocator}${randomBytes(9).toString('base64url').replace(/[-_]/g, 'x').slice(0, 12)}`;
  const now = org.now();
  org.state.cursors.set(id, { rows, totalSize, userId, createdAt: now, lastUsed: now, read: new Set() });
  return id;
}

/** The cursor and position a locator (`<cursor id>-<position>`) names, or the documented refusal. */
export function readLocator(
  org: SfOrg,
  locator: string,
): { id: string; cursor: QueryCursor; position: number } {
  pruneCursors(org);
  const m = /^([A-Za-z0-9]{6,24})-(\d{1,9})$/.exec(locator);
  if (!m) throw invalidLocator('INVALID_QUERY_LOCATOR_FORMAT');
  const id = m[1]!;
  const position = Number(m[2]);
  const cursor = org.state.cursors.get(id);
  // Expired, released, dropped or never issued: Salesforce cannot tell those apart either.
  if (!cursor) throw invalidLocator('QUERY_LOCATOR_EXPIRED');
  if (position > cursor.rows.length) throw invalidLocator('LOCATOR_LOCATION_EXCEEDS_SIZE');
  if (org.state.settings.singleUseQueryLocators && cursor.read.has(position)) {
    throw invalidLocator('QUERY_LOCATOR_EXPIRED');
  }
  cursor.read.add(position);
  cursor.lastUsed = org.now();
  return { id, cursor, position };
}

/** After a batch is served: a cursor whose last batch went out is dropped where the org says so. */
export function batchServed(org: SfOrg, id: string, done: boolean): void {
  if (done && org.state.settings.dropFinishedQueryCursors) org.state.cursors.delete(id);
}

function pruneCursors(org: SfOrg): void {
  const { queryCursorLifetimeMs: lifetime, queryCursorIdleMs: idle } = org.state.settings;
  const now = org.now();
  for (const [id, c] of org.state.cursors) {
    if (now - c.createdAt > lifetime || (idle !== null && now - c.lastUsed > idle)) {
      org.state.cursors.delete(id);
    }
  }
}
