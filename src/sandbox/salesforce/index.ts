import { type FastifyError } from 'fastify';
import {
  SandboxAdminError,
  createSandboxServer,
  type SandboxServerOptions,
  type VendorDefinition,
} from '../core';
import { limitInfo, registerDataApi } from './api';
import { registerBulk2Routes } from './bulk2';
import { registerCollectionRoutes } from './collections';
import { registerCompositeRoutes } from './composite';
import { bearer, type SfOrg, type SfServer } from './context';
import { registerDescribeRoutes } from './describe';
import { JSON_TYPE, SfHttpError, sendErrors, sendOAuthError } from './errors';
import { registerOAuthRoutes, resolveOAuthOrg } from './oauth';
import { registerQueryRoutes } from './query';
import { renderRecord } from './records';
import { registerReplicationRoutes } from './replication';
import { SCHEMA, findObject } from './schema';
import { SALESFORCE_DEFAULT_COUNTS, createSalesforceState } from './seed';
import { salesforceSettingsSchema } from './settings';
import { registerSObjectRoutes } from './sobjects';
import { type SfOrgState } from './state';
import { type SaveResult, type WriteContext } from './store';
import { salesforceWriteItems } from './write-items';

export { SALESFORCE_DEFAULT_COUNTS } from './seed';
export type { SfOrgState } from './state';
export type { SalesforceSettings } from './settings';

function adminObject(org: SfOrg, object: string) {
  const obj = findObject(object, org.state.store.schema);
  if (!obj || !obj.writable)
    throw new SandboxAdminError(
      404,
      `unknown or read-only Salesforce object ${object}; objects: ${[...SCHEMA.keys()].join(', ')}`,
    );
  return obj;
}

function adminResult(org: SfOrg, object: string, result: SaveResult): unknown {
  if (!result.success)
    throw new SandboxAdminError(400, result.errors.map((e) => `${e.errorCode}: ${e.message}`).join('; '));
  const obj = adminObject(org, object);
  return renderRecord(obj, org.state.store.get(obj.name, result.id)!, 'v62.0');
}

/** Admin writes are made by the org's ordinary CRM user, so they show in getUpdated/getDeleted. */
const asCrmUser = (org: SfOrg): WriteContext => ({
  userId: org.state.crmUserId,
  now: org.now(),
  mode: 'json',
});

