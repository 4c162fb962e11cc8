// The Dataverse sandbox as a framework vendor: one org = one environment in its own Entra tenant.
import { dynamicsLogRoute } from './log-route';
import { type FastifyError } from 'fastify';
import {
  createSandboxServer,
  SandboxAdminError,
  type SandboxServerOptions,
  type TokenRecord,
  type VendorDefinition,
} from '../core';
import { API_PREFIX, API_VERSION, DEFAULT_COUNTS, DEMO } from './constants';
import { resolveEntraOrg, registerEntraRoutes } from './entra';
import { EntraError } from './entra-errors';
import { badRequest, DvError, DV_CODES, unknownResource } from './errors';
import { bearer, isWebApiUrl, registerWebApiRoutes, sendWebApiResponse } from './http';
import { seedOrg } from './seed';
import { dynamicsSettingsSchema } from './settings';
import { entityByLogicalName, entityBySetName } from './schema';
import {
  environmentUrl,
  orgNameFor,
  stableGuid,
  tenantIdFor,
  type DynamicsOrg,
  type DynamicsOrgState,
  type DynamicsServer,
  type DynamicsWebhookEvent,
} from './state';
import { dispatch } from './webapi';
import { errorResponse } from './webapi-types';
import { raiseWebhooks, retryPolicy, settleEndpointQueues, webhookTransport } from './webhooks';
import { dynamicsWriteItems } from './write-items';

/** A never-expiring access token per org, printed by `npm run sandbox` (demo use and the bench). */
export function demoAccessToken(orgId: string): string {
  return `sandbox.${stableGuid(`demo-token:${orgId}`)}`;
}

function adminEntitySet(object: string): string {
  const entity = entityBySetName(object) ?? entityByLogicalName(object);
  if (!entity || entity.system || entity.readOnly)
    throw new SandboxAdminError(
      404,
      `unknown Dataverse table ${object}; tables: contacts, opportunities, accounts, connections`,
    );
  return entity.entitySetName;
}

/** Admin edits run through the Web API as the org's interactive user, so they behave like UI edits. */
function adminCall(
  org: DynamicsOrg,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): unknown {
  const response = dispatch(org, org.state.interactiveUserId, {
    method,
    path,
    query: new URLSearchParams(),
    headers: { prefer: 'return=representation', ...headers },
    body,
    origin: environmentUrl(org.state),
  });
  if (response.status >= 400) {
    const message =
      (response.body as { error?: { message?: string } } | undefined)?.error?.message ??
      `status ${response.status}`;
    throw new SandboxAdminError(response.status, message);
  }
  return response.body ?? { ok: true };
}

