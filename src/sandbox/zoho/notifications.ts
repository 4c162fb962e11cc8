// Notifications (docs/vendors/zoho.md "Notifications"): watch channels subscribed with
// `POST /actions/watch` (events such as `Contacts.create` or `Deals.all`, a `notify_url`, a `token` of
// at most 50 characters echoed on every callback, a `channel_expiry`; 201), listed per channel and module
// (GET, `channel_id`/`module` filters), replaced (PUT), changed in part (PATCH: the renewal) and disabled
// (DELETE ?channel_ids=), each answering one item per channel (per channel and module for DELETE). Each record change on a live channel's events
// POSTs one callback to its URL, through the core delivery queue (retries, drop/duplicate faults).
import { type FastifyInstance } from 'fastify';
import { WebhookDispatcher, type WebhookTransport } from '../core';
import { MODULES, type ModuleName } from './constants';
import { invalidData, recordError, requiredParam, type RecordOutcome } from './errors';
import { apiRoute, type Answer, type CallContext } from './http';
import { zohoTime } from './render';
import { type ZohoOrg, type ZohoServer } from './state';
import { type StoreChange } from './store';
import { originOf } from './urls';

const OPERATIONS = { create: 'insert', edit: 'update', delete: 'delete' } as const;
const EVENT = /^(Contacts|Deals)\.(create|edit|delete|all)$/;

export interface Channel {
  channelId: string;
  events: string[];
  notifyUrl: string;
  token: string | null;
  expiresAt: number;
  returnAffectedFieldValues: boolean;
  /** The API domain the channel was made on (its callbacks name resources there). */
  apiDomain: string;
  dispatcher: WebhookDispatcher<Record<string, unknown>>;
}

/** One callback per request, one at a time per channel (in the order of the changes). */
const transport: WebhookTransport<Record<string, unknown>> = {
  maxBatch: 1,
  concurrency: 1,
  batchWindowMs: 0,
  retries: 2,
  build(events) {
    return { headers: { 'content-type': 'application/json' }, body: JSON.stringify(events[0]) };
  },
};

/** Every watch channel of one org. */
export class WatchChannels {
  readonly channels = new Map<string, Channel>();

  constructor(private readonly org: () => ZohoOrg) {}

  /** Raises the callbacks of one store change on every live channel watching it. */
  raise(change: StoreChange): void {
    const org = this.org();
    const now = org.now();
    const module = change.record.module;
    const op = change.action;
    for (const ch of this.channels.values()) {
      if (ch.expiresAt <= now) continue;
      if (!ch.events.includes(`${module}.${op}`) && !ch.events.includes(`${module}.all`)) continue;
      ch.dispatcher.enqueue({
        server_time: now,
        query_params: {},
        module,
        resource_uri: `${ch.apiDomain}/crm/v8/${module}`,
        ids: [change.record.id],
        affected_fields: op === 'edit' ? [{ [change.record.id]: change.fields }] : [],
        operation: OPERATIONS[op],
        channel_id: ch.channelId,
        token: ch.token,
      });
    }
  }

  async settle(cancel: boolean): Promise<void> {
    await Promise.all(
      [...this.channels.values()].map((c) => (cancel ? c.dispatcher.cancel() : c.dispatcher.idle())),
    );
  }

  /** Waits until every callback raised so far has been delivered (or given up). */
  idle(): Promise<void> {
    return this.settle(false);
  }
}

interface WatchInput {
  channel_id?: unknown;
  events?: unknown;
  notify_url?: unknown;
  token?: unknown;
  channel_expiry?: unknown;
  return_affected_field_values?: unknown;
}

function fail(index: number, code: string, message: string, key: string): RecordOutcome {
  return recordError(code, message, { api_name: key, json_path: `$.watch[${index}].${key}` });
}

