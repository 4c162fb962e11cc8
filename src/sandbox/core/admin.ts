import { type FastifyInstance, type FastifyReply } from 'fastify';
import { z, ZodError } from 'zod';
import { type SandboxServer } from './server';
import { SandboxAdminError } from './types';

/** Every admin path starts here; vendors must not serve anything under it. */
export const ADMIN_PREFIX = '/__sandbox';

const orgBody = z.object({
  id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
  seed: z.number().int().optional(),
  counts: z.record(z.string(), z.number().int().min(0).max(1_000_000)).optional(),
  settings: z.record(z.string(), z.unknown()).optional(),
});
const resetBody = orgBody.omit({ id: true, settings: true }).strict();
const clockBody = z.union([
  z.object({ offsetMs: z.number().int() }).strict(),
  z.object({ advanceMs: z.number().int() }).strict(),
]);
const webhookBody = z.object({
  url: z.string().url(),
  secret: z.string().optional(),
  settings: z.record(z.string(), z.unknown()).optional(),
});
const fieldsBody = z.record(z.string(), z.unknown());

type OrgParams = { orgId: string };
type RecordParams = { orgId: string; object: string; id: string };

function sendError(reply: FastifyReply, err: unknown): FastifyReply {
  if (err instanceof ZodError)
    return reply.code(400).send({ error: 'invalid admin request', issues: err.issues });
  if (err instanceof SandboxAdminError) return reply.code(err.status).send({ error: err.message });
  if (err instanceof Error && err.message.startsWith('no sandbox org'))
    return reply.code(404).send({ error: err.message });
  if (err instanceof Error && err.message.includes('already exists'))
    return reply.code(409).send({ error: err.message });
  throw err;
}

function requestBase(request: { protocol: string; host: string }): string {
  return `${request.protocol}://${request.host}`;
}

/**
 * The admin API, documented in `index.ts`. Answers are plain JSON (never the vendor's error format):
 * it is our API, not the vendor's.
 */
