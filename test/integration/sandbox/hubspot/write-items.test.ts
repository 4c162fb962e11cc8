import { type ListeningSandbox } from '../../../../src/sandbox/core';
import { type HubSpotServer } from '../../../../src/sandbox/hubspot';
import { type Caller, startHubSpot } from './helpers';

/** The records each HubSpot write carried, as the request log counts them for bench:writes. */
let server: HubSpotServer;
let live: ListeningSandbox;
let call: Caller;
beforeEach(async () => {
  ({ server, live, call } = await startHubSpot({ contacts: 3, deals: 1 }));
});
afterEach(() => live.close());

describe('HubSpot write sizes in the request log', () => {
  it('counts batch inputs and single writes; reads carry none', async () => {
    const input = (n: number) => ({ properties: { email: `w${n}@example.org` }, associations: [] });
    const batch = await call('POST', '/crm/v3/objects/contacts/batch/create', {
      inputs: [input(1), input(2)],
    });
    expect(batch.status).toBe(201);
    const one = await call('POST', '/crm/v3/objects/contacts', input(3));
    expect(one.status).toBe(201);
    expect(
      (
        await call('PATCH', `/crm/v3/objects/contacts/${String(one.json.id)}`, {
          properties: { firstname: 'X' },
        })
      ).status,
    ).toBe(200);
    expect((await call('GET', '/crm/v3/objects/contacts?limit=2')).status).toBe(200);
    const entries = server.org().log.snapshot(100).entries;
    expect(entries.map((e) => [e.method, e.items])).toEqual([
      ['POST', 2],
      ['POST', 1],
      ['PATCH', 1],
      ['GET', undefined],
    ]);
    expect(server.org().log.writeBatchSizes()).toEqual([
      [1, 2],
      [2, 1],
    ]);
  });
});
