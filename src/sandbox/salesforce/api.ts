import { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { sendErrors } from './errors';
import {
  bearer,
  callContext,
  instanceUrl,
  sendJson,
  setCallContext,
  type SfOrg,
  type SfServer,
} from './context';
import { SF_VERSIONS } from './settings';
import { registerUnmatchedRoutes } from './unmatched';
import { apiUsed, countApiCall } from './state';

const VERSION_RE = /^v(\d+)\.0$/;
const inFlight = new WeakMap<FastifyRequest, { org: SfOrg; entry: { startedAt: number } }>();

/** Release names of the versions we label; others are labelled by number (UNVERIFIED labels). */
const RELEASES: Record<number, string> = {
  58: "Summer '23",
  59: "Winter '24",
  60: "Spring '24",
  61: "Summer '24",
  62: "Winter '25",
  63: "Spring '25",
  64: "Summer '25",
  65: "Winter '26",
  66: "Spring '26",
  67: "Summer '26",
  68: "Winter '27",
};

export function limitInfo(org: SfOrg): string {
  return `api-usage=${apiUsed(org.state, org.now())}/${org.state.settings.dailyApiRequests}`;
}

function orgFromBearer(request: FastifyRequest, server: SfServer): SfOrg | undefined {
  const token = bearer(request);
  const id = token ? server.tokens.find(token)?.orgId : undefined;
  return id ? server.orgs.get(id) : undefined;
}

/**
 * Everything under /services/data/vXX.X runs through this guard, in Salesforce's order: the version
 * (410 when retired), the session (401 INVALID_SESSION_ID), the rolling daily allocation and the
 * long-request concurrency limit (403 REQUEST_LIMIT_EXCEEDED), then the call is counted.
 */
async function guard(
  server: SfServer,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<FastifyReply | undefined> {
  const { version } = request.params as { version: string };
  const m = VERSION_RE.exec(version);
  if (!m)
    return sendErrors(reply, 404, [
      { errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' },
    ]);
  const versionNumber = Number(m[1]);
  const org = server.orgOf(request);
  const settings = org?.state.settings;
  if (settings && versionNumber > settings.maxVersion) {
    return sendErrors(reply, 404, [
      { errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' },
    ]);
  }
  if (versionNumber < (settings?.minVersion ?? SF_VERSIONS.min)) {
    // The 410 status is documented; the body is UNVERIFIED.
    return sendErrors(reply, 410, [
      { errorCode: 'API_VERSION_RETIRED', message: `API version ${versionNumber}.0 has been retired` },
    ]);
  }
  const token = bearer(request);
  const check = org && token ? server.tokens.check(token, 'access', org.now()) : undefined;
  if (!org || !check?.ok) {
    void reply.header('WWW-Authenticate', 'Token');
    return sendErrors(reply, 401, [
      { errorCode: 'INVALID_SESSION_ID', message: 'Session expired or invalid' },
    ]);
  }
  setCallContext(request, {
    org,
    version,
    versionNumber,
    userId: check.token.data.userId ?? org.state.integrationUserId,
  });
  if (server.isInternal(request)) return undefined;
  const now = org.now();
  if (apiUsed(org.state, now) >= org.state.settings.dailyApiRequests) {
    return sendErrors(reply, 403, [
      { errorCode: 'REQUEST_LIMIT_EXCEEDED', message: 'TotalRequests Limit exceeded.' },
    ]);
  }
  const mine = inFlight.get(request)?.entry;
  let long = 0;
  const wallNow = Date.now();
  for (const e of org.state.inFlight)
    if (e !== mine && wallNow - e.startedAt >= org.state.settings.longRequestMs) long++;
  if (long >= org.state.settings.concurrentLongRequests) {
    // UNVERIFIED message text; the code is documented for this limit.
    return sendErrors(reply, 403, [
      { errorCode: 'REQUEST_LIMIT_EXCEEDED', message: 'ConcurrentPerOrgLongTxn Limit exceeded.' },
    ]);
  }
  countApiCall(org.state, now);
  return undefined;
}

/** Registers the data-API scope; `register` adds the area routes inside it (paths relative to vXX.X). */
export function registerDataApi(
  app: FastifyInstance,
  server: SfServer,
  areas: ((scope: FastifyInstance) => void)[],
): void {
  app.get('/services/data', async (request, reply) => {
    const org = orgFromBearer(request, server);
    const min = org?.state.settings.minVersion ?? SF_VERSIONS.min;
    const max = org?.state.settings.maxVersion ?? SF_VERSIONS.max;
    const out = [];
    for (let v = Math.ceil(min); v <= max; v++) {
      out.push({ label: RELEASES[v] ?? `Version ${v}.0`, url: `/services/data/v${v}.0`, version: `${v}.0` });
    }
    return sendJson(reply, 200, out);
  });

  void app.register(
    async (scope) => {
      const addCatchAll = registerUnmatchedRoutes(scope);
      // Long-request accounting starts when the request arrives, before any injected latency.
      scope.addHook('onRequest', async (request) => {
        const org = orgFromBearer(request, server);
        if (!org || server.isInternal(request)) return;
        const entry = { startedAt: Date.now() };
        org.state.inFlight.add(entry);
        inFlight.set(request, { org, entry });
      });
      const release = async (request: FastifyRequest): Promise<void> => {
        const held = inFlight.get(request);
        if (held) held.org.state.inFlight.delete(held.entry);
      };
      scope.addHook('onResponse', release);
      scope.addHook('onRequestAbort', release);
      scope.addHook('preHandler', async (request, reply) => {
        if (reply.sent) return;
        const out = await guard(server, request, reply);
        if (out) return out;
      });
      // Every response carries the usage header, errors included (docs/vendors/salesforce.md "Limits").
      scope.addHook('onSend', async (request, reply, payload) => {
        const org = server.orgOf(request);
        if (org && !server.isInternal(request)) void reply.header('Sforce-Limit-Info', limitInfo(org));
        return payload;
      });

      scope.get('/', async (request, reply) => {
        const { version } = request.params as { version: string };
        const base = `/services/data/${version}`;
        const { org, userId } = callContext(request);
        // Only resources the sandbox serves (no recent, search, tooling…), so clients never follow a 404.
        const resources = ['sobjects', 'query', 'queryAll', 'composite', 'limits', 'jobs'];
        const body: Record<string, string> = {};
        for (const r of resources) body[r] = `${base}/${r}`;
        body.identity = `${instanceUrl(request)}/id/${org.state.orgId}/${userId}`;
        return sendJson(reply, 200, body);
      });

      scope.get('/limits', async (request, reply) => {
        const org = server.orgOf(request) as SfOrg;
        const max = org.state.settings.dailyApiRequests;
        const used = apiUsed(org.state, org.now());
        const queryJobs = [...org.state.jobs.values()].filter((j) => j.kind === 'query').length;
        const ingestJobs = [...org.state.jobs.values()].filter((j) => j.kind === 'ingest').length;
        return sendJson(reply, 200, {
          DailyApiRequests: { Max: max, Remaining: Math.max(0, max - used) },
          DailyBulkApiBatches: { Max: 15000, Remaining: 15000 - ingestJobs },
          DailyBulkV2QueryJobs: { Max: 10000, Remaining: 10000 - queryJobs },
          DailyBulkV2QueryFileStorageMB: { Max: 976562, Remaining: 976562 },
          ConcurrentAsyncGetReportInstances: { Max: 200, Remaining: 200 },
          DataStorageMB: { Max: 5, Remaining: 5 },
          FileStorageMB: { Max: 20, Remaining: 20 },
        });
      });

      for (const area of areas) area(scope);
      addCatchAll();
    },
    { prefix: '/services/data/:version' },
  );
}
