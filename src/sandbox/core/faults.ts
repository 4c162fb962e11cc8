import { z } from 'zod';
import { Prng } from './prng';

/**
 * Fault knobs of one org, switchable at run time through the admin API. Every knob defaults to
 * "off": a fresh org behaves like a healthy vendor.
 */
export const faultConfigSchema = z
  .object({
    /** Added to every vendor request before it is handled. @defaultValue 0 */
    latencyMs: z.number().int().min(0).max(60_000).default(0),
    /** Uniform extra 0..jitter ms on top of latencyMs. @defaultValue 0 */
    latencyJitterMs: z.number().int().min(0).max(60_000).default(0),
    /** Share (0..1) of vendor requests answered with a server error before they are handled. @defaultValue 0 */
    errorRate: z.number().min(0).max(1).default(0),
    /** Statuses the server errors are drawn from. @defaultValue [500, 502, 503] */
    errorStatuses: z.array(z.number().int().min(500).max(599)).min(1).default([500, 502, 503]),
    /** Share (0..1) of vendor requests answered with the vendor's rate-limit error. @defaultValue 0 */
    rateLimitRate: z.number().min(0).max(1).default(0),
    /** A storm: every vendor request is rate-limited until this many ms after the knob is set. @defaultValue 0 */
    rateLimitStormMs: z.number().int().min(0).default(0),
    /** Access tokens issued while this is set live only this long (ms); null = vendor default. @defaultValue null */
    accessTokenTtlMs: z.number().int().min(0).nullable().default(null),
    /** Every refresh-token grant fails as if the token had been revoked. @defaultValue false */
    revokeRefreshTokens: z.boolean().default(false),
    /**
     * Share (0..1) of successful writes (POST/PUT/PATCH/DELETE) whose change is applied and whose
     * connection is then destroyed before the response is sent. @defaultValue 0
     */
    lostResponseRate: z.number().min(0).max(1).default(0),
    /** Share (0..1) of webhook events never delivered. @defaultValue 0 */
    webhookDropRate: z.number().min(0).max(1).default(0),
    /** Share (0..1) of webhook events delivered twice. @defaultValue 0 */
    webhookDuplicateRate: z.number().min(0).max(1).default(0),
    /** Deliver webhook batches, and events inside them, in shuffled order. @defaultValue false */
    webhookReorder: z.boolean().default(false),
    /** A changed record becomes visible to search only this many ms after the change. @defaultValue 0 */
    indexLagMs: z.number().int().min(0).default(0),
  })
  .strict();

export type FaultConfig = z.infer<typeof faultConfigSchema>;

/** A PATCH body: an object of knobs (validated once merged into the current config). */
const patchObjectSchema = z.record(z.string(), z.unknown());
export type FaultPatch = Partial<FaultConfig>;

/** What the fault layer decided for one request before it reached the vendor handler. */
export type InjectedFault = { kind: 'serverError'; status: number } | { kind: 'rateLimit' };

export class FaultController {
  private config: FaultConfig = faultConfigSchema.parse({});
  private stormUntil = 0;
  private readonly rng: Prng;

  constructor(
    seed: number,
    private readonly now: () => number,
  ) {
    this.rng = new Prng(seed ^ 0x5eed_fa17);
  }

  get current(): Readonly<FaultConfig> {
    return this.config;
  }

  /** Merges a partial config; throws a ZodError naming the bad knob. */
  patch(patch: unknown): FaultConfig {
    // Merge the raw patch, then validate the whole: zod 4's `.partial()` still fills in defaults, so
    // parsing the patch alone would reset every knob it does not name.
    const raw = patchObjectSchema.parse(patch);
    this.config = faultConfigSchema.parse({ ...this.config, ...raw });
    if (raw.rateLimitStormMs !== undefined) {
      const ms = this.config.rateLimitStormMs;
      this.stormUntil = ms > 0 ? this.now() + ms : 0;
    }
    return this.config;
  }

  /** Replaces the whole config (unset knobs go back to their defaults). */
  replace(config: unknown): FaultConfig {
    this.config = faultConfigSchema.parse({});
    this.stormUntil = 0;
    return this.patch(config);
  }

  clear(): void {
    this.replace({});
  }

  /** Milliseconds to stall the next request. */
  latency(): number {
    const { latencyMs, latencyJitterMs } = this.config;
    return latencyMs + (latencyJitterMs > 0 ? this.rng.int(0, latencyJitterMs) : 0);
  }

  /** The fault to inject instead of handling this request, if any. */
  decide(): InjectedFault | null {
    if (this.stormUntil > this.now()) return { kind: 'rateLimit' };
    if (this.config.rateLimitRate > 0 && this.rng.chance(this.config.rateLimitRate))
      return { kind: 'rateLimit' };
    if (this.config.errorRate > 0 && this.rng.chance(this.config.errorRate)) {
      return { kind: 'serverError', status: this.rng.pick(this.config.errorStatuses) };
    }
    return null;
  }

  isStorming(): boolean {
    return this.stormUntil > this.now();
  }

  loseResponse(): boolean {
    return this.config.lostResponseRate > 0 && this.rng.chance(this.config.lostResponseRate);
  }

  /** Draws used by the webhook dispatcher, from the same seeded stream. */
  draw(probability: number): boolean {
    return probability > 0 && this.rng.chance(probability);
  }

  shuffle<T>(items: readonly T[]): T[] {
    return this.rng.shuffle(items);
  }
}
