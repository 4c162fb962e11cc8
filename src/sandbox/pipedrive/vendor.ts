// The Pipedrive sandbox as a framework vendor: one org = one Pipedrive company (domain, users, API
// token, budget, custom field keys); one OAuth app for the whole server, installed in every company.
import { type FastifyError, type FastifyRequest } from 'fastify';
import {
  createSandboxServer,
  SandboxAdminError,
  type SandboxServerOptions,
  type VendorDefinition,
} from '../core';
import { API_V2, COMPANY_PREFIX, DEFAULT_COUNTS, DEMO } from './constants';
import { PdError } from './errors';
import { registerFieldRoutes } from './field-routes';
import { type PdObject } from './fields';
import { resolveApiOrg, sendError, sendLimited } from './http';
import { CompanyLimits } from './limits';
import { registerMergeRoutes } from './merge';
import { registerOAuthRoutes, resolveOAuthOrg } from './oauth';
import { joinPrimary, registerParticipantRoutes, seedPrimaryParticipants } from './participants';
import { registerPipelineRoutes } from './pipelines';
import { registerRecentsRoutes } from './recents';
import { registerRecordRoutes } from './records';
import { renderV2 } from './render';
import { registerSearchRoutes } from './search';
import { seedCompany } from './seed';
import { pipedriveSettingsSchema } from './settings';
import {
  apiTokenFor,
  companyDomainFor,
  companyIdFor,
  type PipedriveOrg,
  type PipedriveOrgState,
  type PipedriveServer,
  type PipedriveWebhookEvent,
} from './state';
import { registerUserRoutes } from './users';
import { registerV1RecordRoutes } from './v1-records';
import { WebhookRegistry } from './webhook-registry';
import { webhookTransport } from './webhook-transport';
import { raiseWebhooks, registerWebhookRoutes } from './webhooks';
import { createRecord, deleteRecord, liveRecord, updateRecord } from './writes';

const ADMIN_OBJECTS: Record<string, PdObject> = {
  persons: 'person',
  person: 'person',
  deals: 'deal',
  deal: 'deal',
};

function adminObject(object: string): PdObject {
  const found = ADMIN_OBJECTS[object];
  if (!found) throw new SandboxAdminError(404, `unknown Pipedrive object ${object}; objects: persons, deals`);
  return found;
}

/** Admin edits are UI edits (`change_source: app`) by the company's admin user; vendor errors keep their status. */
function asAdmin<T>(run: () => T): T {
  try {
    return run();
  } catch (err) {
    if (err instanceof PdError) throw new SandboxAdminError(err.statusCode, err.message);
    throw err;
  }
}

const WRITE_PATH = /\/(persons|deals)(\/\d+(\/merge)?)?\/?$/;

