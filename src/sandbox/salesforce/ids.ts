/**
 * Salesforce record ids: 15 case-sensitive characters (3-character key prefix + 12), or 18 with a
 * 3-character case-insensitive checksum suffix. We issue 18 and accept both.
 */
const SUFFIX_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** Key prefixes of the objects we serve. OpportunityContactRole's `00K` is UNVERIFIED (docs/vendors/salesforce.md "Standard objects"). */
export const KEY_PREFIX = {
  Account: '001',
  Contact: '003',
  User: '005',
  Opportunity: '006',
  OpportunityContactRole: '00K',
  Organization: '00D',
  QueryLocator: '01g',
  Job: '750',
} as const;

export function checksumSuffix(id15: string): string {
  let out = '';
  for (let chunk = 0; chunk < 3; chunk++) {
    let bits = 0;
    for (let i = 0; i < 5; i++) {
      const c = id15.charCodeAt(chunk * 5 + i);
      if (c >= 65 && c <= 90) bits |= 1 << i;
    }
    out += SUFFIX_CHARS[bits];
  }
  return out;
}

/** An 18-character id from a prefix and a number; `pod` keeps orgs' ids apart. */
export function makeId(prefix: string, n: number, pod = 'RO'): string {
  let body = '';
  let v = n;
  for (let i = 0; i < 7; i++) {
    body = BASE62[v % 62] + body;
    v = Math.floor(v / 62);
  }
  const id15 = `${prefix}${pod}${'0'.repeat(Math.max(0, 12 - pod.length - 7))}${body}`.slice(0, 15);
  return id15 + checksumSuffix(id15);
}

const ID_RE = /^[a-zA-Z0-9]{15}(?:[a-zA-Z0-5]{3})?$/;

/** The 15-character key we store by, or null when the text cannot be an id. */
export function idKey(text: string): string | null {
  if (!ID_RE.test(text)) return null;
  return text.slice(0, 15);
}

/** The 18-character form of a stored key. */
export function to18(key: string): string {
  return key.length === 18 ? key : key + checksumSuffix(key);
}
