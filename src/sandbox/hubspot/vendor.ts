// The HubSpot sandbox as a framework vendor: one org = one portal, one app across the server.
import crypto from 'node:crypto';
import { type FastifyRequest } from 'fastify';
import { z } from 'zod';
import {
  createSandboxServer,
  SandboxAdminError,
  type InjectedFault,
  type SandboxServerOptions,
  type VendorDefinition,
} from '../core';
import { registerAccountRoutes } from './account';
import { registerAssociationRoutes } from './associations';
import { registerBatchRoutes } from './batch';
import { ACCOUNT, DEFAULT_SEED, DEMO, TIER_LIMITS } from './constants';
import { HsError, serverError } from './errors';
import { bearer, objectType, renderRecord } from './http';
import { type Caller, DEFAULT_LIMITS, PortalLimits } from './limits';
import { registerObjectRoutes } from './objects';
import { DEFAULT_SCOPES, registerOAuthRoutes, resolveOAuthOrg } from './oauth';
import { registerPipelineRoutes } from './pipelines';
import { registerPropertyRoutes } from './properties';
import { registerSearchRoutes } from './search';
import { seedPortal } from './seed';
import {
  DEFAULT_BEHAVIOUR,
  defaultAppState,
  portalIdFor,
  privateAppTokenFor,
  type HubSpotAppState,
  type HubSpotOrg,
  type HubSpotOrgState,
  type HubSpotSandboxOptions,
  type HubSpotServer,
  type HubSpotWebhookEvent,
} from './state';
import { PortalStore } from './store';
import {
  applyTarget,
  defaultRetryRules,
  eventsFor,
  registerWebhookRoutes,
  retryPolicy,
  scheduleDelay,
  webhookTransport,
} from './webhooks';
import { hubspotWriteItems } from './write-items';

/**
 * Per-portal settings (`OrgOptions.settings`, `PATCH /__sandbox/orgs/:org/settings`): the limit figures
 * of {@link LimitSettings} and the {@link HubSpotBehaviour} switches, flat. Unknown keys are refused.
 */
const settingsSchema = z
  .object({
    tier: z.enum(Object.keys(TIER_LIMITS) as [keyof typeof TIER_LIMITS]).optional(),
    burst: z.number().int().min(1).optional(),
    daily: z.number().int().min(1).optional(),
    oauthBurst: z.number().int().min(1).optional(),
    oauthDaily: z.boolean().optional(),
    searchPerSecond: z.number().int().min(1).optional(),
    legacySecondlyHeaders: z.boolean().optional(),
    timeZoneOffsetMinutes: z.number().int().min(-720).max(840).optional(),
    retryAfterSeconds: z.number().int().min(0).nullable().optional(),
    batchValidation: z.enum(['whole-batch', 'per-record']).optional(),
    listLimitOverflow: z.enum(['reject', 'clamp']).optional(),
    /** The portal's company currency, as `/account-info/v3/details` reports it. */
    companyCurrency: z
      .string()
      .regex(/^[A-Z]{3}$/)
      .optional(),
    // Webhook retries (docs/vendors/hubspot.md "Webhooks"). Whether 4xx answers are retried is UNVERIFIED (current vs older docs), and
    // HubSpot's real schedule (10 retries, randomised, over 24 h) is too slow for tests: all three
    // change at run time per portal, and apply to deliveries already waiting for a retry.
    webhookRetry4xx: z.boolean().optional(),
    webhookRetries: z.number().int().min(0).max(100).optional(),
    /** Delay before retry n is entry n-1 (the last repeats), ms. */
    webhookRetryScheduleMs: z.array(z.number().int().min(0)).min(1).optional(),
  })
  .strict();

function callerOf(request: FastifyRequest, org: HubSpotOrg): Caller {
  const token = bearer(request) ?? '';
  return token === org.state.privateAppToken
    ? { kind: 'private_app', token }
    : { kind: 'oauth', appId: DEMO.appId };
}

function adminError(err: unknown): never {
  if (err instanceof HsError) throw new SandboxAdminError(err.statusCode, err.message);
  throw err;
}

