import { API, startDynamics } from './helpers';

describe('Dataverse sandbox: metadata', () => {
  let ctx: Awaited<ReturnType<typeof startDynamics>>;
  beforeAll(async () => {
    ctx = await startDynamics({ contact: 2, opportunity: 1, account: 1 });
  });
  afterAll(async () => {
    await ctx.live.close();
  });

  it('lists tables and answers one by LogicalName', async () => {
    const all = await ctx.call('GET', `${API}/EntityDefinitions?$select=LogicalName,EntitySetName`);
    expect(all.json.value).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          LogicalName: 'contact',
          EntitySetName: 'contacts',
          MetadataId: expect.any(String),
        }),
      ]),
    );
    expect(Object.keys(all.json.value[0]).sort()).toEqual(['EntitySetName', 'LogicalName', 'MetadataId']);
    const one = await ctx.call('GET', `${API}/EntityDefinitions(LogicalName='opportunity')`);
    expect(one.json).toMatchObject({
      LogicalName: 'opportunity',
      PrimaryIdAttribute: 'opportunityid',
      ChangeTrackingEnabled: true,
    });
    const none = await ctx.call('GET', `${API}/EntityDefinitions(LogicalName='nosuch')`);
    expect(none.status).toBe(404);
  });

  it('lists attributes, filters by type and shows custom columns with the publisher prefix', async () => {
    const attrs = await ctx.call(
      'GET',
      `${API}/EntityDefinitions(LogicalName='contact')/Attributes?$select=LogicalName,AttributeType,IsCustomAttribute`,
    );
    const custom = (attrs.json.value as { LogicalName: string; IsCustomAttribute: boolean }[]).filter(
      (a) => a.IsCustomAttribute,
    );
    expect(custom.map((a) => a.LogicalName).sort()).toEqual([
      'cr8f3_externalid',
      'cr8f3_loyaltytier',
      'cr8f3_newsletteroptin',
      'cr8f3_npsscore',
    ]);
    const picklists = await ctx.call(
      'GET',
      `${API}/EntityDefinitions(LogicalName='opportunity')/Attributes?$filter=${encodeURIComponent("AttributeType eq Microsoft.Dynamics.CRM.AttributeTypeCode'Picklist'")}`,
    );
    expect(picklists.json.value.map((a: { LogicalName: string }) => a.LogicalName)).toEqual(['salesstage']);
    const unsupported = await ctx.call(
      'GET',
      `${API}/EntityDefinitions(LogicalName='contact')/Attributes?$filter=MaxLength gt 10`,
    );
    expect(unsupported.status).toBe(400);
  });

  it('answers option sets of picklist, state and status columns through the metadata type cast', async () => {
    const stage = await ctx.call(
      'GET',
      `${API}/EntityDefinitions(LogicalName='opportunity')/Attributes(LogicalName='salesstage')/Microsoft.Dynamics.CRM.PicklistAttributeMetadata?$select=LogicalName&$expand=OptionSet($select=Options)`,
    );
    expect(stage.status).toBe(200);
    expect(
      stage.json.OptionSet.Options.map(
        (o: { Value: number; Label: { UserLocalizedLabel: { Label: string } } }) => [
          o.Value,
          o.Label.UserLocalizedLabel.Label,
        ],
      ),
    ).toEqual([
      [0, 'Qualify'],
      [1, 'Develop'],
      [2, 'Propose'],
      [3, 'Close'],
    ]);
    const state = await ctx.call(
      'GET',
      `${API}/EntityDefinitions(LogicalName='opportunity')/Attributes(LogicalName='statecode')/Microsoft.Dynamics.CRM.StateAttributeMetadata?$expand=OptionSet`,
    );
    expect(state.json.OptionSet).toMatchObject({ OptionSetType: 'State' });
    expect(
      state.json.OptionSet.Options.map((o: { Value: number; DefaultStatus: number }) => [
        o.Value,
        o.DefaultStatus,
      ]),
    ).toEqual([
      [0, 1],
      [1, 3],
      [2, 4],
    ]);
    const status = await ctx.call(
      'GET',
      `${API}/EntityDefinitions(LogicalName='opportunity')/Attributes(LogicalName='statuscode')/Microsoft.Dynamics.CRM.StatusAttributeMetadata?$expand=OptionSet`,
    );
    expect(status.json.OptionSet.Options.find((o: { Value: number }) => o.Value === 5)).toMatchObject({
      State: 2,
    });
    const wrongCast = await ctx.call(
      'GET',
      `${API}/EntityDefinitions(LogicalName='opportunity')/Attributes(LogicalName='name')/Microsoft.Dynamics.CRM.PicklistAttributeMetadata`,
    );
    expect(wrongCast.status).toBe(400);
  });

  it('lists alternate keys', async () => {
    const keys = await ctx.call('GET', `${API}/EntityDefinitions(LogicalName='contact')/Keys`);
    expect(keys.json.value.map((k: { KeyAttributes: string[] }) => k.KeyAttributes)).toEqual([
      ['cr8f3_externalid'],
      ['emailaddress1'],
    ]);
    expect(keys.json.value[0]).toMatchObject({ EntityKeyIndexStatus: 'Active' });
  });
});