export function dynamicsVendor(): VendorDefinition<DynamicsOrgState, DynamicsWebhookEvent> {
  let server: DynamicsServer | null = null;
  return {
    name: 'dynamics',
    defaultCounts: { ...DEFAULT_COUNTS },
    webhooks: webhookTransport(),

    createState(org) {
      const clientId = org.id === 'default' ? DEMO.clientId : stableGuid(`client:${org.id}`);
      const applicationUserId = stableGuid(`application-user:${org.id}`);
      const interactiveUserId = stableGuid(`interactive-user:${org.id}`);
      const store = seedOrg({
        seed: org.seed,
        counts: org.counts,
        now: org.now(),
        applicationUserId,
        interactiveUserId,
        clientId,
      });
      // Listeners attach after seeding: seed data raises no webhooks.
      store.onChange((change) => raiseWebhooks(org, change));
      const state: DynamicsOrgState = {
        tenantId: tenantIdFor(org.id),
        orgName: orgNameFor(org.id),
        organizationId: stableGuid(`organization:${org.id}`),
        businessUnitId: stableGuid(`business-unit:${org.id}`),
        clientId,
        clientSecret: DEMO.clientSecret,
        applicationUserId,
        interactiveUserId,
        store,
        settings: dynamicsSettingsSchema.parse(org.settings),
        endpointQueues: new Map(),
      };
      const demo: TokenRecord = {
        value: demoAccessToken(org.id),
        kind: 'access',
        orgId: org.id,
        issuedAt: org.now(),
        expiresAt: null,
        revoked: false,
        data: { userId: applicationUserId, resource: environmentUrl(state) },
      };
      server?.tokens.put(demo);
      return state;
    },

    applySettings(org) {
      org.state.settings = dynamicsSettingsSchema.parse(org.settings);
      if (org.webhooks) org.webhooks.retryPolicy = retryPolicy(org);
    },

    routes(app, srv) {
      server = srv;
      registerEntraRoutes(app, srv);
      registerWebApiRoutes(app, srv);
      app.addHook('onClose', async () => {
        await Promise.all([...srv.orgs.values()].map((o) => settleEndpointQueues(o, true)));
      });
      app.setErrorHandler((err: FastifyError, request, reply) => {
        if (!isWebApiUrl(request.url)) {
          const status = err.statusCode && err.statusCode < 500 ? err.statusCode : 500;
          return reply.code(status).send({ error: 'invalid_request', error_description: err.message });
        }
        let dv: DvError;
        if (err.statusCode === 413)
          dv = new DvError(413, DV_CODES.badRequest, 'The request body is too large.');
        else if (err.statusCode === 415)
          dv = new DvError(
            415,
            DV_CODES.badRequest,
            `Content type '${String(request.headers['content-type'])}' is not supported.`,
          );
        else if (err.statusCode && err.statusCode < 500)
          dv = badRequest(`The request body is not valid JSON: ${err.message}`);
        else dv = new DvError(500, DV_CODES.unexpected, 'An unexpected error occurred.');
        return sendWebApiResponse(reply, errorResponse(dv));
      });
      app.setNotFoundHandler((request, reply) => {
        return sendWebApiResponse(reply, errorResponse(unknownResource(request.url.split('?')[0] ?? '')));
      });
    },

    resolveOrg(request, srv) {
      if (isWebApiUrl(request.url)) {
        const token = bearer(request);
        return token ? srv.tokens.find(token)?.orgId : undefined;
      }
      return resolveEntraOrg(srv, request);
    },

    renderFault(fault, request, reply) {
      if (!isWebApiUrl(request.url)) {
        const err = new EntraError(
          400,
          'temporarily_unavailable',
          90033,
          'A transient error has occurred. Please try again.',
        );
        void reply
          .code(fault.kind === 'rateLimit' ? 429 : fault.status)
          .type('application/json')
          .send(err.body(Date.now()));
        return;
      }
      const dv =
        fault.kind === 'rateLimit'
          ? new DvError(
              429,
              DV_CODES.requestCountLimit,
              'Number of requests exceeded the limit of 6000 over time window of 300 seconds.',
              {
                'retry-after': '1',
              },
            )
          : new DvError(fault.status, DV_CODES.unexpected, 'An unexpected error occurred.');
      sendWebApiResponse(reply, errorResponse(dv));
    },

    writeItems: dynamicsWriteItems,
    logRoute: dynamicsLogRoute,

    bench: {
      org: {
        counts: { contact: 500, opportunity: 100, account: 50 },
        settings: {
          requestsPerWindow: 1_000_000_000,
          executionTimeMsPerWindow: 1_000_000_000,
          concurrentRequests: 1_000_000,
        },
      },
      request(org) {
        const contactId = org.state.store.table('contact').keys().next().value as string;
        return {
          path: `${API_PREFIX}/${API_VERSION}/contacts(${contactId})?$select=firstname,lastname,emailaddress1`,
          headers: { authorization: `Bearer ${demoAccessToken(org.id)}`, accept: 'application/json' },
        };
      },
    },

    records: {
      create(org, object, fields) {
        return adminCall(org, 'POST', adminEntitySet(object), fields);
      },
      update(org, object, id, fields) {
        return adminCall(org, 'PATCH', `${adminEntitySet(object)}(${id})`, fields, { 'if-match': '*' });
      },
      remove(org, object, id) {
        adminCall(org, 'DELETE', `${adminEntitySet(object)}(${id})`);
        return { id, deleted: true };
      },
      get(org, object, id) {
        try {
          return adminCall(org, 'GET', `${adminEntitySet(object)}(${id})`);
        } catch (err) {
          if (err instanceof SandboxAdminError && err.status === 404) return undefined;
          throw err;
        }
      },
    },

    credentials(org, baseUrl) {
      const s = org.state;
      return {
        tenantId: s.tenantId,
        clientId: s.clientId,
        clientSecret: s.clientSecret,
        environmentUrl: environmentUrl(s),
        scope: `${environmentUrl(s)}/.default`,
        serverUrl: baseUrl,
        apiUrl: `${baseUrl}${API_PREFIX}/${API_VERSION}/`,
        tokenUrl: `${baseUrl}/${s.tenantId}/oauth2/v2.0/token`,
        authorizeUrl: `${baseUrl}/${s.tenantId}/oauth2/v2.0/authorize`,
        accessToken: demoAccessToken(org.id),
        // What a gateway connection to this org names: the authority with its directory, the environment.
        vendorUrls: { auth: `${baseUrl}/${s.tenantId}`, api: baseUrl },
      };
    },
  };
}

/** A Dataverse sandbox server (not yet listening): `await createDynamicsSandbox().listen()`. */
export function createDynamicsSandbox(options?: SandboxServerOptions): DynamicsServer {
  return createSandboxServer(dynamicsVendor(), options);
}
