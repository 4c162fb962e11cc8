import { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { type InjectedFault } from './faults';
import { type SandboxOrg } from './org';
import { type WebhookTransport } from './webhooks';
import { type SandboxServer } from './server';

/** Per-route switches read by the core hooks (`config: { sandbox: {...} }` on a fastify route). */
export interface RouteSandboxConfig {
  /** Admin routes: no org resolution, no faults, not logged as vendor calls. */
  admin?: boolean;
  /** Set false for routes injected faults must never hit (e.g. the vendor's versions list). */
  faults?: boolean;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    sandbox?: RouteSandboxConfig;
  }
}

/** Record counts per object, e.g. `{ Contact: 3000, Opportunity: 800 }`. Vendor defaults fill gaps. */
export type SeedCounts = Record<string, number>;

export interface OrgOptions {
  /** Sandbox org id (the URL segment of the admin API). */
  id: string;
  /** PRNG seed for this org's data. @defaultValue the server's defaultSeed */
  seed?: number;
  counts?: SeedCounts;
  /** Vendor settings (limits, unverified-behaviour switches), validated by `vendor.applySettings`. */
  settings?: Record<string, unknown>;
}

/** Raised by vendor record-admin hooks for bad admin input; the admin API answers with its status. */
export class SandboxAdminError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'SandboxAdminError';
  }
}

/** Create/edit/delete "as a CRM user": the change must show in change feeds and fire webhooks. */
export interface RecordAdmin<TState, TEvent> {
  create(org: SandboxOrg<TState, TEvent>, object: string, fields: Record<string, unknown>): unknown;
  update(
    org: SandboxOrg<TState, TEvent>,
    object: string,
    id: string,
    fields: Record<string, unknown>,
  ): unknown;
  remove(org: SandboxOrg<TState, TEvent>, object: string, id: string): unknown;
  get(org: SandboxOrg<TState, TEvent>, object: string, id: string): unknown;
  restore?(org: SandboxOrg<TState, TEvent>, object: string, id: string): unknown;
}

/**
 * The request `npm run bench:sandbox` hammers for a vendor: one simple authenticated read, on an org
 * built from `org` (small seed, vendor limits lifted so they do not cap the figure).
 */
export interface BenchProbe<TState, TEvent> {
  org: Omit<OrgOptions, 'id'>;
  /** Path with query and headers (credentials included) of the read, for that org. */
  request(org: SandboxOrg<TState, TEvent>): { path: string; headers: Record<string, string> };
}

/** Everything one vendor contributes; the core does the rest. */
export interface VendorDefinition<TState, TEvent = never> {
  /** Registry name, as in `src/sandbox/registry.ts`. */
  readonly name: string;
  readonly defaultCounts: Readonly<SeedCounts>;
  /** Builds a fresh org state (seed data included) from `org.seed` / `org.counts`. */
  createState(org: SandboxOrg<TState, TEvent>): TState;
  /** Registers the vendor's own routes, parsers, error and not-found handlers. */
  routes(app: FastifyInstance, server: SandboxServer<TState, TEvent>): void;
  /** Which org a vendor request belongs to (by token, client id, host…); undefined = none. */
  resolveOrg(request: FastifyRequest, server: SandboxServer<TState, TEvent>): string | undefined;
  /** Sends the vendor's own response for an injected fault (its error body, headers, status). */
  renderFault(
    fault: InjectedFault,
    request: FastifyRequest,
    reply: FastifyReply,
    org: SandboxOrg<TState, TEvent>,
  ): void;
  readonly records: RecordAdmin<TState, TEvent>;
  /** Demo credentials for `npm run sandbox` and `GET /__sandbox/orgs/:id/credentials`. */
  credentials(org: SandboxOrg<TState, TEvent>, baseUrl: string): Record<string, unknown>;
  /**
   * Validates `org.settings` (raw, merged from OrgOptions and admin PATCHes) and applies them to the
   * live org; throw (e.g. a ZodError) to reject a PATCH. Called after createState and on every PATCH.
   */
  applySettings?(org: SandboxOrg<TState, TEvent>): void;
  /**
   * The route a request is logged under (`METHOD <route>` in the request log), where the framework's
   * route template says too little — one catch-all route serving a whole API. Must come from a bounded
   * set (known resource names), never from raw ids. Undefined: the route template.
   */
  logRoute?(request: FastifyRequest): string | undefined;
  /**
   * Records a write request carries (a batch's inputs, a collection's records, a bulk upload's rows; 1
   * for a single-record write), logged as the entry's `items`; undefined for anything that writes no
   * records. What `bench:writes` reads its batch sizes from.
   */
  writeItems?(request: FastifyRequest): number | undefined;
  /** What the sandbox benchmark sends; every registered vendor declares one (the bench refuses otherwise). */
  readonly bench?: BenchProbe<TState, TEvent>;
  /** Present for vendors that push webhooks. */
  readonly webhooks?: WebhookTransport<TEvent>;
}
