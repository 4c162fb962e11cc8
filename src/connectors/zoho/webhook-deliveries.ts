import crypto from 'node:crypto';
import { isJsonObject, webhookJson } from '../webhook-json';
import { type WebhookDeliveries, type WebhookEventRef } from '../definition';
import { orgOfToken } from './webhooks';

/**
 * Zoho notifications as the route sees them before it knows whose they are
 * (docs/vendors/zoho.md "Connector: notifications"): one callback is one event. A callback names no org, so the connector's
 * channel token carries it (`<org id>.<secret>`, `webhooks.ts`); the token is verified afterwards by
 * the connections of that org. The dedupe key is the channel, module, operation, Zoho's millisecond
 * `server_time` and a digest of the ids: a resend repeats them all; two events differ in one.
 */
export const zohoWebhookDeliveries: WebhookDeliveries = {
  eventsOf(rawBody: Buffer): WebhookEventRef[] | null {
    const body = webhookJson(rawBody);
    if (!isJsonObject(body) || typeof body.module !== 'string' || typeof body.operation !== 'string')
      return null;
    const ids = Array.isArray(body.ids) ? body.ids.map(String).join(',') : '';
    const digest = crypto.createHash('sha256').update(ids).digest('base64url').slice(0, 16);
    const part = (v: unknown) => (typeof v === 'string' || typeof v === 'number' ? String(v) : '');
    return [
      {
        accountId: orgOfToken(body.token),
        dedupeKey: [body.channel_id, body.module, body.operation, body.server_time]
          .map(part)
          .concat(digest)
          .join(':'),
        rawBody,
      },
    ];
  },
};
