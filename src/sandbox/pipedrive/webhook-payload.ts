// Webhook bodies (docs/vendors/pipedrive.md "Webhooks"): v2 `{meta, data, previous}` with `data` null
// on delete and `previous` holding only the changed fields on change; the legacy v1 body
// `{v, meta, current, previous, event, retry}` with v1-shaped records. `meta.attempt` / `retry` are
// set per delivery attempt by the transport.
import crypto from 'node:crypto';
import { renderV1, renderV2 } from './render';
import { type ChangeAction, type CompanyStore, type StoreChange } from './store';

export interface HookView {
  id: number;
  userId: number;
  version: '1.0' | '2.0';
}

const V1_ACTIONS: Record<ChangeAction, string> = { create: 'added', change: 'updated', delete: 'deleted' };

/** Fields whose value differs between two renderings; custom fields compared key by key. */
function changedFields(
  before: Record<string, unknown>,
  after: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(before)) {
    if (key === 'custom_fields') {
      const b = value as Record<string, unknown>;
      const a = after.custom_fields as Record<string, unknown>;
      const custom = Object.fromEntries(
        Object.entries(b).filter(([k, v]) => JSON.stringify(v) !== JSON.stringify(a[k])),
      );
      if (Object.keys(custom).length > 0) out.custom_fields = custom;
    } else if (key !== 'update_time' && JSON.stringify(value) !== JSON.stringify(after[key]))
      out[key] = value;
  }
  return out;
}

export function payloadV2(
  store: CompanyStore,
  domain: string,
  change: StoreChange,
  hook: HookView,
  now: number,
): Record<string, unknown> {
  const current = renderV2(store, change.record);
  const previous = change.previous ? renderV2(store, change.previous) : null;
  return {
    meta: {
      action: change.action,
      entity: change.record.object,
      company_id: String(store.companyId),
      correlation_id: crypto.randomUUID(),
      entity_id: String(change.record.id),
      id: crypto.randomUUID(),
      is_bulk_edit: false,
      timestamp: new Date(now).toISOString(),
      type: 'general',
      user_id: String(change.userId),
      version: '2.0',
      webhook_id: String(hook.id),
      webhook_owner_id: String(hook.userId),
      change_source: change.source,
      attempt: 1,
      host: `${domain}.pipedrive.com`,
      permitted_user_ids: store.users.map((u) => String(u.id)),
      ...(change.mergedToId !== undefined ? { merged_to_id: String(change.mergedToId) } : {}),
      ...(change.mergedFromId !== undefined ? { merged_from_id: String(change.mergedFromId) } : {}),
    },
    data: change.action === 'delete' ? null : current,
    previous:
      change.action === 'create' || !previous
        ? null
        : change.action === 'delete'
          ? previous
          : changedFields(previous, current),
  };
}

export function payloadV1(
  store: CompanyStore,
  domain: string,
  change: StoreChange,
  hook: HookView,
  now: number,
): Record<string, unknown> {
  const action = change.mergedToId !== undefined ? 'merged' : V1_ACTIONS[change.action];
  const object = change.record.object;
  const meta = {
    v: 1,
    action,
    object,
    change_source: change.source,
    id: change.record.id,
    company_id: store.companyId,
    user_id: change.userId,
    host: `${domain}.pipedrive.com`,
    timestamp: Math.floor(now / 1000),
    timestamp_micro: now * 1000,
    permitted_user_ids: store.users.map((u) => u.id),
    trans_pending: false,
    is_bulk_update: false,
    pipedrive_service_name: false,
    matches_filters: { current: [] },
    webhook_id: String(hook.id),
    ...(change.mergedToId !== undefined ? { merged_to_id: change.mergedToId } : {}),
  };
  return {
    v: 1,
    matches_filters: { current: [] },
    meta,
    retry: 0,
    current: change.action === 'delete' ? null : renderV1(store, change.record),
    previous: change.previous ? renderV1(store, change.previous) : null,
    event: `${action}.${object}`,
  };
}
