/**
 * SOQL literals. Every value that reaches a query string goes through one of these, so no input can
 * change the query's shape.
 */

/** A quoted string literal: backslash escapes as SOQL defines them. */
export function soqlString(value: string): string {
  const escaped = value
    .replace(/\\/g, '\\\\')
    .replace(/'/g, "\\'")
    .replace(/\n/g, '\\n')
    .replace(/\r/g, '\\r')
    .replace(/\t/g, '\\t');
  return `'${escaped}'`;
}

/** Record ids are 15 or 18 alphanumerics; anything else is refused before it is quoted. */
const RECORD_ID = /^[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?$/;

export function isRecordId(value: string): boolean {
  return RECORD_ID.test(value);
}

/** `('id1','id2')` for `Id IN …`. */
export function soqlIdList(ids: readonly string[]): string {
  return `(${ids.map(soqlString).join(',')})`;
}

/**
 * A datetime literal in UTC. Salesforce stores datetimes to the second, so its own timestamps are
 * written without a fraction (the documented literal form). A fraction is kept only when the value has
 * one — never for Salesforce's timestamps; a simulator that keeps milliseconds gets them back exactly,
 * which the keyset tie-break of `changes.ts` needs.
 */
export function soqlDateTime(at: Date): string {
  const iso = at.toISOString();
  return at.getUTCMilliseconds() === 0 ? iso.replace(/\.000Z$/, 'Z') : iso;
}

/** Salesforce's `2024-05-20T20:49:32.000+0000` → a Date (JS parses `+0000` only with a colon). */
export function parseSalesforceDateTime(value: string): Date {
  const normalized = value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
  const at = new Date(normalized);
  if (Number.isNaN(at.getTime())) throw new Error(`not a Salesforce datetime: ${JSON.stringify(value)}`);
  return at;
}
