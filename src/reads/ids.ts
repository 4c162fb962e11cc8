import { type CrmObject } from '../connectors/types';
import { BadUserInputError } from '../errors';

/**
 * Opaque record ids: base64url of `<object>:<connectionId>:<remoteId>`. Stable (a function of the
 * three), self-describing enough that `contact(id:)` needs no lookup table, and typed, so a deal id
 * passed to `contact(id:)` is rejected instead of read as a contact. Clients must not parse them.
 */

const OBJECT_TAGS: Readonly<Record<CrmObject, string>> = { contact: 'contact', deal: 'deal' };

export interface RecordRef {
  object: CrmObject;
  connectionId: string;
  remoteId: string;
}

export function encodeRecordId(ref: RecordRef): string {
  return Buffer.from(`${OBJECT_TAGS[ref.object]}:${ref.connectionId}:${ref.remoteId}`, 'utf8').toString(
    'base64url',
  );
}

/** Decodes an id of `expected`; BAD_USER_INPUT saying what arrived when it is not one. */
export function decodeRecordId(id: string, expected: CrmObject): RecordRef {
  const text = /^[A-Za-z0-9_-]{1,400}$/.test(id) ? Buffer.from(id, 'base64url').toString('utf8') : '';
  const first = text.indexOf(':');
  const second = first < 0 ? -1 : text.indexOf(':', first + 1);
  const object = text.slice(0, first);
  if (first < 0 || second < 0 || object !== OBJECT_TAGS[expected] || second === text.length - 1) {
    throw new BadUserInputError(
      `expected a ${expected} id as returned by this API; got ${JSON.stringify(id.slice(0, 80))}` +
        (object === 'contact' || object === 'deal' ? ` (a ${object} id)` : ''),
    );
  }
  return {
    object: expected,
    connectionId: text.slice(first + 1, second),
    remoteId: text.slice(second + 1),
  };
}
