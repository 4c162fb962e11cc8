// Connections over raw HTTP: the reciprocal row Dataverse writes with every connection, the pair
// deleted together, and both sides required.
import { API, startDynamics } from './helpers';

describe('Dataverse sandbox: connections', () => {
  let ctx: Awaited<ReturnType<typeof startDynamics>>;
  beforeAll(async () => {
    ctx = await startDynamics({ contact: 5, opportunity: 5, account: 2 });
  });
  afterAll(async () => {
    await ctx.live.close();
  });
  const store = () => ctx.server.org().state.store;
  const first = (table: string) => [...store().table(table).values()][0]!;

  it('writes the reciprocal of a connection, and deletes the pair together', async () => {
    const deal = first('opportunity');
    const contact = first('contact');
    const created = await ctx.call('POST', `${API}/connections?$select=ismaster`, {
      body: {
        'record1id_opportunity@odata.bind': `/opportunities(${deal.id})`,
        'record2id_contact@odata.bind': `/contacts(${contact.id})`,
      },
      headers: { prefer: 'return=representation' },
    });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ ismaster: true });

    const fromContact = await ctx.call(
      'GET',
      `${API}/connections?$select=_record2id_value,ismaster&$filter=_record1id_value eq ${contact.id}`,
      { headers: { prefer: 'odata.include-annotations="Microsoft.Dynamics.CRM.lookuplogicalname"' } },
    );
    expect(fromContact.json.value).toEqual([
      expect.objectContaining({
        _record2id_value: deal.id,
        '_record2id_value@Microsoft.Dynamics.CRM.lookuplogicalname': 'opportunity',
        ismaster: false,
      }),
    ]);
    const reciprocal = fromContact.json.value[0].connectionid as string;
    expect((await ctx.call('DELETE', `${API}/connections(${reciprocal})`)).status).toBe(204);
    expect(store().table('connection').size).toBe(0);
  });

  it('refuses a connection without both sides', async () => {
    const res = await ctx.call('POST', `${API}/connections`, {
      body: { 'record1id_opportunity@odata.bind': `/opportunities(${first('opportunity').id})` },
    });
    expect(res.status).toBe(400);
    expect(store().table('connection').size).toBe(0);
  });
});
