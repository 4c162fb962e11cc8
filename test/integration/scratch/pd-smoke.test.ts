import { pipedrive as definition } from '../../../src/connectors/pipedrive';
import { PipedriveConnector } from '../../../src/connectors/pipedrive/pipedrive.connector';
import { defaultHooks } from '../../../src/connectors/http/hooks';
import { VendorHttpClient } from '../../../src/connectors/http/vendor-client';
import { createLogger } from '../../../src/logger';
import { createPipedriveSandbox } from '../../../src/sandbox/pipedrive';

it('smoke', async () => {
  const server = createPipedriveSandbox({ orgs: [{ id: 'default', counts: { persons: 30, deals: 10 } }] } as never);
  const live = await server.listen();
  try {
    const org = server.org('default');
    const base = `${live.baseUrl}/c/${org.state.companyDomain}`;
    const tokens = {
      get: async () => ({ value: org.state.apiToken, expiresAt: null, apiBaseUrl: base, authKind: 'static_token' as const }),
      refreshAfterRejection: async () => { throw new Error('no'); },
    };
    const decl = definition.declaration;
    const http = new VendorHttpClient({ crm: 'pipedrive', tokens, hooks: { ...defaultHooks({ authScheme: decl.authScheme }), ...definition.hooks } });
    const c = new PipedriveConnector({ connection: { id: 'x', tenantId: 't', crm: 'pipedrive', externalAccountId: null, vendorUrls: {}, settings: {} }, http, tokens, logger: createLogger({ level: 'silent' }) });
    const out: Record<string, unknown> = {};
    const step = async (name: string, f: () => Promise<unknown>) => {
      try { out[name] = await f(); } catch (e) { out[name] = `ERROR ${(e as Error).message}`; }
    };
    await step('identify', () => c.identify('static_token'));
    await step('describe', async () => (await c.describeFields('contact')).filter((f) => f.custom));
    await step('list', async () => { const p = await c.listRecords('contact', { pageSize: 2 }); return { n: p.items.length, first: p.items[0], next: p.nextCursor }; });
    const ids = org.state.store.all('person' as never).slice(0, 3).map((r: { id: number }) => String(r.id));
    await step('get', async () => (await c.getRecords('contact', [...ids, '999999'])).map((r) => r?.remoteId ?? null));
    await step('changes', async () => { const p = await c.listChanges('contact', { since: new Date(Date.now() - 86400000) }); return { n: p.items.length, next: !!p.nextCursor }; });
    await step('stages', () => c.dealStages());
    await step('create', () => c.upsertRecords('contact', [{ ref: 'a', fields: { first_name: 'Ann', last_name: 'Lee', email: 'ann@x.test' } }]));
    const created = (out.create as { remoteId?: string }[])?.[0]?.remoteId;
    await step('update', () => c.upsertRecords('contact', [{ ref: 'b', remoteId: created, fields: { email: 'ann2@x.test', phone: '+1555' } }]));
    await step('read-back', async () => (await c.getRecords('contact', [created!]))[0]?.fields);
    await step('upsert-key', async () => {
      const f = (await c.describeFields('contact')).find((x) => x.externalId);
      return f ? c.upsertRecords('contact', [{ ref: 'k', externalId: { field: f.name, value: 'gk-1' }, fields: { first_name: 'Key', last_name: 'Person' } }]) : 'no key field';
    });
    await step('delete', () => c.deleteRecords('contact', [created!]));
    await step('deleted-changes', async () => {
      let cursor: string | null | undefined; const all = [];
      do { const p = await c.listChanges('contact', { since: new Date(Date.now() - 60000), cursor }); all.push(...p.items.map((i) => [i.remoteId, i.kind])); cursor = p.nextCursor; } while (cursor);
      return all;
    });
    const dealIds = org.state.store.all('deal' as never).slice(0, 2).map((r: { id: number }) => String(r.id));
    await step('assoc', async () => [...(await c.getAssociations('deal', dealIds, 'contact')).entries()]);
    await step('deal-create', () => c.upsertRecords('deal', [{ ref: 'd', fields: { title: 'T', value: '10.5', currency: 'EUR', status: 'open' } }]));
    console.log(JSON.stringify(out, null, 1).slice(0, 6000));
  } finally {
    await live.close();
  }
});
