import { type WebhookRequest } from '../../../../src/connectors/types';
import { ID, dynamics } from './dyn-context';

/** Deliveries as docs/vendors/dynamics.md "Webhooks" documents them. */

const CONTRACTS = 'http://schemas.microsoft.com/xrm/2011/Contracts';

function delivery(
  body: unknown,
  url = 'https://gw.example/webhooks/dynamics',
  headers: Record<string, string> = {},
): WebhookRequest {
  return {
    method: 'POST',
    url,
    headers,
    rawBody: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)),
    receivedAt: new Date('2026-05-01T00:00:00Z'),
  };
}

const update = {
  MessageName: 'Update',
  PrimaryEntityName: 'opportunity',
  PrimaryEntityId: ID.a.toUpperCase(),
  OperationCreatedOn: '/Date(1714000000000)/',
  OperationId: 'op-1',
  InputParameters: [
    {
      key: 'Target',
      value: {
        __type: `Entity:${CONTRACTS}`,
        Attributes: [
          { key: 'salesstage', value: { __type: `OptionSetValue:${CONTRACTS}`, Value: 2 } },
          { key: 'parentcontactid', value: { __type: `EntityReference:${CONTRACTS}`, Id: ID.b } },
          { key: 'opportunityid', value: ID.a },
          { key: 'modifiedon', value: '/Date(1714000000000)/' },
        ],
      },
    },
  ],
};

describe('Dynamics webhooks', () => {
  it('verify the WebhookKey (?code=) and HttpHeader values, refusing when none is configured', () => {
    const keyed = dynamics({ webhookKey: 'k1' }).connector;
    expect(keyed.verifyWebhook(delivery(update, 'https://gw.example/w?code=k1'))).toBe(true);
    expect(keyed.verifyWebhook(delivery(update, 'https://gw.example/w?code=k2'))).toBe(false);
    expect(keyed.verifyWebhook(delivery(update, 'https://gw.example/w'))).toBe(false);
    const headed = dynamics({ webhookHeaders: { 'X-Gateway-Key': 'h1' } }).connector;
    expect(headed.verifyWebhook(delivery(update, undefined, { 'x-gateway-key': 'h1' }))).toBe(true);
    expect(headed.verifyWebhook(delivery(update, undefined, { 'x-gateway-key': 'h2' }))).toBe(false);
    expect(dynamics().connector.verifyWebhook(delivery(update, 'https://gw.example/w?code='))).toBe(false);
  });

  it('parse an Update into a change naming its columns (lookups by read name), without stamps or key', () => {
    expect(dynamics().connector.parseWebhook(delivery(update))).toEqual([
      {
        object: 'deal',
        remoteId: ID.a,
        kind: 'UPSERTED',
        occurredAt: '2024-04-24T23:06:40.000Z',
        changedFields: ['salesstage', '_parentcontactid_value'],
        eventId: 'op-1',
      },
    ]);
  });

  it('parse a context cut for size without fields, and ignore other tables and non-JSON bodies', () => {
    const { InputParameters: _dropped, ...cut } = update;
    expect(dynamics().connector.parseWebhook(delivery({ ...cut, MessageName: 'Create' }))).toEqual([
      expect.not.objectContaining({ changedFields: expect.anything() }),
    ]);
    expect(dynamics().connector.parseWebhook(delivery({ ...update, PrimaryEntityName: 'account' }))).toEqual(
      [],
    );
    expect(dynamics().connector.parseWebhook(delivery('not json'))).toEqual([]);
  });
});
