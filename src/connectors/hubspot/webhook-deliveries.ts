import { isJsonObject, webhookJson } from '../webhook-json';
import { type WebhookDeliveries, type WebhookEventRef } from '../definition';

/**
 * HubSpot's app webhooks as the webhook route sees them before it knows whose they are
 * (docs/vendors/hubspot.md "Webhooks" and "Webhook dedupe key"): a delivery is a JSON array of events
 * of any installing portal; each event names its portal (`portalId`).
 */

/** A key part: the value as sent, or empty when the event lacks it (a malformed event still dedupes). */
function part(value: unknown): string {
  return typeof value === 'string' || typeof value === 'number' ? String(value) : '';
}

/**
 * The dedupe key of one event: `<subscriptionId>:<eventId>:<objectId>:<occurredAt>`.
 *
 * Why not `eventId` alone: HubSpot documents it as not guaranteed unique, and one change matched by
 * several subscriptions (a property change watched twice, a creation and a property change) arrives
 * as one event per subscription under one `eventId`. `subscriptionId` tells those apart; the object
 * and the time keep two events apart even if a subscription ever repeated an id. A redelivery repeats
 * every one of these fields (only `attemptNumber` grows), so it maps to the same key. The portal is
 * not in the key: a receipt's key is already per connection, and a connection has one portal.
 */
export function hubspotDedupeKey(event: Readonly<Record<string, unknown>>): string {
  return [event.subscriptionId, event.eventId, event.objectId, event.occurredAt].map(part).join(':');
}

export const hubspotWebhookDeliveries: WebhookDeliveries = {
  eventsOf(rawBody: Buffer): WebhookEventRef[] | null {
    const parsed = webhookJson(rawBody);
    if (!Array.isArray(parsed)) return null;
    const refs: WebhookEventRef[] = [];
    for (const event of parsed as unknown[]) {
      if (!isJsonObject(event)) continue;
      const fields = event;
      const portal = part(fields.portalId);
      refs.push({
        accountId: portal === '' ? null : portal,
        dedupeKey: hubspotDedupeKey(fields),
        rawBody: Buffer.from(JSON.stringify([event])),
      });
    }
    return refs;
  },
};