export function pipedriveVendor(): VendorDefinition<PipedriveOrgState, PipedriveWebhookEvent> {
  const apiTokens = new Map<string, string>();
  return {
    name: 'pipedrive',
    defaultCounts: { ...DEFAULT_COUNTS },
    webhooks: webhookTransport(),

    createState(org) {
      const previous = (org as { state?: PipedriveOrgState }).state;
      void previous?.webhooks.settle(true);
      const companyId = companyIdFor(org.id);
      const userId = 18_000_000 + (companyId % 1_000_000);
      const store = seedCompany({
        companyId,
        seed: org.seed,
        persons: org.counts.persons ?? DEFAULT_COUNTS.persons,
        deals: org.counts.deals ?? DEFAULT_COUNTS.deals,
        now: () => org.now(),
        userId,
      });
      const settings = pipedriveSettingsSchema.parse(org.settings);
      if (settings.primaryIsParticipant) seedPrimaryParticipants(store, userId);
      // The listener attaches after seeding: seed data raises no webhooks.
      store.onChange((change) => {
        joinPrimary(org, change);
        raiseWebhooks(org, change);
      });
      const apiToken = apiTokenFor(org.id);
      apiTokens.set(apiToken, org.id);
      return {
        companyId,
        companyDomain: companyDomainFor(org.id),
        apiToken,
        userId,
        store,
        settings,
        limits: new CompanyLimits(settings),
        webhooks: new WebhookRegistry(() => org),
      };
    },

    applySettings(org) {
      org.state.settings = pipedriveSettingsSchema.parse(org.settings);
      org.state.limits.settings = org.state.settings;
    },

    routes(app, srv) {
      registerOAuthRoutes(app, srv);
      registerSearchRoutes(app, srv);
      registerRecordRoutes(app, srv);
      registerFieldRoutes(app, srv);
      registerPipelineRoutes(app, srv);
      registerRecentsRoutes(app, srv);
      registerMergeRoutes(app, srv);
      registerV1RecordRoutes(app, srv);
      registerParticipantRoutes(app, srv);
      registerUserRoutes(app, srv);
      registerWebhookRoutes(app, srv);
      app.addHook('onClose', async () => {
        await Promise.all([...srv.orgs.values()].map((o) => o.state.webhooks.settle(true)));
      });
      app.setErrorHandler((err: FastifyError, _request, reply) => {
        const status = err.statusCode ?? 500;
        if (status === 413) return sendError(reply, new PdError(413, 'Request entity too large'));
        if (status === 415) return sendError(reply, new PdError(415, 'Unsupported media type'));
        if (status >= 400 && status < 500)
          return sendError(reply, new PdError(400, `Invalid request body: ${err.message}`));
        return sendError(reply, new PdError(500, 'Internal server error'));
      });
      app.setNotFoundHandler((_request, reply) => sendError(reply, new PdError(404, 'Unknown method .')));
    },

    resolveOrg(request: FastifyRequest, srv: PipedriveServer) {
      if (request.url.startsWith('/oauth/')) return resolveOAuthOrg(srv, request);
      return resolveApiOrg(request, srv, apiTokens);
    },

    renderFault(fault, _request, reply, org) {
      if (fault.kind === 'rateLimit') {
        const limit = String(org.state.limits.burstLimit('api_token'));
        sendLimited(reply, 'burst', {
          'x-ratelimit-limit': limit,
          'x-ratelimit-remaining': '0',
          'x-ratelimit-reset': '2',
        });
        return;
      }
      sendError(reply, new PdError(fault.status, 'Internal server error'));
    },

    writeItems(request) {
      if (!['POST', 'PATCH', 'PUT', 'DELETE'].includes(request.method)) return undefined;
      return WRITE_PATH.test(request.url.split('?', 1)[0] ?? '') ? 1 : undefined;
    },

    bench: {
      org: {
        counts: { persons: 500, deals: 100 },
        settings: { dailyTokenBudget: 1_000_000_000, burstLimit: 1_000_000_000 },
      },
      request(org) {
        return { path: `${API_V2}/persons/1`, headers: { 'x-api-token': org.state.apiToken } };
      },
    },

    records: {
      create(org, object, fields) {
        return asAdmin(() => {
          const store = org.state.store;
          return renderV2(
            store,
            createRecord(
              store,
              adminObject(object),
              fields,
              { source: 'app', userId: org.state.userId },
              org.now(),
            ),
          );
        });
      },
      update(org, object, id, fields) {
        return asAdmin(() => {
          const store = org.state.store;
          const record = liveRecord(store, adminObject(object), id);
          return renderV2(
            store,
            updateRecord(store, record, fields, { source: 'app', userId: org.state.userId }, org.now()),
          );
        });
      },
      remove(org, object, id) {
        return asAdmin(() => {
          const record = liveRecord(org.state.store, adminObject(object), id);
          deleteRecord(org.state.store, record, { source: 'app', userId: org.state.userId });
          return { id: record.id };
        });
      },
      get(org, object, id) {
        const record = org.state.store.get(adminObject(object), Number(id));
        return record ? renderV2(org.state.store, record) : undefined;
      },
    },

    credentials(org: PipedriveOrg, baseUrl) {
      const apiDomain = `${baseUrl}${COMPANY_PREFIX}/${org.state.companyDomain}`;
      return {
        apiToken: org.state.apiToken,
        companyId: org.state.companyId,
        companyDomain: org.state.companyDomain,
        apiDomain,
        v1BaseUrl: `${apiDomain}/api/v1`,
        v2BaseUrl: `${apiDomain}/api/v2`,
        clientId: DEMO.clientId,
        clientSecret: DEMO.clientSecret,
        authorizeUrl: `${baseUrl}/oauth/authorize?client_id=${DEMO.clientId}&company=${org.state.companyDomain}&redirect_uri=<your callback>`,
        tokenUrl: `${baseUrl}/oauth/token`,
        revokeUrl: `${baseUrl}/oauth/revoke`,
        vendorUrls: { auth: baseUrl, api: apiDomain },
      };
    },
  };
}

/** A Pipedrive sandbox server (not yet listening): `await createPipedriveSandbox().listen()`. */
export function createPipedriveSandbox(options?: SandboxServerOptions): PipedriveServer {
  return createSandboxServer(pipedriveVendor(), options);
}
