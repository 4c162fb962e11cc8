import { parse as parseQuery } from 'node:querystring';
import { randomBytes } from 'node:crypto';
import fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { registerAdminRoutes } from './admin';
import { SandboxOrg } from './org';
import { RequestLog } from './request-log';
import { TokenStore } from './tokens';
import { type OrgOptions, type SeedCounts, type VendorDefinition } from './types';

export interface SandboxServerOptions {
  /** Orgs created at start. @defaultValue one org with id `default` */
  orgs?: OrgOptions[];
  /** Seed for orgs that do not name one. @defaultValue 42 */
  defaultSeed?: number;
  /** Request-log ring size per org. @defaultValue 2000 */
  requestLogCapacity?: number;
  /** Largest request body (Bulk uploads are big). @defaultValue 150 MB, the largest bulk upload a vendor we simulate takes */
  bodyLimit?: number;
}

export interface ListenOptions {
  /** @defaultValue 0 (a free port) */
  port?: number;
  /** @defaultValue 127.0.0.1 */
  host?: string;
}

export interface InternalRequest {
  method: string;
  /** Path and query, e.g. `/services/data/v62.0/sobjects/Account`. */
  url: string;
  headers?: Record<string, string>;
  payload?: string;
}

export interface InternalResponse {
  statusCode: number;
  headers: Headers;
  body: string;
}

export interface ListeningSandbox {
  /** e.g. `http://127.0.0.1:53211` — no trailing slash. */
  baseUrl: string;
  close(): Promise<void>;
}

interface RequestState<TState, TEvent> {
  org?: SandboxOrg<TState, TEvent>;
  at: number;
  fault?: 'serverError' | 'rateLimit' | 'lostResponse';
  /** What `faults.latency()` drew for this request: logged, so tests can check it without a stopwatch. */
  latencyMs?: number;
  logged?: boolean;
  internal?: boolean;
  /** The client closed the connection before the response was sent. */
  aborted?: boolean;
}

const INTERNAL_HEADER = 'x-sandbox-internal';

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * One vendor's HTTP server: the vendor's routes, the `/__sandbox` admin API, the fault layer and the
 * request log around them, and its orgs. Create with `createSandboxServer(vendor, options)`.
 */
export class SandboxServer<TState, TEvent = never> {
  readonly app: FastifyInstance;
  readonly tokens = new TokenStore();
  /** Requests no org could be resolved for (unknown tokens, bad client ids). */
  readonly unattributed: RequestLog;
  private readonly orgMap = new Map<string, SandboxOrg<TState, TEvent>>();
  private readonly perRequest = new WeakMap<FastifyRequest, RequestState<TState, TEvent>>();
  private listeningUrl: string | null = null;
  /** Only this process knows it, so outside clients cannot pass for internal sub-requests. */
  private readonly internalSecret = randomBytes(16).toString('hex');

  constructor(
    readonly vendor: VendorDefinition<TState, TEvent>,
    private readonly options: SandboxServerOptions = {},
  ) {
    this.unattributed = new RequestLog(options.requestLogCapacity ?? 2000);
    this.app = fastify({
      logger: false,
      bodyLimit: options.bodyLimit ?? 150 * 1024 * 1024,
      forceCloseConnections: true,
      // Vendor paths carry their own trailing-slash rules (some accept both).
      routerOptions: { ignoreTrailingSlash: true, maxParamLength: 500 },
    });
    this.app.addContentTypeParser(
      'application/x-www-form-urlencoded',
      { parseAs: 'string' },
      (_req, body, done) => done(null, parseQuery(body as string)),
    );
    this.app.addContentTypeParser(['text/csv', 'text/plain'], { parseAs: 'string' }, (_req, body, done) =>
      done(null, body),
    );
    this.installHooks();
    registerAdminRoutes(this.app, this);
    vendor.routes(this.app, this);
    for (const org of options.orgs ?? [{ id: 'default' }]) this.createOrg(org);
  }

