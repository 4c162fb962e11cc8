import http from 'node:http';
import { type AddressInfo } from 'node:net';
import { type WebhookRequest } from '../../../src/connectors/types';
import { DEMO } from '../../../src/sandbox/hubspot';
import { type HubSpotSandboxHandle, startHubSpotConformance } from './hubspot.target';

/**
 * HubSpot's signed app webhooks (v3), end to end: the sandbox delivers, the connector verifies on the
 * raw body and parses for this portal. (The search cap and index lag are in conformance.test.ts.)
 */

let sb: HubSpotSandboxHandle | undefined;
afterEach(async () => {
  await sb?.close();
  sb = undefined;
});

describe('HubSpot webhooks', () => {
  it('verifies the sandbox’s signed v3 deliveries on the raw body and parses them for this portal', async () => {
    const received: WebhookRequest[] = [];
    const receiver = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
        // The gateway sits behind a proxy: the URL it sees is not the one HubSpot signed.
        received.push({
          method: req.method ?? 'POST',
          url: `http://internal.invalid${req.url ?? ''}`,
          headers,
          rawBody: Buffer.concat(chunks),
          receivedAt: new Date(),
        });
        res.statusCode = 204;
        res.end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    try {
      const publicUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/webhooks/hubspot?app=1`;
      sb = await startHubSpotConformance(
        { contact: 10, deal: 5 },
        { webhookRetryDelayMs: () => 20, webhookBatchWindowMs: 20 },
      );
      const admin = async (method: string, path: string, body: unknown) => {
        const res = await fetch(`${sb!.live.baseUrl}${path}`, {
          method,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
        expect(res.status).toBeLessThan(300);
      };
      await admin('PUT', `/webhooks/v3/${DEMO.appId}/settings?hapikey=${DEMO.developerApiKey}`, {
        targetUrl: publicUrl,
        throttling: { period: 'SECONDLY', maxConcurrentRequests: 10 },
      });
      for (const eventType of ['contact.creation', 'contact.deletion']) {
        await admin('POST', `/webhooks/v3/${DEMO.appId}/subscriptions?hapikey=${DEMO.developerApiKey}`, {
          eventType,
          active: true,
        });
      }
      const connector = sb.connectorWith('interactive', {
        webhookClientSecret: DEMO.clientSecret,
        webhookUrl: publicUrl,
      });
      const [created] = await connector.upsertRecords('contact', [
        { ref: 'w', fields: { email: 'hooked@webhook.test', firstname: 'Hook' } },
      ]);
      const remoteId = created?.ok ? created.remoteId : '';
      await connector.deleteRecords('contact', [remoteId]);
      await admin('POST', '/__sandbox/orgs/default/webhooks/flush', {});

      expect(received.length).toBeGreaterThan(0);
      for (const req of received) expect(connector.verifyWebhook(req)).toBe(true);
      const changes = received
        .flatMap((req) => connector.parseWebhook(req))
        .filter((c) => c.remoteId === remoteId);
      // HubSpot may deliver an event more than once (and reuses eventIds across subscriptions).
      expect([...new Set(changes.map((c) => c.kind))].sort()).toEqual(['DELETED', 'UPSERTED']);

      // Tampering with one byte of the body breaks the signature.
      const first = received[0] as WebhookRequest;
      const tampered = Buffer.from(first.rawBody);
      tampered[tampered.length - 2] = tampered[tampered.length - 2] === 0x30 ? 0x31 : 0x30;
      expect(connector.verifyWebhook({ ...first, rawBody: tampered })).toBe(false);
      expect(
        received.flatMap((req) => connector.parseWebhook(req)).every((c) => c.object === 'contact'),
      ).toBe(true);
    } finally {
      await new Promise((resolve) => receiver.close(resolve));
    }
  });
});
