import { pipedrive as definition } from '../../../../src/connectors/pipedrive';
import { basicAuthMatches } from '../../../../src/connectors/pipedrive/webhooks';
import { type WebhookRequest } from '../../../../src/connectors/types';
import { pipedrive } from './pd-context';

/** Webhooks v2 with Basic auth (docs/vendors/pipedrive.md "Connector: webhooks"). */

const SETTINGS = { webhookUser: 'hook', webhookPassword: 's3cret:with:colons' };
const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

function delivery(body: unknown, authorization?: string): WebhookRequest {
  return {
    method: 'POST',
    url: 'https://gw.example/webhooks/pipedrive',
    headers: authorization ? { authorization } : {},
    rawBody: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)),
    receivedAt: new Date('2026-03-10T12:00:00Z'),
  };
}

const event = (meta: Record<string, unknown>, data: unknown = null, previous: unknown = null) => ({
  meta: {
    action: 'change',
    entity: 'deal',
    company_id: '12882925',
    entity_id: '1',
    id: 'a1a1a1a1-0000-4000-8000-000000000001',
    timestamp: '2026-03-10T11:59:58.123Z',
    version: '2.0',
    attempt: 1,
    ...meta,
  },
  data,
  previous,
});

describe('verifyWebhook', () => {
  it('accepts exactly the registered Basic-auth credentials', () => {
    const { connector } = pipedrive({ settings: SETTINGS });
    expect(connector.verifyWebhook(delivery(event({}), basic('hook', 's3cret:with:colons')))).toBe(true);
    expect(connector.verifyWebhook(delivery(event({}), basic('hook', 's3cret:with:colon')))).toBe(false);
    expect(connector.verifyWebhook(delivery(event({}), basic('Hook', 's3cret:with:colons')))).toBe(false);
    expect(connector.verifyWebhook(delivery(event({}), 'Bearer x'))).toBe(false);
    expect(connector.verifyWebhook(delivery(event({})))).toBe(false);
  });

  it('refuses every delivery when the connection has no credentials', () => {
    const { connector } = pipedrive();
    expect(connector.verifyWebhook(delivery(event({}), basic('', '')))).toBe(false);
    expect(basicAuthMatches(undefined, 'a', 'b')).toBe(false);
  });
});

describe('parseWebhook', () => {
  it('reads a change with its changed standard fields, ids as strings or numbers', () => {
    const { connector } = pipedrive();
    const changes = connector.parseWebhook(
      delivery(event({ entity_id: 1 }, { id: 1, title: 'x', status: 'open' }, { title: 'old', value: 5 })),
    );
    expect(changes).toEqual([
      {
        object: 'deal',
        remoteId: '1',
        kind: 'UPSERTED',
        occurredAt: '2026-03-10T11:59:58.123Z',
        eventId: 'a1a1a1a1-0000-4000-8000-000000000001',
        changedFields: ['title', 'value'],
      },
    ]);
  });

  it('reads a person delete (data null) as DELETED, and names no fields when custom ones changed', () => {
    const { connector } = pipedrive();
    expect(
      connector.parseWebhook(delivery(event({ action: 'delete', entity: 'person', entity_id: '42' }))),
    ).toMatchObject([{ object: 'contact', remoteId: '42', kind: 'DELETED' }]);
    const [change] = connector.parseWebhook(
      delivery(event({ entity: 'person' }, { id: 1 }, { emails: [], custom_fields: { abc: 1 } })),
    );
    expect(change.changedFields).toBeUndefined();
  });

  it('finds no events in hostile bodies', () => {
    const { connector } = pipedrive();
    for (const body of [
      'not json',
      '[]',
      { meta: null },
      event({ entity: 'organization' }),
      event({ action: 'merge' }),
      event({ entity_id: '1; DROP' }),
      event({ entity_id: '__proto__' }),
      event({ entity_id: -3 }),
    ]) {
      expect(connector.parseWebhook(delivery(body))).toEqual([]);
    }
  });
});

describe('webhook deliveries', () => {
  it('names the company and a dedupe key that a retry repeats', () => {
    const first = definition.webhooks?.eventsOf(Buffer.from(JSON.stringify(event({ attempt: 1 }))));
    const retry = definition.webhooks?.eventsOf(
      Buffer.from(JSON.stringify(event({ attempt: 2, company_id: 12882925 }))),
    );
    const other = definition.webhooks?.eventsOf(
      Buffer.from(JSON.stringify(event({ timestamp: '2026-03-10T12:00:00.000Z' }))),
    );
    expect(first?.[0].accountId).toBe('12882925');
    expect(retry?.[0].dedupeKey).toBe(first?.[0].dedupeKey);
    expect(other?.[0].dedupeKey).not.toBe(first?.[0].dedupeKey);
    expect(definition.webhooks?.eventsOf(Buffer.from('{"x":1}'))).toBeNull();
  });
});
