// The Zoho CRM sandbox as a framework vendor: one org = one Zoho CRM organization in one data centre
// (setting `dc`); one multi-DC OAuth client for the whole server, installed in every org. Every DC is a
// path prefix on the one origin (docs/vendors/zoho.md "Data centres").
import { type FastifyError, type FastifyRequest } from 'fastify';
import { createSandboxServer, type SandboxServerOptions, type VendorDefinition } from '../core';
import { adminModule, createAt, deleteAt, recordOf, updateAt } from './admin';
import { ACCOUNTS, API, CONTENT, DC_PREFIX, DEFAULT_COUNTS, DEMO } from './constants';
import { ZohoError } from './errors';
import { installConcurrency, resolveApiOrg, sendError, sendLimited } from './http';
import { registerBulkReadRoutes, stopBulkReads } from './bulk-read';
import { fileTooLarge, registerBulkWriteRoutes, stopBulkWrites } from './bulk-write';
import { registerContactRoleRoutes } from './contact-roles';
import { registerCoqlRoutes } from './coql';
import { registerIdentityRoutes } from './identity';
import { registerMetadataRoutes } from './metadata';
import { OrgLimits } from './limits';
import { registerNotificationRoutes, WatchChannels } from './notifications';
import { registerOAuthRoutes, resolveAccountsOrg } from './oauth';
import { PageTokens } from './paging';
import { registerRecordReadRoutes } from './records';
import { registerSearchRoutes } from './search';
import { seedOrg } from './seed';
import { zohoSettingsSchema } from './settings';
import { registerWriteRoutes, writeItems } from './writes';
import {
  crmOrgIdFor,
  demoTokenFor,
  idPrefixFor,
  type ZohoOrg,
  type ZohoOrgState,
  type ZohoServer,
} from './state';

const ACCOUNTS_PATH = new RegExp(`^${DC_PREFIX}/[^/]+/${ACCOUNTS}/`);

