import { sameSecret } from '../secret-equals';
import { isJsonObject, webhookJson } from '../webhook-json';
import { type CrmObject, type NativeChange, type WebhookRequest } from '../types';
import { type ZohoApi } from './api-context';
import { isRecordId } from './request';
import { MODULES } from './zoho.constants';

/**
 * Notifications (docs/vendors/zoho.md "Connector: notifications"). Zoho signs nothing: a channel is
 * subscribed with a `token` (≤ 50 characters) that every callback echoes, and that is the proof,
 * compared with the connection's `notificationToken` in constant time. The connector makes the token
 * `<org id>.<secret>`, so the route can tell whose a delivery is before it trusts it
 * (`webhook-deliveries.ts`).
 *
 * A callback names the module, the `operation` (insert, update, delete), the affected record `ids` and,
 * for an update with `return_affected_field_values`, the changed fields per record. No record is
 * attached: the sync reads the records it needs.
 */

const OBJECTS: Readonly<Record<string, CrmObject>> = Object.fromEntries(
  Object.entries(MODULES).map(([obj, module]) => [module, obj as CrmObject]),
);

const KINDS: Readonly<Record<string, NativeChange['kind']>> = {
  insert: 'UPSERTED',
  update: 'UPSERTED',
  delete: 'DELETED',
};

/** The org a notification token names (`<org id>.<secret>`), or null. */
export function orgOfToken(token: unknown): string | null {
  if (typeof token !== 'string') return null;
  const m = /^([0-9]{1,25})\.[A-Za-z0-9_-]{8,}$/.exec(token);
  return m ? m[1]! : null;
}

export function verifyWebhook(api: ZohoApi, req: WebhookRequest): boolean {
  const expected = api.settings.notificationToken;
  if (!expected || req.method !== 'POST') return false;
  const body = webhookJson(req.rawBody);
  return isJsonObject(body) && sameSecret(body.token, expected);
}

/** Changed field names per record id, from `affected_fields` (`[{"<id>": ["Field", …]}]`). */
function affectedFields(value: unknown): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const entry of Array.isArray(value) ? value : []) {
    if (!isJsonObject(entry)) continue;
    for (const [id, fields] of Object.entries(entry))
      if (Array.isArray(fields))
        out.set(
          id,
          fields.filter((f): f is string => typeof f === 'string'),
        );
  }
  return out;
}

export function parseWebhook(_api: ZohoApi, req: WebhookRequest): NativeChange[] {
  const body = webhookJson(req.rawBody);
  if (!isJsonObject(body)) return [];
  const object = typeof body.module === 'string' ? OBJECTS[body.module] : undefined;
  const kind = typeof body.operation === 'string' ? KINDS[body.operation] : undefined;
  if (!object || !kind || !Array.isArray(body.ids)) return [];
  const at =
    typeof body.server_time === 'number' && Number.isFinite(body.server_time)
      ? new Date(body.server_time).toISOString()
      : req.receivedAt.toISOString();
  const fields = kind === 'UPSERTED' ? affectedFields(body.affected_fields) : new Map<string, string[]>();
  const changes: NativeChange[] = [];
  for (const raw of body.ids) {
    const id = typeof raw === 'number' ? String(raw) : raw;
    if (typeof id !== 'string' || !isRecordId(id)) continue;
    const change: NativeChange = { object, remoteId: id, kind, occurredAt: at };
    const changed = fields.get(id);
    if (changed) change.changedFields = changed;
    changes.push(change);
  }
  return changes;
}
