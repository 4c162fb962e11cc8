import { type DvRecord } from '../../../../src/sandbox/dynamics/store';
import {
  endpointTarget,
  parseAuthSettings,
  webhookTransport,
} from '../../../../src/sandbox/dynamics/webhooks';

function endpoint(values: Record<string, unknown>): DvRecord {
  return {
    entity: 'serviceendpoint',
    id: 'e1',
    values: { contract: 8, url: 'https://hooks.example/in', ...values },
    version: 1,
    createdOn: 0,
    modifiedOn: 0,
  };
}

describe('webhook endpoints and deliveries', () => {
  it('reads the three auth types of a service endpoint', () => {
    expect(
      parseAuthSettings('<settings><setting name="a" value="1" /><setting name="b" value="2"/></settings>'),
    ).toEqual({ a: '1', b: '2' });
    expect(endpointTarget(endpoint({ authtype: 4, authvalue: 'k&y' }))?.url).toBe(
      'https://hooks.example/in?code=k%26y',
    );
    expect(
      endpointTarget(
        endpoint({ authtype: 6, authvalue: '<settings><setting name="q" value="v" /></settings>' }),
      )?.url,
    ).toBe('https://hooks.example/in?q=v');
    expect(
      endpointTarget(
        endpoint({ authtype: 5, authvalue: '<settings><setting name="x-key" value="v" /></settings>' }),
      ),
    ).toEqual({
      url: 'https://hooks.example/in',
      settings: { headers: { 'x-key': 'v' } },
    });
    expect(endpointTarget(endpoint({ contract: 1 }))).toBeUndefined();
    expect(endpointTarget(endpoint({ url: 'not a url', authtype: 4, authvalue: 'k' }))).toBeUndefined();
  });

  it('retries only 502, 503 and 504, once', () => {
    const transport = webhookTransport();
    expect(transport.retries).toBe(1);
    expect([500, 502, 503, 504, 429, 0].map((s) => transport.shouldRetry?.(s))).toEqual([
      false,
      true,
      true,
      true,
      false,
      false,
    ]);
  });

  it('drops parameters and images from a context over 256 KB and says so in a header', () => {
    const transport = webhookTransport();
    const context = {
      MessageName: 'Update',
      InputParameters: [{ key: 'Target', value: 'x'.repeat(300 * 1024) }],
      PostEntityImages: [],
      PreEntityImages: [],
      ParentContext: null,
    };
    const event = {
      context,
      organization: 'contoso.crm.dynamics.com',
      entityName: 'contact',
      messageName: 'Update',
      correlationId: 'c1',
    };
    const { headers, body } = transport.build([event], { url: 'https://hooks.example/in' }, 0, 0);
    expect(headers['x-ms-dynamics-msg-size-exceeded']).toBe('true');
    expect(JSON.parse(body)).toEqual({ MessageName: 'Update' });
    const small = transport.build(
      [{ ...event, context: { MessageName: 'Update' } }],
      { url: 'https://hooks.example/in' },
      0,
      0,
    );
    expect(small.headers['x-ms-dynamics-msg-size-exceeded']).toBeUndefined();
    expect(small.headers['x-ms-correlation-request-id']).toBe('c1');
  });
});
