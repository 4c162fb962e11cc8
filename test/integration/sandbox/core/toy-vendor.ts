// A minimal vendor built on the sandbox core, so the framework is tested on its own, without any
// real vendor's rules in the way. It has tokens, records, a change feed, search and webhooks.
import {
  Prng,
  SandboxAdminError,
  type SandboxOrg,
  type SandboxServer,
  type VendorDefinition,
  createSandboxServer,
  fakePerson,
  timestampPlan,
} from '../../../../src/sandbox/core';

export interface ToyRecord {
  id: string;
  name: string;
  modifiedAt: number;
  deleted: boolean;
}
export interface ToyEvent {
  id: string;
  change: string;
}
export interface ToyState {
  records: Map<string, ToyRecord>;
  next: number;
}
type Org = SandboxOrg<ToyState, ToyEvent>;

function write(org: Org, id: string, name: string, change: string): ToyRecord {
  const rec = { id, name, modifiedAt: org.now(), deleted: false };
  org.state.records.set(id, rec);
  org.webhooks?.enqueue({ id, change });
  return rec;
}

export const toyVendor: VendorDefinition<ToyState, ToyEvent> = {
  name: 'toy',
  defaultCounts: { thing: 20 },
  createState(org) {
    const rng = new Prng(org.seed);
    const count = org.counts.thing ?? 0;
    const times = timestampPlan(rng, count, { startMs: 1_700_000_000_000, endMs: 1_700_100_000_000 });
    const records = new Map<string, ToyRecord>();
    for (let i = 0; i < count; i++) {
      const p = fakePerson(rng, i);
      records.set(`t${i}`, {
        id: `t${i}`,
        name: `${p.firstName} ${p.lastName}`,
        modifiedAt: times[i] as number,
        deleted: false,
      });
    }
    return { records, next: count };
  },
  resolveOrg(request, server) {
    const auth = request.headers.authorization ?? '';
    const token = auth.startsWith('Bearer ') ? auth.slice(7) : '';
    return server.tokens.find(token)?.orgId ?? (request.body as { org?: string } | undefined)?.org;
  },
  renderFault(fault, _request, reply) {
    if (fault.kind === 'rateLimit') void reply.code(429).send({ error: 'slow down' });
    else void reply.code(fault.status).send({ error: 'boom' });
  },
  routes(app, server: SandboxServer<ToyState, ToyEvent>) {
    app.post('/token', async (request, reply) => {
      const org = server.orgOf(request);
      if (!org) return reply.code(400).send({ error: 'unknown org' });
      const { grant, refresh } = request.body as { grant: string; refresh?: string };
      if (grant === 'refresh') {
        const check = server.tokens.check(refresh ?? '', 'refresh', org.now());
        if (!check.ok || org.faults.current.revokeRefreshTokens)
          return reply.code(400).send({ error: 'invalid_grant' });
      }
      const ttl = org.faults.current.accessTokenTtlMs ?? 3_600_000;
      const access = server.tokens.issue(org.id, 'access', org.now(), { ttlMs: ttl, prefix: 'acc_' });
      const r = server.tokens.issue(org.id, 'refresh', org.now(), { ttlMs: null, prefix: 'ref_' });
      return { access: access.value, refresh: r.value };
    });
    app.route({
      method: 'GET',
      url: '/things/:id',
      handler: async (request, reply) => {
        const org = server.orgOf(request);
        const token = (request.headers.authorization ?? '').slice(7);
        if (!org || !server.tokens.check(token, 'access', org.now()).ok)
          return reply.code(401).send({ error: 'expired' });
        const rec = org.state.records.get((request.params as { id: string }).id);
        return rec ?? reply.code(404).send({ error: 'not found' });
      },
    });
    app.get('/search', async (request) => {
      const org = server.orgOf(request);
      if (!org) return [];
      const lag = org.faults.current.indexLagMs;
      return [...org.state.records.values()].filter((r) => r.modifiedAt + lag <= org.now()).map((r) => r.id);
    });
    app.post('/things', async (request, reply) => {
      const org = server.orgOf(request);
      if (!org) return reply.code(401).send({ error: 'no org' });
      const rec = write(org, `t${org.state.next++}`, (request.body as { name: string }).name, 'create');
      return reply.code(201).send(rec);
    });
    app.get('/versions', { config: { sandbox: { faults: false } } }, async () => ['v1']);
  },
  records: {
    create(org, _object, fields) {
      if (typeof fields.name !== 'string') throw new SandboxAdminError(400, 'name is required');
      return write(org, `t${org.state.next++}`, fields.name, 'create');
    },
    update(org, _object, id, fields) {
      if (!org.state.records.has(id)) throw new SandboxAdminError(404, `no ${id}`);
      return write(org, id, String(fields.name), 'update');
    },
    remove(org, _object, id) {
      const rec = org.state.records.get(id);
      if (!rec) throw new SandboxAdminError(404, `no ${id}`);
      rec.deleted = true;
      org.webhooks?.enqueue({ id, change: 'delete' });
      return rec;
    },
    get(org, _object, id) {
      return org.state.records.get(id);
    },
  },
  credentials(org, baseUrl) {
    return { baseUrl, org: org.id };
  },
  webhooks: {
    maxBatch: 5,
    batchWindowMs: 10,
    retries: 1,
    retryDelayMs: 10,
    build(events) {
      return { headers: { 'content-type': 'application/json' }, body: JSON.stringify(events) };
    },
  },
};

export function createToyServer(): SandboxServer<ToyState, ToyEvent> {
  return createSandboxServer(toyVendor, {
    orgs: [
      { id: 'a', seed: 1 },
      { id: 'b', seed: 2, counts: { thing: 5 } },
    ],
  });
}
