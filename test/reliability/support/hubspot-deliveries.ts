import { hubspotWebhookHeaders } from '../../support/webhook-events';
import { type Fleet } from './fleet';

/**
 * Signed HubSpot webhook deliveries to a fleet's gateways, as the scenarios that send them (the storm,
 * the soak) build them: the connection's app secret and the one URL HubSpot was told to call (the load
 * balancer's, the same whichever gateway answers).
 */
const SECRET = 'fleet-app-client-secret';
const WEBHOOK_URL = 'https://gateway.fleet.example/webhooks/hubspot';

export interface Delivery {
  body: string;
  /** `good`: signed right; `forged`: the wrong secret; `tampered`: signed, then an event changed. */
  kind: 'good' | 'forged' | 'tampered';
}

/** Gives HubSpot connection `connectionId` the webhook secret and URL deliveries are signed with; its portal id. */
export async function acceptHubspotWebhooks(fleet: Fleet, connectionId: string): Promise<number> {
  const connections = fleet.stack.ctx.store.connections;
  const connection = await connections.getById(connectionId);
  await connections.update(connectionId, {
    settings: { ...connection.settings, webhookClientSecret: SECRET, webhookUrl: WEBHOOK_URL },
  });
  return Number(connection.externalAccountId);
}

/** Sends one delivery to `gatewayUrl`: its status and answer. */
export async function sendHubspotDelivery(
  gatewayUrl: string,
  delivery: Delivery,
): Promise<{ status: number; json: Record<string, number> }> {
  const secret = delivery.kind === 'forged' ? 'not-the-app-secret' : SECRET;
  const headers = hubspotWebhookHeaders(delivery.body, WEBHOOK_URL, secret);
  // Tampered: the signature is of the body as sent by HubSpot; an attacker changed an object id since.
  const body =
    delivery.kind === 'tampered'
      ? delivery.body.replace(/"objectId":(\d+)/, '"objectId":9$1')
      : delivery.body;
  const res = await fetch(`${gatewayUrl}/webhooks/hubspot`, { method: 'POST', headers, body });
  const text = await res.text();
  return { status: res.status, json: (text ? JSON.parse(text) : {}) as Record<string, number> };
}