/** Checks one watch item; a complete one (subscribe, replace) or a partial one (patch, over `base`). */
function channelOf(
  ctx: CallContext,
  item: WatchInput,
  index: number,
  base?: Channel,
): Channel | RecordOutcome {
  const org = ctx.org;
  const now = org.now();
  const id = item.channel_id;
  if (typeof id !== 'string' && typeof id !== 'number')
    return fail(index, 'MANDATORY_NOT_FOUND', 'required field not found', 'channel_id');
  const events = item.events ?? base?.events;
  if (!Array.isArray(events) || events.length === 0)
    return fail(index, 'MANDATORY_NOT_FOUND', 'required field not found', 'events');
  if (events.some((e) => typeof e !== 'string' || !EVENT.test(e)))
    return fail(index, 'INVALID_DATA', 'invalid data', 'events');
  const url = item.notify_url ?? base?.notifyUrl;
  if (typeof url !== 'string')
    return fail(index, 'MANDATORY_NOT_FOUND', 'required field not found', 'notify_url');
  try {
    new URL(url);
  } catch {
    return fail(index, 'INVALID_DATA', 'invalid data', 'notify_url');
  }
  const token = item.token === undefined ? (base?.token ?? null) : item.token;
  if (token !== null && (typeof token !== 'string' || token.length > 50))
    return fail(index, 'INVALID_DATA', 'invalid data', 'token');
  const settings = org.state.settings;
  let expiresAt = base?.expiresAt ?? now + settings.channelExpiryMs;
  if (item.channel_expiry !== undefined) {
    const at = typeof item.channel_expiry === 'string' ? Date.parse(item.channel_expiry) : NaN;
    if (Number.isNaN(at) || at <= now || at > now + settings.channelMaxExpiryMs)
      return fail(index, 'INVALID_DATA', 'invalid data', 'channel_expiry');
    expiresAt = at;
  } else if (!base) expiresAt = now + settings.channelExpiryMs;
  const dispatcher = base?.dispatcher ?? new WebhookDispatcher(transport, org.faults, () => org.now());
  dispatcher.target = { url };
  return {
    channelId: String(id),
    events: events as string[],
    notifyUrl: url,
    token: token as string | null,
    expiresAt,
    returnAffectedFieldValues:
      typeof item.return_affected_field_values === 'boolean'
        ? item.return_affected_field_values
        : (base?.returnAffectedFieldValues ?? false),
    apiDomain: base?.apiDomain ?? `${originOf(ctx.request)}/dc/${ctx.dc}/api`,
    dispatcher,
  };
}

/** The modules a channel's events name, each with the resource fields Zoho reports for it. */
function resources(ch: Channel): { resource_uri: string; resource_id: string; resource_name: ModuleName }[] {
  return [...new Set(ch.events.map((e) => e.split('.')[0] as ModuleName))].map((module) => ({
    resource_uri: `${ch.apiDomain}/crm/v8/${module}`,
    resource_id: String(MODULES.indexOf(module) + 1),
    resource_name: module,
  }));
}

const MESSAGES = {
  subscribe: 'Successfully subscribed for actions-watch of the given module',
  replace: 'Successfully subscribed for actions-watch of the given module',
  patch: 'Successfully updated the subscribe details',
} as const;

function subscribed(ch: Channel, mode: keyof typeof MESSAGES): RecordOutcome {
  return {
    code: 'SUCCESS',
    details: {
      events: resources(ch).map((r) => ({
        channel_expiry: zohoTime(ch.expiresAt),
        ...r,
        channel_id: ch.channelId,
      })),
    },
    message: MESSAGES[mode],
    status: 'success',
  };
}

/**
 * The channels of a request body: `{"watch": [...]}`. A PATCH may also send one channel's keys bare, as
 * Zoho's OpenAPI file describes it (its docs page and SDK wrap them in `watch`); both are taken.
 */
function itemsOf(body: unknown, mode: 'subscribe' | 'replace' | 'patch'): WatchInput[] {
  const obj = body as { watch?: unknown; channel_id?: unknown } | null;
  if (mode === 'patch' && obj && obj.watch === undefined && obj.channel_id !== undefined) return [obj];
  const watch = obj?.watch;
  if (watch === undefined) throw requiredParam('watch');
  if (!Array.isArray(watch) || watch.length === 0) throw invalidData('invalid data', { param_name: 'watch' });
  return watch as WatchInput[];
}

