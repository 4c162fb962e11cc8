import crypto from 'node:crypto';
import { type NotificationChannel, type NotificationsRequest } from '../types';
import { type ZohoApi } from './api-context';
import { ENDPOINT } from './declaration';
import { classOfCode, refusedWriteItems } from './errors';
import { orgOf } from './org';
import { zohoRequest } from './request';
import { CRM, MODULES, PATHS } from './zoho.constants';
import { type ZohoResultItem } from './wire.types';

/**
 * The connection's watch channel (docs/vendors/zoho.md "Connector: notifications"): one channel of both
 * modules' events, delivering to the gateway's webhook route with the token `<org id>.<secret>` that
 * `webhooks.ts` verifies. Subscribed with `POST /actions/watch`; renewed with `PATCH` carrying a new
 * `channel_expiry` (and the URL and token again, so a moved PUBLIC_URL follows); a renewal Zoho refuses
 * for the channel (lapsed, disabled) subscribes it anew.
 */

/** Every create, edit and delete of the modules the connector maps. */
const EVENTS = Object.values(MODULES).map((module) => `${module}.all`);

/**
 * The lifetime asked for: one day, the longest the current docs allow, less ten minutes so that a Zoho
 * clock a little behind ours does not find the expiry past its limit.
 */
export const CHANNEL_LIFETIME_MS = 24 * 3600_000 - 10 * 60_000;

/**
 * The connection's channel id: Zoho takes a number of the subscriber's choosing, unique in the org. 48
 * bits of a digest of the connection id — the same for every subscription of the connection, so a
 * re-subscription replaces its own channel, and distinct between the connections one org may have.
 */
export function channelIdOf(connectionId: string): string {
  const hex = crypto.createHash('sha256').update(connectionId).digest('hex').slice(0, 12);
  return String(Number.parseInt(hex, 16));
}

/** A new channel token: the org id (the route's routing key) and 24 random URL-safe characters (≤ 50 in all). */
function newToken(orgId: string): string {
  return `${orgId}.${crypto.randomBytes(18).toString('base64url')}`;
}

/** An ISO datetime to the second with an offset, Zoho's form. */
function zohoTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, '+00:00');
}

interface WatchItem {
  channel_id: string;
  events: string[];
  notify_url: string;
  token: string;
  channel_expiry: string;
}

/** The channel's outcome of one watch call: its item, whether Zoho answered 2xx or refused it whole. */
async function watch(api: ZohoApi, method: 'POST' | 'PATCH', item: WatchItem): Promise<ZohoResultItem> {
  try {
    const res = await zohoRequest<{ watch: ZohoResultItem[] }>(api, ENDPOINT.write, {
      method,
      url: PATHS.watch,
      json: { watch: [item] },
      // Subscribing or renewing the same channel twice leaves one channel.
      idempotent: true,
    });
    return res.watch?.[0] ?? {};
  } catch (err) {
    const items = refusedWriteItems(err);
    if (items) return items[0] ?? {};
    throw err;
  }
}

const succeeded = (item: ZohoResultItem): boolean => item.code === 'SUCCESS' || item.status === 'success';

function refusal(item: ZohoResultItem): Error {
  const field = typeof item.details?.api_name === 'string' ? ` on ${item.details.api_name}` : '';
  const ErrorClass = classOfCode(item.code, 400);
  return new ErrorClass(
    `${CRM} refused the notification channel: ${item.code ?? 'error'}${field}: ${(item.message ?? '').slice(0, 200)}`,
    { crm: CRM, status: 400, vendorCode: item.code },
  );
}

/** The earliest `channel_expiry` the answer names (one per module), else what was asked for. */
function expiryOf(item: ZohoResultItem, asked: number): Date {
  const events = item.details?.events;
  const times = (Array.isArray(events) ? events : [])
    .map((e) => Date.parse(String((e as { channel_expiry?: unknown } | null)?.channel_expiry ?? '')))
    .filter((t) => Number.isFinite(t));
  return new Date(times.length > 0 ? Math.min(...times) : asked);
}

export async function ensureNotifications(
  api: ZohoApi,
  request: NotificationsRequest,
): Promise<NotificationChannel> {
  const stored = api.settings.notificationToken;
  const token = stored ?? newToken((await orgOf(api)).id);
  const asked = request.now.getTime() + CHANNEL_LIFETIME_MS;
  const item: WatchItem = {
    channel_id: request.current?.channelId ?? channelIdOf(api.connectionId),
    events: EVENTS,
    notify_url: request.callbackUrl,
    token,
    channel_expiry: zohoTime(asked),
  };
  let outcome = request.current ? await watch(api, 'PATCH', item) : null;
  if (!outcome || !succeeded(outcome)) {
    if (outcome)
      api.logger.info({ code: outcome.code }, 'Zoho CRM refused the channel renewal; subscribing anew');
    outcome = await watch(api, 'POST', item);
  }
  if (!succeeded(outcome)) throw refusal(outcome);
  return {
    channelId: item.channel_id,
    expiresAt: expiryOf(outcome, asked),
    ...(stored ? {} : { settings: { notificationToken: token } }),
  };
}
