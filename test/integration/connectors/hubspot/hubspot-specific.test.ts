import http from 'node:http';
import { type AddressInfo } from 'node:net';
import { type CrmConnector, type NativeChange, type WebhookRequest } from '../../../../src/connectors/types';
import { DEMO } from '../../../../src/sandbox/hubspot';
import { type HubSpotSandboxHandle, startHubSpotConformance } from './hubspot.target';

/**
 * What only HubSpot has: the 10,000-results-per-query search cap (met with records sharing one
 * timestamp), search's eventual consistency, and signed app webhooks routed by portal id.
 */

let sb: HubSpotSandboxHandle | undefined;
afterEach(async () => {
  await sb?.close();
  sb = undefined;
});

async function walk(connector: CrmConnector, since: Date, pageSize = 200): Promise<NativeChange[]> {
  const out: NativeChange[] = [];
  let cursor: string | null = null;
  for (let pages = 0; pages < 1000; pages += 1) {
    const page = await connector.listChanges('contact', { since, cursor, pageSize });
    out.push(...page.items);
    cursor = page.nextCursor;
    if (!cursor) return out;
  }
  throw new Error('listChanges did not end within 1000 pages');
}

describe('HubSpot changes through search', () => {
  it('gets past the 10,000-result cap when 10,050 records share one timestamp, each exactly once', async () => {
    sb = await startHubSpotConformance({ contact: 20, deal: 5 });
    const at = sb.now() - 20_000;
    const ids = sb.createAt(
      'contact',
      Array.from({ length: 10_050 }, (_, i) => ({ email: `cap${i}@search.test` })),
      at,
    );
    sb.clearLog();
    const changes = await walk(sb.connector('background'), new Date(at - 1));
    const upserted = changes.filter((c) => c.kind === 'UPSERTED').map((c) => c.remoteId);
    expect(upserted.length).toBe(new Set(upserted).size);
    const got = new Set(upserted);
    expect(ids.filter((id) => !got.has(id))).toEqual([]);
    expect(sb.log().filter((e) => e.status >= 400)).toEqual([]);
    // 10,050 records at 200 a page: ⌈10,050 / 200⌉ searches, plus one that finds the end.
    expect(sb.calls(/^POST \/crm\/v3\/objects\/.*\/search$/)).toBeLessThanOrEqual(
      Math.ceil(upserted.length / 200) + 1,
    );
    await new Promise((r) => setTimeout(r, 1200));
    // The cap is real: offset paging of this very window is refused at result 10,000.
    const offset = await fetch(`${sb.live.baseUrl}/crm/v3/objects/contacts/search`, {
      method: 'POST',
      headers: { authorization: `Bearer ${DEMO.privateAppToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        filterGroups: [
          { filters: [{ propertyName: 'lastmodifieddate', operator: 'EQ', value: String(at) }] },
        ],
        limit: 200,
        after: '9900',
      }),
    });
    expect(offset.status).toBe(400);
  }, 60_000);

  it('tolerates index lag: a change not yet searchable is found by the next poll through the overlap', async () => {
    sb = await startHubSpotConformance({ contact: 30, deal: 5 });
    await sb.setFaults({ indexLagMs: 1500 });
    const [id] = sb.liveIds('contact');
    sb.server.org('default').state.store.update('contacts', id as string, { jobtitle: 'Lagging' }, 'CRM_UI');
    const changedAt = sb.now();
    await new Promise((r) => setTimeout(r, 20));

    const firstPoll = new Date();
    const first = await walk(sb.connector('background'), new Date(changedAt - 1000));
    expect(first.map((c) => c.remoteId)).not.toContain(id);

    await new Promise((r) => setTimeout(r, 1600));
    // The caller's next poll starts where the last one started; the change happened before that.
    expect(changedAt).toBeLessThan(firstPoll.getTime() + 1);
    const withoutOverlap = await walk(sb.connectorWith('background', { searchOverlapMs: 0 }), firstPoll);
    expect(withoutOverlap.map((c) => c.remoteId)).not.toContain(id);
    const second = await walk(sb.connector('background'), firstPoll);
    const found = second.find((c) => c.remoteId === id);
    expect(found?.record?.fields.jobtitle).toBe('Lagging');
  });
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
        received.flatMap((req) => connector.parseWebhookEvents(req)).every((e) => e.object === 'contact'),
      ).toBe(true);
    } finally {
      await new Promise((resolve) => receiver.close(resolve));
    }
  });
});