function write(ctx: CallContext, mode: 'subscribe' | 'replace' | 'patch'): Answer {
  const registry = ctx.org.state.watch;
  const outcomes = itemsOf(ctx.body, mode).map((item, i) => {
    const existing = registry.channels.get(String(item.channel_id));
    if (mode !== 'subscribe' && !existing)
      return fail(i, 'INVALID_DATA', 'the channel is not subscribed', 'channel_id');
    const ch = channelOf(ctx, item, i, mode === 'patch' ? existing : undefined);
    if ('status' in ch) return ch;
    if (existing && existing.dispatcher !== ch.dispatcher) void existing.dispatcher.cancel();
    registry.channels.set(ch.channelId, ch);
    return subscribed(ch, mode);
  });
  const failed = outcomes.filter((o) => o.status === 'error').length;
  // A subscription answers 201 Created; a replace or patch 200.
  const ok = mode === 'subscribe' ? 201 : 200;
  return { status: failed === 0 ? ok : failed === outcomes.length ? 400 : 207, body: { watch: outcomes } };
}

export function registerNotificationRoutes(app: FastifyInstance, server: ZohoServer): void {
  apiRoute(app, server, { method: 'POST', path: '/actions/watch' }, (ctx) => write(ctx, 'subscribe'));
  apiRoute(app, server, { method: 'PUT', path: '/actions/watch' }, (ctx) => write(ctx, 'replace'));
  apiRoute(app, server, { method: 'PATCH', path: '/actions/watch' }, (ctx) => write(ctx, 'patch'));
  // One entry per channel and module, narrowed by `channel_id` and `module`; none live: 204.
  apiRoute(app, server, { method: 'GET', path: '/actions/watch' }, (ctx) => {
    const now = ctx.org.now();
    const { channel_id: channelId, module } = ctx.query;
    const live = [...ctx.org.state.watch.channels.values()].filter(
      (c) => c.expiresAt > now && (!channelId || c.channelId === channelId),
    );
    const entries = live.flatMap((c) =>
      resources(c)
        .filter((r) => !module || r.resource_name === module)
        .map((r) => ({
          notify_on_related_action: false,
          channel_expiry: zohoTime(c.expiresAt),
          return_affected_field_values: c.returnAffectedFieldValues,
          ...r,
          notify_url: c.notifyUrl,
          fields: null,
          notification_condition: null,
          channel_id: c.channelId,
          events: c.events.filter((e) => e.startsWith(`${r.resource_name}.`)),
          token: c.token,
        })),
    );
    if (entries.length === 0) return { status: 204 };
    return {
      body: { watch: entries, info: { per_page: 200, count: entries.length, page: 1, more_records: false } },
    };
  });
  // One item per channel and module disabled; an unknown channel is refused alone.
  apiRoute(app, server, { method: 'DELETE', path: '/actions/watch' }, (ctx) => {
    const raw = ctx.query.channel_ids;
    if (!raw) throw requiredParam('channel_ids');
    const registry = ctx.org.state.watch;
    const outcomes = raw.split(',').flatMap((id): RecordOutcome[] => {
      const ch = registry.channels.get(id);
      if (!ch) return [recordError('INVALID_DATA', 'the channel is not subscribed', { channel_id: id })];
      registry.channels.delete(id);
      void ch.dispatcher.cancel();
      return resources(ch).map((r) => ({
        code: 'SUCCESS',
        details: { resource_uri: r.resource_uri, resource_id: r.resource_id, channel_id: id },
        message: 'Successfully un-subscribed from actions-watch',
        status: 'success',
      }));
    });
    const failed = outcomes.filter((o) => o.status === 'error').length;
    return { status: failed === 0 ? 200 : failed === outcomes.length ? 400 : 207, body: { watch: outcomes } };
  });
}