export function registerAdminRoutes<TState, TEvent>(
  app: FastifyInstance,
  server: SandboxServer<TState, TEvent>,
): void {
  const config = { sandbox: { admin: true } };
  const r = <P>(
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    url: string,
    handler: (params: P, body: unknown, query: Record<string, string>, base: string) => unknown,
    okStatus = 200,
  ): void => {
    app.route({
      method,
      url: `${ADMIN_PREFIX}${url}`,
      config,
      handler: async (request, reply) => {
        try {
          const out = await handler(
            request.params as P,
            request.body ?? {},
            request.query as Record<string, string>,
            requestBase(request),
          );
          return reply.code(okStatus).send(out ?? { ok: true });
        } catch (err) {
          return sendError(reply, err);
        }
      },
    });
  };

  r('GET', '/orgs', () =>
    [...server.orgs.values()].map((o) => ({ id: o.id, seed: o.seed, counts: o.counts })),
  );
  r(
    'POST',
    '/orgs',
    (_p, body) => {
      const o = server.createOrg(orgBody.parse(body));
      return { id: o.id, seed: o.seed, counts: o.counts };
    },
    201,
  );
  r<OrgParams>('DELETE', '/orgs/:orgId', (p) => server.dropOrg(p.orgId));
  r<OrgParams>('POST', '/orgs/:orgId/reset', (p, body) => {
    const o = server.resetOrg(p.orgId, resetBody.parse(body));
    return { id: o.id, seed: o.seed, counts: o.counts };
  });
  r<OrgParams>('GET', '/orgs/:orgId/credentials', (p, _b, _q, base) =>
    server.vendor.credentials(server.org(p.orgId), base),
  );

  r<OrgParams>('GET', '/orgs/:orgId/settings', (p) => server.org(p.orgId).settings);
  r<OrgParams>('PATCH', '/orgs/:orgId/settings', (p, body) =>
    server.patchSettings(p.orgId, fieldsBody.parse(body)),
  );

  r<OrgParams>('GET', '/orgs/:orgId/faults', (p) => server.org(p.orgId).faults.current);
  r<OrgParams>('PUT', '/orgs/:orgId/faults', (p, body) => server.org(p.orgId).faults.replace(body));
  r<OrgParams>('PATCH', '/orgs/:orgId/faults', (p, body) => server.org(p.orgId).faults.patch(body));
  r<OrgParams>('DELETE', '/orgs/:orgId/faults', (p) => {
    server.org(p.orgId).faults.clear();
    return server.org(p.orgId).faults.current;
  });

  r<OrgParams>('GET', '/orgs/:orgId/requests', (p, _b, q) =>
    server.org(p.orgId).log.snapshot(Number(q.limit ?? 100)),
  );
  r<OrgParams>('DELETE', '/orgs/:orgId/requests', (p) => server.org(p.orgId).log.clear());
  r('GET', '/requests/unattributed', (_p, _b, q) => server.unattributed.snapshot(Number(q.limit ?? 100)));

  const clockView = (id: string): { now: string; nowMs: number; offsetMs: number } => {
    const clock = server.org(id).clock;
    return { now: new Date(clock.now()).toISOString(), nowMs: clock.now(), offsetMs: clock.offsetMs };
  };
  r<OrgParams>('GET', '/orgs/:orgId/clock', (p) => clockView(p.orgId));
  r<OrgParams>('PUT', '/orgs/:orgId/clock', (p, body) => {
    const parsed = clockBody.parse(body);
    const clock = server.org(p.orgId).clock;
    if ('offsetMs' in parsed) clock.setOffset(parsed.offsetMs);
    else clock.advance(parsed.advanceMs);
    return clockView(p.orgId);
  });

  r<OrgParams>('POST', '/orgs/:orgId/tokens/expire', (p) => {
    const org = server.org(p.orgId);
    return { expired: server.tokens.expireAll(org.id, 'access', org.now()) };
  });
  r<OrgParams>('POST', '/orgs/:orgId/tokens/revoke', (p) => ({
    revoked: server.tokens.revokeAll(server.org(p.orgId).id, 'refresh'),
  }));

  const dispatcher = (id: string) => {
    const hooks = server.org(id).webhooks;
    if (!hooks) throw new SandboxAdminError(404, `${server.vendor.name} has no webhooks`);
    return hooks;
  };
  r<OrgParams>('GET', '/orgs/:orgId/webhooks', (p, _b, q) => {
    const hooks = dispatcher(p.orgId);
    return { target: hooks.target, stats: hooks.stats, deliveries: hooks.deliveries(Number(q.limit ?? 100)) };
  });
  r<OrgParams>('PUT', '/orgs/:orgId/webhooks', (p, body) => {
    const hooks = dispatcher(p.orgId);
    hooks.target = webhookBody.parse(body);
    return { target: hooks.target };
  });
  r<OrgParams>('DELETE', '/orgs/:orgId/webhooks', (p) => {
    dispatcher(p.orgId).target = null;
  });
  r<OrgParams>('POST', '/orgs/:orgId/webhooks/flush', async (p) => {
    const hooks = dispatcher(p.orgId);
    await hooks.idle();
    return { stats: hooks.stats };
  });

  const records = server.vendor.records;
  r<RecordParams>(
    'POST',
    '/orgs/:orgId/records/:object',
    (p, body) => records.create(server.org(p.orgId), p.object, fieldsBody.parse(body)),
    201,
  );
  r<RecordParams>('GET', '/orgs/:orgId/records/:object/:id', (p) => {
    const found = records.get(server.org(p.orgId), p.object, p.id);
    if (found === undefined) throw new SandboxAdminError(404, `no ${p.object} ${p.id}`);
    return found;
  });
  r<RecordParams>('PATCH', '/orgs/:orgId/records/:object/:id', (p, body) =>
    records.update(server.org(p.orgId), p.object, p.id, fieldsBody.parse(body)),
  );
  r<RecordParams>('DELETE', '/orgs/:orgId/records/:object/:id', (p) =>
    records.remove(server.org(p.orgId), p.object, p.id),
  );
  r<RecordParams>('POST', '/orgs/:orgId/records/:object/:id/restore', (p) => {
    if (!records.restore)
      throw new SandboxAdminError(404, `${server.vendor.name} sandbox cannot restore records`);
    return records.restore(server.org(p.orgId), p.object, p.id);
  });
}
