import { zoho } from '../../../../src/connectors/zoho';
import { type WebhookRequest } from '../../../../src/connectors/types';
import { zohoUnit } from './zoho-context';

/** Notifications verified by their token and parsed with their module (docs/vendors/zoho.md "Connector: notifications"). */

const TOKEN = '20099887766.s3cr3t-abcdef';

function delivery(body: Record<string, unknown>): WebhookRequest {
  return {
    method: 'POST',
    url: 'https://gw.example/webhooks/zoho',
    headers: { 'content-type': 'application/json' },
    rawBody: Buffer.from(JSON.stringify(body)),
    receivedAt: new Date('2026-03-10T12:00:00Z'),
  };
}

const callback = (extra: Record<string, unknown> = {}) => ({
  server_time: 1773144000123,
  query_params: {},
  module: 'Contacts',
  resource_uri: 'https://www.zohoapis.eu/crm/v8/Contacts',
  ids: ['4150868000000376008', '4150868000000376009'],
  affected_fields: [{ '4150868000000376008': ['Email', 'Phone'] }],
  operation: 'update',
  channel_id: '1000000068001',
  token: TOKEN,
  ...extra,
});

describe('notifications', () => {
  it('verifies the echoed channel token, in constant time, and nothing else', () => {
    const { connector } = zohoUnit({ settings: { notificationToken: TOKEN } });
    expect(connector.verifyWebhook(delivery(callback()))).toBe(true);
    expect(connector.verifyWebhook(delivery(callback({ token: `${TOKEN}x` })))).toBe(false);
    expect(connector.verifyWebhook(delivery(callback({ token: undefined })))).toBe(false);
    expect(zohoUnit().connector.verifyWebhook(delivery(callback()))).toBe(false);
  });

  it('parses one change per id with the module as object, and the changed fields where given', () => {
    const { connector } = zohoUnit({ settings: { notificationToken: TOKEN } });
    expect(connector.parseWebhook(delivery(callback()))).toEqual([
      {
        object: 'contact',
        remoteId: '4150868000000376008',
        kind: 'UPSERTED',
        occurredAt: '2026-03-10T12:00:00.123Z',
        changedFields: ['Email', 'Phone'],
      },
      {
        object: 'contact',
        remoteId: '4150868000000376009',
        kind: 'UPSERTED',
        occurredAt: '2026-03-10T12:00:00.123Z',
      },
    ]);
    expect(
      connector.parseWebhook(
        delivery(callback({ module: 'Deals', operation: 'delete', ids: ['7', '../x'] })),
      ),
    ).toEqual([{ object: 'deal', remoteId: '7', kind: 'DELETED', occurredAt: '2026-03-10T12:00:00.123Z' }]);
    expect(connector.parseWebhook(delivery(callback({ module: 'Leads' })))).toEqual([]);
  });

  it('routes a delivery by the org its token names, deduplicated across resends', () => {
    const raw = Buffer.from(JSON.stringify(callback()));
    const [event] = zoho.webhooks!.eventsOf(raw)!;
    expect(event).toMatchObject({ accountId: '20099887766', rawBody: raw });
    expect(zoho.webhooks!.eventsOf(Buffer.from(JSON.stringify(callback())))![0]!.dedupeKey).toBe(
      event!.dedupeKey,
    );
    expect(
      zoho.webhooks!.eventsOf(Buffer.from(JSON.stringify(callback({ ids: ['1'] }))))![0]!.dedupeKey,
    ).not.toBe(event!.dedupeKey);
    expect(zoho.webhooks!.eventsOf(Buffer.from('not json'))).toBeNull();
    expect(
      zoho.webhooks!.eventsOf(Buffer.from(JSON.stringify(callback({ token: 'nodot' }))))![0]!.accountId,
    ).toBeNull();
  });
});
