import http from 'node:http';
import { type AddressInfo } from 'node:net';
import { webApiRequest } from '../../../../src/connectors/dynamics/webapi';
import { type WebhookRequest } from '../../../../src/connectors/types';
import { within } from '../../../support/within';
import { type DynamicsHarness, startHarness } from './harness';

/** A local receiver keeping each delivery as the webhook route would hand it to a connector. */
async function receiver(): Promise<{ url: string; received: WebhookRequest[]; close(): Promise<void> }> {
  const received: WebhookRequest[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const { port } = server.address() as AddressInfo;
      received.push({
        method: req.method ?? 'POST',
        url: `http://127.0.0.1:${port}${req.url ?? '/'}`,
        headers: req.headers as Record<string, string>,
        rawBody: Buffer.concat(chunks),
        receivedAt: new Date(),
      });
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhooks/dynamics`,
    received,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

describe('Dynamics webhooks from the Dataverse sandbox', () => {
  let h: DynamicsHarness;
  beforeAll(async () => {
    h = await startHarness({ contact: 4, opportunity: 2, account: 1 }, { webhookRetryDelayMs: 10 });
  });
  afterAll(() => h.close());

  it('verifies a delivery by its WebhookKey and parses Update and Delete into changes', async () => {
    const hook = await receiver();
    try {
      const api = h.api();
      const endpoint = await webApiRequest<{ serviceendpointid: string }>(api, {
        method: 'POST',
        resource: 'serviceendpoints',
        json: {
          name: 'gateway',
          url: hook.url,
          contract: 8,
          messageformat: 2,
          authtype: 4,
          authvalue: 'key-123',
        },
        prefer: ['return=representation'],
      });
      for (const messagename of ['Update', 'Delete']) {
        await webApiRequest(api, {
          method: 'POST',
          resource: 'sdkmessageprocessingsteps',
          json: {
            name: `gateway ${messagename}`,
            stage: 40,
            mode: 1,
            messagename,
            primaryobjecttypecode: 'contact',
            'eventhandler_serviceendpoint@odata.bind': `/serviceendpoints(${endpoint.body.serviceendpointid})`,
          },
        });
      }
      const connector = h.connector({ webhookKey: 'key-123' });
      const [first, second] = [...h.server.org().state.store.table('contact').keys()].map((id) =>
        id.toLowerCase(),
      );
      const written = await connector.upsertRecords('contact', [
        { ref: 'u', remoteId: first, fields: { jobtitle: 'Hooked' } },
      ]);
      expect(written[0].ok).toBe(true);
      await connector.deleteRecords('contact', [second]);
      await within(3000, async () => {
        expect(hook.received).toHaveLength(2);
      });
      for (const delivery of hook.received) expect(connector.verifyWebhook(delivery)).toBe(true);
      expect(h.connector({ webhookKey: 'other' }).verifyWebhook(hook.received[0])).toBe(false);
      expect(h.connector().verifyWebhook(hook.received[0])).toBe(false);
      const [updated] = connector.parseWebhook(hook.received[0]);
      expect(updated).toMatchObject({ object: 'contact', remoteId: first, kind: 'UPSERTED' });
      expect(updated.changedFields).toContain('jobtitle');
      expect(Date.parse(updated.occurredAt)).not.toBeNaN();
      expect(connector.parseWebhook(hook.received[1])).toEqual([
        expect.objectContaining({ object: 'contact', remoteId: second, kind: 'DELETED' }),
      ]);
    } finally {
      await hook.close();
    }
  });
});
