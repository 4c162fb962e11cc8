// Change tracking (docs/vendors/dynamics.md "Change tracking"): a `Prefer: odata.track-changes` list
// ends with an `@odata.deltaLink`; following it lists the rows created or updated since (newest
// state), then `$deletedEntity` rows last. Tokens read `<version>!<MM/dd/yyyy HH:mm:ss>` like
// Dataverse's and expire after the org's ExpireChangeTrackingInDays (7 by default, a setting).
import { badRequest, DV_CODES, DvError } from './errors';
import { type EntityDef } from './schema';
import { type DvRecord, type DvStore } from './store';

/** Query options Dataverse refuses with track-changes ("Change tracking"). */
const UNSUPPORTED_WITH_TRACKING = ['$filter', '$orderby', '$expand', '$top'];

export function refuseUnsupportedOptions(present: Set<string>): void {
  for (const option of UNSUPPORTED_WITH_TRACKING) {
    if (present.has(option))
      throw badRequest(`The "${option}" query parameter isn't supported when Change Tracking is enabled.`);
  }
}

export function requireTracking(entity: EntityDef): void {
  if (!entity.changeTracking)
    throw badRequest(`Entity '${entity.logicalName}' is not enabled for change tracking.`);
}

const pad = (n: number): string => String(n).padStart(2, '0');

export function encodeDeltaToken(version: number, issuedAt: number): string {
  const d = new Date(issuedAt);
  const stamp = `${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())}/${d.getUTCFullYear()} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  return `${version}!${stamp}`;
}

export function decodeDeltaToken(token: string): { version: number; issuedAt: number } {
  const m = /^(\d+)!(\d{2})\/(\d{2})\/(\d{4}) (\d{2}):(\d{2}):(\d{2})$/.exec(token);
  if (!m) throw badRequest(`The $deltatoken value is not valid: '${token.slice(0, 200)}'.`);
  const [, version, month, day, year, h, min, s] = m.map(Number);
  return { version, issuedAt: Date.UTC(year, month - 1, day, h, min, s) };
}

export function checkNotExpired(issuedAt: number, now: number, expiryDays: number): void {
  if (now - issuedAt > expiryDays * 24 * 3600_000)
    throw new DvError(
      400,
      DV_CODES.expiredVersionStamp,
      'Version stamp associated with the client has expired. Please perform a full sync.',
    );
}

export type DeltaRow = { kind: 'row'; record: DvRecord } | { kind: 'deleted'; id: string };

/** Changes in (since, upTo]: new and updated rows by version, then deletions. */
export function deltaRows(store: DvStore, entity: EntityDef, since: number, upTo: number): DeltaRow[] {
  const rows = [...store.table(entity.logicalName).values()]
    .filter((r) => r.version > since && r.version <= upTo)
    .sort((a, b) => a.version - b.version)
    .map((record): DeltaRow => ({ kind: 'row', record }));
  const deleted = store
    .deletedSince(entity.logicalName, since)
    .filter((d) => d.version <= upTo)
    .map((d): DeltaRow => ({ kind: 'deleted', id: d.id }));
  return [...rows, ...deleted];
}