  get orgs(): ReadonlyMap<string, SandboxOrg<TState, TEvent>> {
    return this.orgMap;
  }

  /** The org with this id; throws when there is none. */
  org(id = 'default'): SandboxOrg<TState, TEvent> {
    const org = this.orgMap.get(id);
    if (!org)
      throw new Error(
        `no sandbox org "${id}" on ${this.vendor.name}; orgs: ${[...this.orgMap.keys()].join(', ')}`,
      );
    return org;
  }

  createOrg(options: OrgOptions): SandboxOrg<TState, TEvent> {
    if (this.orgMap.has(options.id)) throw new Error(`sandbox org "${options.id}" already exists`);
    const org = new SandboxOrg<TState, TEvent>(
      options.id,
      options.seed ?? this.options.defaultSeed ?? 42,
      this.mergeCounts(options.counts),
      this.options.requestLogCapacity ?? 2000,
      this.vendor.webhooks,
    );
    org.settings = { ...(options.settings ?? {}) };
    org.state = this.vendor.createState(org);
    this.vendor.applySettings?.(org);
    this.orgMap.set(org.id, org);
    return org;
  }

  /**
   * Fresh seed data, no faults, an empty request log and a zero clock offset. Issued tokens and the
   * webhook target survive, so connected clients keep working across a reset.
   */
  resetOrg(id: string, options: { seed?: number; counts?: SeedCounts } = {}): SandboxOrg<TState, TEvent> {
    const org = this.org(id);
    if (options.seed !== undefined) org.seed = options.seed;
    if (options.counts) org.counts = this.mergeCounts(options.counts);
    org.faults.clear();
    org.clock.setOffset(0);
    org.log.clear();
    org.webhooks?.reset();
    org.state = this.vendor.createState(org);
    this.vendor.applySettings?.(org);
    return org;
  }

  /** Merges raw settings into an org; the vendor validates them (a rejected patch changes nothing). */
  patchSettings(id: string, patch: Record<string, unknown>): Record<string, unknown> {
    const org = this.org(id);
    const before = org.settings;
    org.settings = { ...before, ...patch };
    try {
      this.vendor.applySettings?.(org);
    } catch (err) {
      org.settings = before;
      this.vendor.applySettings?.(org);
      throw err;
    }
    return org.settings;
  }

  dropOrg(id: string): void {
    const org = this.org(id);
    void org.webhooks?.cancel();
    this.orgMap.delete(id);
    this.tokens.dropOrg(id);
  }

  /** The org the core resolved for a vendor request (set before the handler runs). */
  orgOf(request: FastifyRequest): SandboxOrg<TState, TEvent> | undefined {
    return this.perRequest.get(request)?.org;
  }

  /**
   * Replays a sub-request against this server (a vendor batch endpoint running its parts through the
   * same routes): it is not faulted, not logged, and `isInternal` tells the vendor not to count it
   * again. It goes over loopback HTTP rather than fastify's inject, which cannot load under Jest and
   * retains memory per call; so the server must be listening.
   */
  async injectInternal(request: InternalRequest): Promise<InternalResponse> {
    if (!this.listeningUrl) throw new Error('injectInternal needs a listening sandbox server');
    const res = await fetch(`${this.listeningUrl}${request.url}`, {
      method: request.method,
      headers: { ...(request.headers ?? {}), [INTERNAL_HEADER]: this.internalSecret },
      body: request.payload,
    });
    return { statusCode: res.status, headers: res.headers, body: await res.text() };
  }

  isInternal(request: FastifyRequest): boolean {
    return request.headers[INTERNAL_HEADER] === this.internalSecret;
  }

  /** Base URL once listening, else null. Vendors should prefer the request's own host. */
  get baseUrl(): string | null {
    return this.listeningUrl;
  }

