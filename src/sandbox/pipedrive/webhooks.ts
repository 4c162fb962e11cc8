// Webhook subscriptions through `/v1/webhooks` (list, create, delete) and the store listener that
// turns each change into one payload per matching, unbanned webhook (docs/vendors/pipedrive.md "Webhooks").
import { type FastifyInstance } from 'fastify';
import { WEBHOOK } from './constants';
import { badRequest, notFound } from './errors';
import { apiRoute } from './http';
import { v1Time } from './render';
import { type PipedriveOrg, type PipedriveServer } from './state';
import { type StoreChange } from './store';
import { payloadV1, payloadV2 } from './webhook-payload';
import { type WebhookRow } from './webhook-registry';

const ACTIONS = ['create', 'change', 'delete', '*'];
const OBJECTS = [
  'activity',
  'deal',
  'lead',
  'note',
  'organization',
  'person',
  'pipeline',
  'product',
  'stage',
  'user',
  '*',
];

function matches(row: WebhookRow, change: StoreChange): boolean {
  return (
    (row.event_action === '*' || row.event_action === change.action) &&
    (row.event_object === '*' || row.event_object === change.record.object)
  );
}

/** The store listener: one event per matching webhook; a banned webhook loses its events. */
export function raiseWebhooks(org: PipedriveOrg, change: StoreChange): void {
  const now = org.now();
  for (const entry of org.state.webhooks.entries()) {
    if (!matches(entry.row, change) || entry.bannedUntil > now) continue;
    const view = { id: entry.row.id, userId: entry.row.user_id, version: entry.row.version };
    const build = entry.row.version === '2.0' ? payloadV2 : payloadV1;
    entry.dispatcher.enqueue({
      version: entry.row.version,
      payload: build(org.state.store, org.state.companyDomain, change, view, now),
    });
  }
}

function text(body: Record<string, unknown>, name: string, required: boolean): string | null {
  const v = body[name];
  if (v === undefined || v === null || v === '') {
    if (required) throw badRequest(`${name} is required`);
    return null;
  }
  if (typeof v !== 'string') throw badRequest(`${name}: expected a string, got ${JSON.stringify(v)}`);
  return v;
}

function createRow(org: PipedriveOrg, userId: number, raw: unknown): Omit<WebhookRow, 'id'> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw badRequest('The body must be a JSON or form object');
  const body = raw as Record<string, unknown>;
  const url = text(body, 'subscription_url', true) as string;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw badRequest(`subscription_url: expected an absolute http(s) URL, got ${JSON.stringify(url)}`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    throw badRequest('subscription_url: expected an http(s) URL');
  const action = text(body, 'event_action', true) as string;
  const object = text(body, 'event_object', true) as string;
  if (!ACTIONS.includes(action))
    throw badRequest(`event_action: expected one of ${ACTIONS.join(', ')}, got ${JSON.stringify(action)}`);
  if (!OBJECTS.includes(object))
    throw badRequest(`event_object: expected one of ${OBJECTS.join(', ')}, got ${JSON.stringify(object)}`);
  const version = text(body, 'version', false) ?? '2.0';
  if (version !== '1.0' && version !== '2.0')
    throw badRequest(`version: expected 1.0 or 2.0, got ${JSON.stringify(version)}`);
  const owned = [...org.state.webhooks.hooks.values()].filter((e) => e.row.user_id === userId).length;
  if (owned >= WEBHOOK.maxPerUser) throw badRequest(`A user can have at most ${WEBHOOK.maxPerUser} webhooks`);
  return {
    company_id: org.state.companyId,
    owner_id: userId,
    user_id: userId,
    event_action: action,
    event_object: object,
    subscription_url: url,
    version,
    is_active: 1,
    add_time: v1Time(org.now()),
    remove_time: null,
    type: 'general',
    http_auth_user: text(body, 'http_auth_user', false),
    http_auth_password: text(body, 'http_auth_password', false),
    remove_reason: null,
    last_delivery_time: null,
    last_http_status: null,
    admin_id: userId,
    name: text(body, 'name', false) ?? `${object}.${action}`,
  };
}

/** A webhook row as the API shows it: the password is never echoed back. */
function shown(row: WebhookRow): Record<string, unknown> {
  return { ...row, http_auth_password: row.http_auth_password ? '***' : null };
}

export function registerWebhookRoutes(app: FastifyInstance, server: PipedriveServer): void {
  apiRoute(app, server, { method: 'GET', path: '/webhooks', version: 'v1', kind: 'list' }, (ctx) => ({
    data: [...ctx.org.state.webhooks.hooks.values()].map((e) => shown(e.row)),
  }));
  apiRoute(app, server, { method: 'POST', path: '/webhooks', version: 'v1', kind: 'create' }, (ctx) => {
    const entry = ctx.org.state.webhooks.add(createRow(ctx.org, ctx.userId, ctx.body));
    return { status: 201, data: shown(entry.row) };
  });
  apiRoute(app, server, { method: 'DELETE', path: '/webhooks/:id', version: 'v1', kind: 'delete' }, (ctx) => {
    if (!ctx.org.state.webhooks.remove(Number(ctx.params.id))) throw notFound('Webhook');
    return { data: null };
  });
}