export function zohoVendor(): VendorDefinition<ZohoOrgState, never> {
  const demoTokens = new Map<string, string>();
  return {
    name: 'zoho',
    defaultCounts: { ...DEFAULT_COUNTS },

    createState(org) {
      const previous = (org as { state?: ZohoOrgState }).state;
      void previous?.watch.settle(true);
      if (previous) {
        stopBulkReads(previous.bulkReads);
        stopBulkWrites(previous.bulkWrites);
      }
      const settings = zohoSettingsSchema.parse(org.settings);
      const idPrefix = idPrefixFor(org.id);
      const store = seedOrg({
        idPrefix,
        seed: org.seed,
        dc: settings.dc,
        contacts: org.counts.Contacts ?? DEFAULT_COUNTS.Contacts,
        deals: org.counts.Deals ?? DEFAULT_COUNTS.Deals,
        now: () => org.now(),
      });
      demoTokens.set(demoTokenFor(org.id), org.id);
      const watch = new WatchChannels(() => org);
      // The listener attaches after seeding: seed data raises no callbacks.
      store.onChange((change) => watch.raise(change));
      return {
        watch,
        bulkReads: new Map(),
        bulkFiles: new Map(),
        bulkWrites: new Map(),
        orgId: crmOrgIdFor(org.id),
        demoToken: demoTokenFor(org.id),
        userId: store.users[0]!.id,
        store,
        settings,
        limits: new OrgLimits(settings),
        pageTokens: new PageTokens(),
      };
    },

    applySettings(org) {
      org.state.settings = zohoSettingsSchema.parse(org.settings);
      org.state.limits.settings = org.state.settings;
    },

    routes(app, srv) {
      // The official SDK posts its JSON bodies with no Content-Type at all (docs/vendors/zoho.md
      // "Official SDK"), and Zoho takes them: any body of another or no type is read as JSON.
      app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => {
        try {
          done(null, body === '' ? undefined : (JSON.parse(body as string) as unknown));
        } catch {
          done(null, body);
        }
      });
      installConcurrency(app, srv, demoTokens);
      registerOAuthRoutes(app, srv);
      registerIdentityRoutes(app, srv);
      registerCoqlRoutes(app, srv);
      registerMetadataRoutes(app, srv);
      registerContactRoleRoutes(app, srv);
      registerSearchRoutes(app, srv);
      registerNotificationRoutes(app, srv);
      registerBulkReadRoutes(app, srv);
      registerBulkWriteRoutes(app, srv);
      registerWriteRoutes(app, srv);
      registerRecordReadRoutes(app, srv);
      app.addHook('onClose', async () => {
        for (const o of srv.orgs.values()) {
          stopBulkReads(o.state.bulkReads);
          stopBulkWrites(o.state.bulkWrites);
        }
        await Promise.all([...srv.orgs.values()].map((o) => o.state.watch.settle(true)));
      });
      app.setErrorHandler((err: FastifyError, request, reply) => {
        const status = err.statusCode ?? 500;
        // Only the file host takes bodies this large (a Bulk Write upload): past its limit, Zoho's 413.
        if (status === 413 && request.url.includes(`/${CONTENT}/`)) return sendError(reply, fileTooLarge());
        if (status >= 400 && status < 500)
          return sendError(reply, new ZohoError(400, 'INVALID_DATA', `invalid request: ${err.message}`));
        return sendError(reply, new ZohoError(500, 'INTERNAL_ERROR', 'Internal Server Error'));
      });
      app.setNotFoundHandler((_request, reply) =>
        sendError(
          reply,
          new ZohoError(
            404,
            'INVALID_URL_PATTERN',
            'Please check if the URL trying to access is a correct one',
          ),
        ),
      );
    },

    resolveOrg(request: FastifyRequest, srv: ZohoServer) {
      if (ACCOUNTS_PATH.test(request.url)) return resolveAccountsOrg(srv, request);
      return resolveApiOrg(request, srv, demoTokens);
    },

    renderFault(fault, _request, reply) {
      if (fault.kind === 'rateLimit') {
        sendLimited(reply, 'concurrency');
        return;
      }
      sendError(reply, new ZohoError(fault.status, 'INTERNAL_ERROR', 'Internal Server Error'));
    },

    bench: {
      org: {
        counts: { Contacts: 300, Deals: 50 },
        settings: { creditLimit: 1_000_000_000, concurrencyLimit: 100_000 },
      },
      request(org) {
        const contact = org.state.store.all('Contacts')[0]!;
        return {
          path: `${DC_PREFIX}/${org.state.settings.dc}/${API}/crm/v8/Contacts/${contact.id}?fields=Last_Name,Email`,
          headers: { authorization: `Zoho-oauthtoken ${org.state.demoToken}` },
        };
      },
    },

    records: {
      create: (org, object, fields) =>
        recordOf(org, adminModule(object), createAt(org, adminModule(object), fields).id),
      update: (org, object, id, fields) => {
        updateAt(org, adminModule(object), id, fields);
        return recordOf(org, adminModule(object), id);
      },
      remove: (org, object, id) => {
        deleteAt(org, adminModule(object), id);
        return { id };
      },
      get: (org, object, id) => recordOf(org, adminModule(object), id),
    },

    writeItems,

    credentials(org: ZohoOrg, baseUrl) {
      const dc = org.state.settings.dc;
      const root = `${baseUrl}${DC_PREFIX}/${dc}`;
      return {
        clientId: DEMO.clientId,
        clientSecret: DEMO.clientSecret,
        dc,
        orgId: org.state.orgId,
        accessToken: org.state.demoToken,
        accountsServer: `${root}/${ACCOUNTS}`,
        apiDomain: `${root}/${API}`,
        contentDomain: `${root}/${CONTENT}`,
        authorizeUrl: `${baseUrl}${DC_PREFIX}/us/${ACCOUNTS}/oauth/v2/auth?response_type=code&access_type=offline&client_id=${DEMO.clientId}&scope=ZohoCRM.modules.ALL&redirect_uri=<your callback>&sandbox_org=${org.id}`,
        vendorUrls: { auth: baseUrl },
      };
    },
  };
}

/** A Zoho CRM sandbox server (not yet listening): `await createZohoSandbox().listen()`. */
export function createZohoSandbox(options?: SandboxServerOptions): ZohoServer {
  const server = createSandboxServer(zohoVendor(), options);
  return server;
}
