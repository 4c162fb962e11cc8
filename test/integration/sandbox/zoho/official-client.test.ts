import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as ZOHOCRMSDK from '@zohocrm/typescript-sdk-8.0';
import { DEMO } from '../../../../src/sandbox/zoho';
import { authorize, startZoho, type Started } from './helpers';

/**
 * The official SDK (`@zohocrm/typescript-sdk-8.0`) against the sandbox. It can be pointed at a local URL:
 * `DataCenter.setEnvironment(apiUrl, tokenUrl, fileUploadUrl)` builds an Environment from any three
 * URLs — here the EU data centre's hosts on the sandbox's origin. Its token store is the SDK's own
 * `TokenStore` interface kept in memory (not a mock: the SDK supports pluggable stores), and its
 * resource files go to a temporary folder.
 */
describe('Zoho sandbox: the official TypeScript SDK for v8', () => {
  let z: Started;
  let dir: string;
  beforeAll(async () => {
    z = await startZoho({ Contacts: 25, Deals: 5 });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zoho-sdk-'));
    const base = z.live.baseUrl;
    const env = ZOHOCRMSDK.DataCenter.setEnvironment(
      `${base}/dc/eu/api`,
      `${base}/dc/eu/accounts/oauth/v2/token`,
      `${base}/dc/eu/content`,
    );
    const back = await authorize(base);
    const tokens: unknown[] = [];
    const store = {
      findToken: async () => tokens[0] ?? null,
      findTokenById: async () => tokens[0] ?? null,
      saveToken: async (t: unknown) => {
        tokens[0] = t;
      },
      deleteToken: async () => {
        tokens.length = 0;
      },
      getTokens: async () => tokens,
      deleteTokens: async () => {
        tokens.length = 0;
      },
    };
    // The SDK exchanges the grant token (the code) itself, posting a multipart form.
    const token = new ZOHOCRMSDK.OAuthBuilder()
      .clientId(DEMO.clientId)
      .clientSecret(DEMO.clientSecret)
      .grantToken(back.get('code') ?? '')
      .redirectURL(DEMO.redirectUri)
      .build();
    await new ZOHOCRMSDK.InitializeBuilder()
      .environment(env)
      .token(token)
      .store(store as unknown as ZOHOCRMSDK.TokenStore.TokenStore)
      .resourcePath(dir)
      .logger(new ZOHOCRMSDK.LogBuilder().level(ZOHOCRMSDK.Levels.OFF).build())
      .initialize();
  });
  afterAll(async () => {
    await z.live.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('exchanges the code at the EU accounts server and lists contacts with the fields asked', async () => {
    const params = new ZOHOCRMSDK.ParameterMap();
    await params.add(ZOHOCRMSDK.Record.GetRecordsParam.FIELDS, 'Last_Name,Email');
    await params.add(ZOHOCRMSDK.Record.GetRecordsParam.PER_PAGE, 5);
    const res = await new ZOHOCRMSDK.Record.RecordOperations('Contacts').getRecords(params);
    expect(res.getStatusCode()).toBe(200);
    const body = res.getObject() as ZOHOCRMSDK.Record.ResponseWrapper;
    expect(body).toBeInstanceOf(ZOHOCRMSDK.Record.ResponseWrapper);
    const records = body.getData();
    expect(records).toHaveLength(5);
    expect(typeof records[0]!.getKeyValue('Last_Name')).toBe('string');
    expect(body.getInfo().getMoreRecords()).toBe(true);
    expect(body.getInfo().getNextPageToken()).toEqual(expect.any(String));
    const log = z.server
      .org()
      .log.snapshot(50)
      .entries.map((e) => `${e.method} ${e.route}`);
    expect(log).toContain('POST /dc/:dc/accounts/oauth/v2/token');
  });

  it('creates a contact and reads it back through COQL', async () => {
    const record = new ZOHOCRMSDK.Record.Record();
    record.addKeyValue('Last_Name', 'Sdk Made');
    record.addKeyValue('Email', 'sdk.made@example.com');
    const wrapper = new ZOHOCRMSDK.Record.BodyWrapper();
    wrapper.setData([record]);
    const created = await new ZOHOCRMSDK.Record.RecordOperations('Contacts').createRecords(wrapper);
    expect(created.getStatusCode()).toBe(201);
    const action = (created.getObject() as ZOHOCRMSDK.Record.ActionWrapper).getData()[0];
    expect(action).toBeInstanceOf(ZOHOCRMSDK.Record.SuccessResponse);
    const id = String((action as ZOHOCRMSDK.Record.SuccessResponse).getDetails().get('id'));
    expect(z.server.org().state.store.get('Contacts', id)?.values.Email).toBe('sdk.made@example.com');

    const query = new ZOHOCRMSDK.Coql.BodyWrapper();
    query.setSelectQuery(`select Last_Name, Email from Contacts where Email = 'sdk.made@example.com'`);
    const found = await new ZOHOCRMSDK.Coql.CoqlOperations().getRecords(query);
    expect(found.getStatusCode()).toBe(200);
    const rows = (found.getObject() as ZOHOCRMSDK.Coql.ResponseWrapper).getData();
    expect(rows.map((r) => String(r.getId()))).toEqual([id]);
  });
});