/** Salesforce as a `VendorDefinition`; the server is captured in `routes`, which runs first. */
export function salesforceVendor(): VendorDefinition<SfOrgState> {
  let server: SfServer | null = null;
  const registerDemoTokens = (org: SfOrg): void => {
    if (!server) return;
    const now = org.now();
    server.tokens.put({
      value: org.state.demoRefreshToken,
      kind: 'refresh',
      orgId: org.id,
      issuedAt: now,
      expiresAt: null,
      revoked: false,
      data: { userId: org.state.integrationUserId, scope: 'api refresh_token' },
    });
    server.tokens.put({
      value: org.state.demoAccessToken,
      kind: 'access',
      orgId: org.id,
      issuedAt: now,
      expiresAt: null,
      revoked: false,
      parent: org.state.demoRefreshToken,
      data: { userId: org.state.integrationUserId },
    });
  };
  return {
    name: 'salesforce',
    defaultCounts: SALESFORCE_DEFAULT_COUNTS,
    createState(org) {
      const state = createSalesforceState(org);
      org.state = state;
      registerDemoTokens(org);
      return state;
    },
    applySettings(org) {
      org.state.settings = salesforceSettingsSchema.parse(org.settings);
      org.state.store.configureCurrency(org.state.settings.currency, org.state.settings.multiCurrency);
    },
    bench: {
      org: {
        counts: { Contact: 500, Opportunity: 100, Account: 50 },
        settings: { dailyApiRequests: 1_000_000_000 },
      },
      request(org) {
        const contactId = org.state.store.table('Contact').keys().next().value as string;
        return {
          path: `/services/data/v62.0/sobjects/Contact/${contactId}?fields=Id,FirstName,LastName,Email`,
          headers: { authorization: `Bearer ${org.state.demoAccessToken}` },
        };
      },
    },
    writeItems: salesforceWriteItems,

    resolveOrg(request, s) {
      if (request.url.startsWith('/services/oauth2/')) return resolveOAuthOrg(request, s);
      const token = bearer(request) ?? (request.query as { oauth_token?: string }).oauth_token;
      return token ? s.tokens.find(token)?.orgId : undefined;
    },
    renderFault(fault, request, reply, org) {
      const oauth = request.url.startsWith('/services/oauth2/');
      if (fault.kind === 'rateLimit') {
        // Salesforce has no HTTP 429 for REST: the limit error is 403 REQUEST_LIMIT_EXCEEDED (docs/vendors/salesforce.md "Limits").
        if (oauth) return void sendOAuthError(reply, 400, 'rate_limit_exceeded', 'rate limit exceeded');
        void reply.header('Sforce-Limit-Info', limitInfo(org));
        return void sendErrors(reply, 403, [
          { errorCode: 'REQUEST_LIMIT_EXCEEDED', message: 'TotalRequests Limit exceeded.' },
        ]);
      }
      if (oauth) return void sendOAuthError(reply, fault.status, 'unknown_error', 'retry your request');
      if (fault.status === 502) {
        // A gateway error comes from the edge as an HTML page; jsforce special-cases text/html bodies.
        return void reply
          .code(502)
          .type('text/html')
          .send('<html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>');
      }
      const code = fault.status === 503 ? 'SERVER_UNAVAILABLE' : 'UNKNOWN_EXCEPTION';
      const message =
        fault.status === 503
          ? 'Server temporarily unavailable'
          : 'An unexpected error occurred. Please include this ErrorId if you contact support: 1958461301-12345 (-1428598716)';
      return void sendErrors(reply, fault.status, [{ errorCode: code, message }]);
    },
    routes(app, s) {
      server = s;
      app.setErrorHandler((err: FastifyError, request, reply) => {
        if (err instanceof SfHttpError) return sendErrors(reply, err.status, err.errors);
        if (request.url.startsWith('/services/oauth2/'))
          return sendOAuthError(reply, 400, 'invalid_request', err.message);
        if (err.statusCode === 415)
          return sendErrors(reply, 415, [
            {
              errorCode: 'UNSUPPORTED_MEDIA_TYPE',
              message: `Content type '${String(request.headers['content-type'])}' not supported`,
            },
          ]);
        if (err.statusCode === 413)
          return sendErrors(reply, 413, [
            { errorCode: 'REQUEST_TOO_LARGE', message: 'Request body is too large' },
          ]);
        if (err.statusCode && err.statusCode < 500)
          return sendErrors(reply, 400, [{ errorCode: 'JSON_PARSER_ERROR', message: err.message }]);
        return sendErrors(reply, 500, [{ errorCode: 'UNKNOWN_EXCEPTION', message: err.message }]);
      });
      app.setNotFoundHandler((request, reply) => {
        void reply.type(JSON_TYPE);
        return sendErrors(reply, 404, [
          { errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' },
        ]);
      });
      registerOAuthRoutes(app, s);
      registerDataApi(app, s, [
        registerDescribeRoutes,
        registerReplicationRoutes,
        registerSObjectRoutes,
        registerQueryRoutes,
        registerCollectionRoutes,
        (scope) => registerCompositeRoutes(scope, s),
        registerBulk2Routes,
      ]);
    },
    records: {
      create(org, object, fields) {
        return adminResult(
          org,
          object,
          org.state.store.create(adminObject(org, object), fields, asCrmUser(org)),
        );
      },
      update(org, object, id, fields) {
        return adminResult(
          org,
          object,
          org.state.store.update(adminObject(org, object), id, fields, asCrmUser(org)),
        );
      },
      remove(org, object, id) {
        const result = org.state.store.delete(adminObject(org, object), id, asCrmUser(org));
        if (!result.success)
          throw new SandboxAdminError(
            result.errors[0]?.errorCode === 'INVALID_CROSS_REFERENCE_KEY' ? 404 : 400,
            result.errors.map((e) => e.message).join('; '),
          );
        return { id: result.id, deleted: true };
      },
      get(org, object, id) {
        const obj = adminObject(org, object);
        const rec = org.state.store.get(obj.name, id);
        return rec ? renderRecord(obj, rec, 'v62.0') : undefined;
      },
      restore(org, object, id) {
        return adminResult(
          org,
          object,
          org.state.store.undelete(adminObject(org, object), id, asCrmUser(org)),
        );
      },
    },
    credentials(org, baseUrl) {
      return {
        loginUrl: baseUrl,
        instanceUrl: baseUrl,
        apiVersion: 'v62.0',
        clientId: org.state.clientId,
        clientSecret: org.state.clientSecret,
        username: org.state.username,
        organizationId: org.state.orgId,
        userId: org.state.integrationUserId,
        accessToken: org.state.demoAccessToken,
        refreshToken: org.state.demoRefreshToken,
        authorizeUrl: `${baseUrl}/services/oauth2/authorize`,
        tokenUrl: `${baseUrl}/services/oauth2/token`,
      };
    },
  };
}

/** A Salesforce sandbox server (not yet listening). Default: one org `default` with the default counts. */
export function createSalesforceSandbox(options?: SandboxServerOptions): SfServer {
  return createSandboxServer(salesforceVendor(), options);
}