  async listen(options: ListenOptions = {}): Promise<ListeningSandbox> {
    const host = options.host ?? '127.0.0.1';
    await this.app.listen({ port: options.port ?? 0, host });
    const address = this.app.server.address();
    if (!address || typeof address === 'string') throw new Error('sandbox server has no TCP address');
    const baseUrl = `http://${host}:${address.port}`;
    this.listeningUrl = baseUrl;
    return {
      baseUrl,
      close: async () => {
        this.listeningUrl = null;
        // Pending webhook retries (a vendor's schedule can span minutes) must not hold the close up.
        await Promise.all([...this.orgMap.values()].map((o) => o.webhooks?.cancel()));
        await this.app.close();
      },
    };
  }

  private mergeCounts(counts: SeedCounts | undefined): SeedCounts {
    return { ...this.vendor.defaultCounts, ...(counts ?? {}) };
  }

  private installHooks(): void {
    this.app.addHook('preHandler', async (request, reply) => {
      const config = request.routeOptions.config.sandbox;
      if (config?.admin) return;
      const orgId = this.vendor.resolveOrg(request, this);
      const org = orgId === undefined ? undefined : this.orgMap.get(orgId);
      const internal = this.isInternal(request);
      const state: RequestState<TState, TEvent> = { org, at: org ? org.now() : Date.now(), internal };
      this.perRequest.set(request, state);
      if (!org || internal) return;
      const delay = org.faults.latency();
      if (delay > 0) {
        state.latencyMs = delay;
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
      if (config?.faults === false) return;
      const fault = org.faults.decide();
      if (fault) {
        state.fault = fault.kind;
        this.vendor.renderFault(fault, request, reply, org);
        return reply;
      }
    });

    this.app.addHook('onSend', async (request, reply, payload) => {
      const state = this.perRequest.get(request);
      if (
        !state?.org ||
        state.internal ||
        state.fault ||
        !MUTATING.has(request.method) ||
        reply.statusCode >= 400
      )
        return payload;
      if (!state.org.faults.loseResponse()) return payload;
      // The change is applied; the client never learns it. Log now: the socket is gone.
      state.fault = 'lostResponse';
      this.logRequest(request, state, reply.statusCode, reply.elapsedTime);
      request.raw.socket.destroy();
      return payload;
    });

    // A client that gives up (a timeout, an operation deadline) closes the connection: logged at once,
    // so a test sees the abort itself rather than a response no one received.
    this.app.addHook('onRequestAbort', async (request) => {
      const state = this.perRequest.get(request);
      if (!state?.org || state.internal) return;
      state.aborted = true;
      this.logRequest(request, state, 0, state.org.now() - state.at);
    });

    this.app.addHook('onResponse', async (request, reply) => {
      if (request.routeOptions.config.sandbox?.admin) return;
      const state = this.perRequest.get(request) ?? { at: Date.now() };
      if (state.internal) return;
      this.logRequest(request, state, reply.statusCode, reply.elapsedTime);
    });
  }

  private logRequest(
    request: FastifyRequest,
    state: RequestState<TState, TEvent>,
    status: number,
    ms: number,
  ): void {
    if (state.logged) return;
    state.logged = true;
    const log = state.org ? state.org.log : this.unattributed;
    log.record({
      at: state.at,
      method: request.method,
      route: this.vendor.logRoute?.(request) ?? request.routeOptions.url ?? '*',
      url: request.url,
      status,
      durationMs: Math.round(ms * 100) / 100,
      endedAt: performance.timeOrigin + performance.now(),
      ...(state.latencyMs ? { injectedLatencyMs: state.latencyMs } : {}),
      ...(state.fault ? { fault: state.fault } : {}),
      ...(state.aborted ? { aborted: true } : {}),
      ...this.writeItems(request),
    });
  }

  /** `{ items }` for a request that writes records (the vendor says how many), else nothing. */
  private writeItems(request: FastifyRequest): { items?: number } {
    const items = this.vendor.writeItems?.(request);
    return items === undefined ? {} : { items };
  }
}

export function createSandboxServer<TState, TEvent = never>(
  vendor: VendorDefinition<TState, TEvent>,
  options?: SandboxServerOptions,
): SandboxServer<TState, TEvent> {
  return new SandboxServer(vendor, options);
}