/** Builds the vendor definition; each server gets its own, so app-level state is per server. */
export function hubspotVendor(
  options: HubSpotSandboxOptions = {},
): VendorDefinition<HubSpotOrgState, HubSpotWebhookEvent> {
  const appState: HubSpotAppState = defaultAppState();
  let server: HubSpotServer | null = null;
  const privateAppOrgs = new Map<string, string>();

  return {
    name: 'hubspot',
    defaultCounts: { contacts: DEFAULT_SEED.contacts, deals: DEFAULT_SEED.deals },
    webhooks: webhookTransport(options),

    createState(org) {
      if (!server) throw new Error('hubspot vendor: routes() must run before an org is created');
      const portalId = portalIdFor(org.id);
      const store = new PortalStore({
        now: () => org.now(),
        indexLagMs: () => org.faults.current.indexLagMs,
      });
      seedPortal(store, { seed: org.seed, contacts: org.counts.contacts, deals: org.counts.deals });
      // Listeners attach after seeding: seed data raises no webhooks.
      store.onChange((change) => {
        for (const event of eventsFor(appState, portalId, change)) org.webhooks?.enqueue(event);
      });
      const privateAppToken = privateAppTokenFor(portalId);
      // Kept out of the core token store: a private-app token never expires and is not an OAuth
      // token, so the admin "expire/revoke all tokens" calls must not touch it.
      privateAppOrgs.set(privateAppToken, org.id);
      if (appState.targetUrl && !org.webhooks?.target) applyTarget(org, appState);
      return {
        portalId,
        privateAppToken,
        store,
        limits: new PortalLimits(portalId, DEMO.appId, options.limits),
        behaviour: { ...DEFAULT_BEHAVIOUR, ...options.behaviour },
        companyCurrency: ACCOUNT.companyCurrency,
      };
    },

    applySettings(org) {
      const {
        batchValidation,
        listLimitOverflow,
        webhookRetry4xx,
        webhookRetries,
        webhookRetryScheduleMs,
        companyCurrency,
        ...limits
      } = settingsSchema.parse(org.settings);
      org.state.companyCurrency = companyCurrency ?? ACCOUNT.companyCurrency;
      const base = defaultRetryRules(options);
      if (org.webhooks) {
        org.webhooks.retryPolicy = retryPolicy({
          retry4xx: webhookRetry4xx ?? base.retry4xx,
          retries: webhookRetries ?? base.retries,
          retryDelay: webhookRetryScheduleMs ? scheduleDelay(webhookRetryScheduleMs) : base.retryDelay,
        });
      }
      org.state.limits.settings = { ...DEFAULT_LIMITS, ...options.limits, ...limits };
      org.state.behaviour = {
        ...DEFAULT_BEHAVIOUR,
        ...options.behaviour,
        ...(batchValidation ? { batchValidation } : {}),
        ...(listLimitOverflow ? { listLimitOverflow } : {}),
      };
    },

    bench: {
      org: {
        counts: { contacts: 500, deals: 100 },
        settings: { burst: 1_000_000_000, daily: 1_000_000_000 },
      },
      request(org) {
        const store = org.state.store;
        const contactId = store.order.contacts.find((id) => !store.get('contacts', id)?.archived);
        return {
          path: `/crm/v3/objects/contacts/${String(contactId)}?properties=email,firstname,lastname`,
          headers: { authorization: `Bearer ${org.state.privateAppToken}` },
        };
      },
    },

    routes(app, srv) {
      server = srv;
      registerOAuthRoutes(app, srv);
      registerObjectRoutes(app, srv);
      registerBatchRoutes(app, srv);
      registerSearchRoutes(app, srv);
      registerAssociationRoutes(app, srv);
      registerPropertyRoutes(app, srv);
      registerPipelineRoutes(app, srv);
      registerWebhookRoutes(app, srv, appState);
      registerAccountRoutes(app, srv);
      // Unparseable bodies get HubSpot's VALIDATION_ERROR shape, not fastify's default error object.
      app.setErrorHandler((err: { statusCode?: number; message: string }, _request, reply) => {
        const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
        const error =
          status === 500
            ? serverError(500)
            : new HsError(status, 'VALIDATION_ERROR', `Invalid input JSON: ${err.message}`);
        void reply.code(status).send(error.body());
      });
      app.setNotFoundHandler((request, reply) => {
        void reply.code(404).send({
          status: 'error',
          message: `No route matches ${request.method} ${request.url.split('?')[0]}`,
          correlationId: crypto.randomUUID(),
          category: 'OBJECT_NOT_FOUND',
        });
      });
    },

    writeItems: hubspotWriteItems,

    resolveOrg(request, srv) {
      if (request.url.startsWith('/oauth/')) return resolveOAuthOrg(srv, request);
      const token = bearer(request);
      return token ? (privateAppOrgs.get(token) ?? srv.tokens.find(token)?.orgId) : undefined;
    },

    renderFault(fault: InjectedFault, request, reply, org) {
      reply.header('x-hubspot-correlation-id', crypto.randomUUID());
      if (fault.kind === 'serverError') {
        void reply.code(fault.status).type('application/json').send(serverError(fault.status).body());
        return;
      }
      const isSearch = /\/search$/.test(request.url.split('?')[0] ?? '');
      if (isSearch) {
        void reply.code(429).type('application/json').send({
          status: 'error',
          message: 'You have reached your secondly limit.',
          errorType: 'RATE_LIMIT',
          correlationId: crypto.randomUUID(),
          policyName: 'SECONDLY',
        });
        return;
      }
      const caller = callerOf(request, org);
      const max = caller.kind === 'oauth' ? org.state.limits.settings.oauthBurst : org.state.limits.burstMax;
      reply.headers({
        'x-hubspot-ratelimit-interval-milliseconds': '10000',
        'x-hubspot-ratelimit-max': String(max),
        'x-hubspot-ratelimit-remaining': '0',
      });
      void reply.code(429).type('application/json').send(org.state.limits.stormBody(caller));
    },

    records: {
      create(org, object, fields) {
        try {
          const type = objectType(object);
          return renderRecord(
            org.state.store.create(type, fields, 'CRM_UI'),
            org.state.store.properties[type],
            { properties: 'all' },
          );
        } catch (err) {
          return adminError(err);
        }
      },
      update(org, object, id, fields) {
        try {
          const type = objectType(object);
          return renderRecord(
            org.state.store.update(type, id, fields, 'CRM_UI'),
            org.state.store.properties[type],
            { properties: 'all' },
          );
        } catch (err) {
          return adminError(err);
        }
      },
      remove(org, object, id) {
        try {
          org.state.store.archive(objectType(object), id, 'CRM_UI');
          return { archived: true };
        } catch (err) {
          return adminError(err);
        }
      },
      get(org, object, id) {
        try {
          const type = objectType(object);
          const rec = org.state.store.get(type, id);
          return rec ? renderRecord(rec, org.state.store.properties[type], { properties: 'all' }) : undefined;
        } catch (err) {
          return adminError(err);
        }
      },
      restore(org, object, id) {
        try {
          const type = objectType(object);
          return renderRecord(org.state.store.restore(type, id, 'CRM_UI'), org.state.store.properties[type], {
            properties: 'all',
          });
        } catch (err) {
          return adminError(err);
        }
      },
    },

    credentials(org, baseUrl) {
      const authorize = new URL(`${baseUrl}/oauth/authorize`);
      authorize.searchParams.set('client_id', DEMO.clientId);
      authorize.searchParams.set('scope', DEFAULT_SCOPES.join(' '));
      authorize.searchParams.set('portalId', String(org.state.portalId));
      return {
        baseUrl,
        portalId: org.state.portalId,
        appId: DEMO.appId,
        privateAppToken: org.state.privateAppToken,
        clientId: DEMO.clientId,
        clientSecret: DEMO.clientSecret,
        webhookSecret: DEMO.clientSecret,
        developerApiKey: DEMO.developerApiKey,
        authorizeUrl: `${authorize.toString()}&redirect_uri=<your callback>`,
        tokenUrl: `${baseUrl}/oauth/v1/token`,
      };
    },
  };
}

/** A HubSpot sandbox server (not yet listening): `await createHubSpotSandbox().listen()`. */
export function createHubSpotSandbox(
  serverOptions: SandboxServerOptions = {},
  options: HubSpotSandboxOptions = {},
): HubSpotServer {
  return createSandboxServer(hubspotVendor(options), serverOptions);
}
