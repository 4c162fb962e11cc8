import crypto from 'node:crypto';
import { isJsonObject, webhookJson } from '../webhook-json';
import { type CrmObject, type NativeChange, type WebhookRequest } from '../types';
import { type PipedriveApi } from './api-context';
import { isoTime } from './mappers';
import { STANDARD_FIELDS } from './pipedrive.constants';

/**
 * Pipedrive webhooks v2 (docs/vendors/pipedrive.md "Connector: webhooks"). Pipedrive signs nothing: a
 * webhook registered with `http_auth_user`/`http_auth_password` sends them as Basic auth on every
 * delivery, and that is the proof, compared here with the connection's settings in constant time.
 *
 * A delivery is one event: `meta.action` create/change/delete, `meta.entity` person/deal,
 * `meta.entity_id`, `meta.timestamp`; `data` the record after (null on delete), `previous` the changed
 * fields' old values on a change. Ids arrive as strings or numbers; both are read. A merge deletes the
 * merged-away record (a delete with `merged_to_id`). No record is attached: custom fields arrive by key,
 * and the sync reads the record through the connector, which names them.
 */

const ENTITY_OBJECTS: Readonly<Record<string, CrmObject>> = { person: 'contact', deal: 'deal' };

function digest(s: string): Buffer {
  return crypto.createHash('sha256').update(s, 'utf8').digest();
}

/** Whether `header` is `Basic base64(user:password)` for exactly these credentials, in constant time. */
export function basicAuthMatches(header: string | undefined, user: string, password: string): boolean {
  const given = typeof header === 'string' ? header : '';
  const expected = `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;
  // Hashing first makes both sides one length, so neither the length nor the content leaks timing.
  return crypto.timingSafeEqual(digest(given.trim()), digest(expected));
}

export function verifyWebhook(api: PipedriveApi, req: WebhookRequest): boolean {
  const { webhookUser, webhookPassword } = api.settings;
  if (!webhookUser || !webhookPassword || req.method !== 'POST') return false;
  return basicAuthMatches(req.headers.authorization, webhookUser, webhookPassword);
}

/** An id as text: digits only, from a string or a number. */
function idText(value: unknown): string | null {
  const s = typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : value;
  return typeof s === 'string' && /^[1-9][0-9]{0,15}$/.test(s) ? s : null;
}

const KINDS: Readonly<Record<string, NativeChange['kind']>> = {
  create: 'UPSERTED',
  change: 'UPSERTED',
  delete: 'DELETED',
};

export function parseWebhook(_api: PipedriveApi, req: WebhookRequest): NativeChange[] {
  const body = webhookJson(req.rawBody);
  if (!isJsonObject(body) || !isJsonObject(body.meta)) return [];
  const meta = body.meta;
  const object = typeof meta.entity === 'string' ? ENTITY_OBJECTS[meta.entity] : undefined;
  const kind = typeof meta.action === 'string' ? KINDS[meta.action] : undefined;
  const data = isJsonObject(body.data) ? body.data : undefined;
  const remoteId = idText(meta.entity_id) ?? idText(data?.id);
  if (!object || !kind || !remoteId) return [];
  const occurredAt = isoTime(meta.timestamp) ?? req.receivedAt.toISOString();
  const change: NativeChange = { object, remoteId, kind, occurredAt };
  if (typeof meta.id === 'string' && meta.id !== '') change.eventId = meta.id;
  // A deal "deleted" by a change to status deleted is a deletion too.
  if (kind === 'UPSERTED' && (data?.is_deleted === true || data?.status === 'deleted'))
    change.kind = 'DELETED';
  const previous = isJsonObject(body.previous) ? body.previous : undefined;
  if (meta.action === 'change' && previous && !('custom_fields' in previous)) {
    const known = new Set(STANDARD_FIELDS[object]);
    const changed = Object.keys(previous).flatMap((k) =>
      k === 'emails' ? ['email', 'emails'] : k === 'phones' ? ['phone', 'phones'] : [k],
    );
    change.changedFields = changed.filter((k) => known.has(k));
  }
  return [change];
}
