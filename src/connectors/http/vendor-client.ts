import { type ConcurrencyGate } from '../../ratelimit/concurrency-gate';
import { type CrmError, CrmUpstreamError } from '../../errors';
import { type OperationDeadline, deadlineExceeded, sleepBeforeDeadline } from '../../vendor-calls/deadline';
import { type ErrorExtra, type VendorHooks, defaultHooks, toHookResponse } from './hooks';
import {
  type AccessToken,
  type BudgetGate,
  type CallPriority,
  type HttpTransport,
  type TokenAccess,
  type TransportResponse,
} from './http.types';
import { PrivateAddressError } from './pinned-lookup';
import { followRedirects } from './redirects';
import {
  type HttpMethod,
  type VendorCallEvent,
  type VendorRequest,
  type VendorResponse,
  encodeRequest,
  resolveRequestUrl,
} from './vendor-request';
import { describeRequest, rateLimitedError, refreshRejectedError, unreachableError } from './call-errors';
import {
  type AttemptOutcome,
  type RetryDecision,
  type RetryPolicyOptions,
  DEFAULT_RETRY_POLICY,
  decideRetry,
  parseRetryAfter,
} from './retry-policy';
import { fetchTransport, mayHaveReachedServer } from './transport';

export type { HttpMethod, VendorCallEvent, VendorRequest, VendorResponse } from './vendor-request';

export interface VendorClientOptions {
  crm: string;
  connectionId?: string;
  /** Base for relative URLs when the token names none. */
  baseUrl?: string;
  /** @defaultValue {@link fetchTransport} */
  transport?: HttpTransport;
  /** Overrides of the default hooks (only what the vendor does differently). */
  hooks?: Partial<VendorHooks>;
  /** Absent: requests go without credentials. */
  tokens?: TokenAccess;
  /** Absent: no budget gate (token endpoints, tests of the client alone). */
  budget?: BudgetGate;
  /** The vendor's concurrent-request limit, where it declares one: each attempt holds a slot while it is sent. */
  concurrency?: ConcurrencyGate;
  /**
   * Interactive requests wait twice over, each with its own cap: for budget before an attempt (the
   * gate's `interactiveMaxBudgetWaitMs`, 2 s per request across all attempts) and between attempts
   * after a vendor 429/5xx (the retry policy's `interactiveMaxRetrySleepMs`, 10 s in all). Background
   * requests wait for neither: they fail RATE_LIMITED/UNAVAILABLE with `retryAfterMs`.
   * @defaultValue 'interactive'
   */
  priority?: CallPriority;
  retry?: Partial<RetryPolicyOptions>;
  /**
   * Per-attempt timeout.
   * @defaultValue 30000
   */
  timeoutMs?: number;
  /**
   * The GraphQL operation's deadline (`OPERATION_TIMEOUT_MS`): aborts the call in flight, and no budget
   * wait or retry sleep runs past it. Absent for background work (jobs have the per-attempt timeout).
   */
  deadline?: OperationDeadline;
  /** @defaultValue 5 */
  maxRedirects?: number;
  onCall?: (event: VendorCallEvent) => void;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  now?: () => number;
}

const IDEMPOTENT_METHODS = new Set<HttpMethod>(['GET', 'HEAD', 'PUT', 'DELETE']);

/**
 * The shared HTTP layer of every connector: budget gate → credentials → send (following redirects
 * safely) → 401 → one refresh and one retry → rate-limit and error classification → retry decision
 * (`retry-policy.ts`) → typed {@link CrmError}.
 */
export class VendorHttpClient {
  readonly crm: string;
  private readonly hooks: VendorHooks;
  private readonly transport: HttpTransport;
  private readonly policy: RetryPolicyOptions;
  private readonly priority: CallPriority;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  private readonly now: () => number;

  constructor(private readonly options: VendorClientOptions) {
    this.crm = options.crm;
    // The default `isRateLimited` consults the vendor's `isBudgetExhausted` when it has one.
    this.hooks = {
      ...defaultHooks({ isBudgetExhausted: options.hooks?.isBudgetExhausted }),
      ...options.hooks,
    };
    this.transport = options.transport ?? fetchTransport;
    this.policy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.priority = options.priority ?? 'interactive';
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.random = options.random ?? Math.random;
    this.now = options.now ?? Date.now;
  }

  async request<T = unknown>(req: VendorRequest): Promise<VendorResponse<T>> {
    return this.run<T>(req, false);
  }

  /**
   * One request with its retries. `isProbe`: the request is the vendor's cheap budget probe
   * (`VendorHooks.budgetProbe`), sent on a probe slot the gate already granted — it takes no budget.
   */
  private async run<T>(req: VendorRequest, isProbe: boolean): Promise<VendorResponse<T>> {
    const idempotent = req.idempotent ?? IDEMPOTENT_METHODS.has(req.method);
    const cost = req.cost ?? 1;
    const tokens = req.anonymous ? undefined : this.options.tokens;
    const { budget, deadline } = this.options;
    let token = tokens ? await tokens.get() : undefined;
    let refreshed = false;
    let attempt = 0;
    /** Slept between attempts (the retry policy's cap); budget waits are counted apart, in `budgetWait`. */
    let waitedMs = 0;
    const budgetWait = { waitedMs: 0 };
    const selection = req.budgets ? { budgets: req.budgets } : {};
    // Named only in errors: built when one is thrown, not on every call.
    const what = () => `${this.crm} ${describeRequest(req)}`;

    for (;;) {
      attempt += 1;
      if (deadline?.signal.aborted) {
        throw deadlineExceeded(deadline, this.crm, `${what()} was about to be sent (attempt ${attempt})`);
      }
      /** This attempt is the probe of a budget the vendor refused: it must report how it ended. */
      let probing = isProbe;
      if (budget && cost > 0 && !isProbe) {
        const grant = await budget.acquire(this.priority, cost, {
          ...selection,
          wait: budgetWait,
          deadline,
          endpoint: req.endpoint,
        });
        if (grant === 'probe') {
          const cheap = this.hooks.budgetProbe;
          if (cheap) {
            // Throws RATE_LIMITED (with the wait until the next probe) when the vendor still refuses.
            await this.run({ ...cheap, budgets: req.budgets }, true);
            attempt -= 1;
            continue;
          }
          probing = true;
        }
      }
      let probeSettled = false;
      try {
        const started = this.now();
        let raw: TransportResponse;
        try {
          raw = await this.send(req, token);
        } catch (err) {
          if (deadline?.signal.aborted) {
            const late = deadlineExceeded(
              deadline,
              this.crm,
              `waiting for ${what()} (attempt ${attempt})`,
              err,
            );
            throw this.report(req, 0, started, false, late);
          }
          if (err instanceof CrmUpstreamError) throw this.report(req, 0, started, false, err);
          if (err instanceof PrivateAddressError) {
            // Not a network fault to retry: the vendor host leads somewhere we never send credentials.
            const refused = new CrmUpstreamError(`${what()} refused: ${err.message}`, {
              crm: this.crm,
              cause: err,
            });
            throw this.report(req, 0, started, false, refused);
          }
          const outcome: AttemptOutcome = {
            kind: 'network',
            mayHaveReachedServer: mayHaveReachedServer(err),
          };
          const decision = this.decide(outcome, attempt, waitedMs, idempotent);
          if (decision.action === 'retry' && !probing) {
            this.report(req, 0, started, false);
            waitedMs += await this.retrySleep(decision.delayMs, `${what()} could not be reached`);
            continue;
          }
          throw this.report(req, 0, started, false, unreachableError(this.crm, err, decision, attempt));
        }

        const res = toHookResponse(raw);
        if (budget) {
          const observed = budget
            .observe(res.headers, { ...selection, served: res.status < 300 && !probing })
            .catch(() => undefined);
          // A served call's correction only steers later calls: it need not delay this answer by a
          // Redis round trip. A refusal's correction must land before the hold it leads to is set.
          if (res.status >= 300 || probing) await observed;
        }

        if (res.status < 300) {
          if (probing) {
            // The vendor serves again: reopen the budget, at what the probe's headers say is left.
            probeSettled = true;
            await budget?.reopen(res.headers, selection).catch(() => undefined);
          }
          this.report(req, res.status, started, false);
          return {
            status: res.status,
            headers: res.headers,
            // Parsed when first read (`toHookResponse`): a caller that reads `text` alone parses nothing here.
            get body() {
              return (res.json ?? (res.text === '' ? null : res.text)) as T;
            },
            text: res.text,
            ...(raw.bytes ? { bytes: raw.bytes } : {}),
            requestId: this.hooks.requestId(res),
          };
        }

        if (tokens && token && this.hooks.isSessionExpired(res)) {
          this.report(req, res.status, started, false);
          if (refreshed) {
            const parsed = this.hooks.parseError(res, { crm: this.crm, details: { afterRefresh: true } });
            const error = refreshRejectedError(this.crm, res.status, this.hooks.requestId(res), parsed);
            throw this.report(req, res.status, started, false, error);
          }
          // A refresh and its retry do not count as a retry attempt: the first call never had a chance.
          refreshed = true;
          attempt -= 1;
          token = await tokens.refreshAfterRejection(token.value);
          continue;
        }

        const nowMs = this.now();
        const rateLimit = this.hooks.isRateLimited(res, nowMs);
        const outcome: AttemptOutcome = {
          kind: 'response',
          status: res.status,
          rateLimit,
          retryAfterMs: parseRetryAfter(res.headers['retry-after'], nowMs),
          vendorNotApplied: this.hooks.isNotApplied?.(res) ?? false,
        };
        const decision = this.decide(outcome, attempt, waitedMs, idempotent);
        let holdMs = decision.action === 'retry' ? decision.delayMs : decision.retryAfterMs;
        if (rateLimit && budget) {
          if (rateLimit.kind === 'budget_exhausted' && rateLimit.retryAfterMs === null) {
            // No word on when the allocation comes back (the vendor's hooks say only that it is exhausted): a
            // growing probe schedule, not a fixed lockout; the wait told is the time to the next probe.
            probeSettled = true;
            // A gate that keeps no schedule (0) or cannot be reached leaves the policy's wait.
            const nextProbeMs = await budget.backOff({ ...selection, probe: probing }).catch(() => 0);
            if (nextProbeMs > 0) holdMs = nextProbeMs;
          } else if (holdMs) {
            // Every caller of this connection should hold back, not only this one.
            await budget.exhausted(holdMs, selection).catch(() => undefined);
          }
        }
        if (decision.action === 'retry' && !probing) {
          this.report(req, res.status, started, rateLimit !== null);
          waitedMs += await this.retrySleep(decision.delayMs, `${what()} answered HTTP ${res.status}`);
          continue;
        }
        const extra: ErrorExtra = {
          crm: this.crm,
          retryAfterMs: holdMs ?? undefined,
          details:
            decision.action === 'fail' && decision.reason === 'outcome_unknown'
              ? { outcomeUnknown: true }
              : undefined,
        };
        const error = rateLimit
          ? rateLimitedError(this.crm, rateLimit, res.status, holdMs, this.hooks.requestId(res))
          : this.hooks.parseError(res, extra);
        throw this.report(req, res.status, started, rateLimit !== null, error);
      } finally {
        // A probe that ended neither served nor refused for budget (network, 5xx, 401, the deadline)
        // frees its slot at once, so the next caller probes instead of waiting out the lease.
        if (probing && !probeSettled) await budget?.releaseProbe(selection).catch(() => undefined);
      }
    }
  }

  /** Sleeps before a retry within the operation's deadline (`deadline.ts`); returns the time slept. */
  private async retrySleep(delayMs: number, why: string): Promise<number> {
    await sleepBeforeDeadline(delayMs, why, this.crm, this.options.deadline, this.now, this.sleep);
    return delayMs;
  }

  private decide(
    outcome: AttemptOutcome,
    attempt: number,
    waitedMs: number,
    idempotent: boolean,
  ): RetryDecision {
    return decideRetry(
      { outcome, attempt, waitedMs, priority: this.priority, idempotent, random: this.random },
      this.policy,
    );
  }

  private async send(req: VendorRequest, token: AccessToken | undefined): Promise<TransportResponse> {
    const base = token?.apiBaseUrl ?? this.options.baseUrl;
    const { url, headers, body } = encodeRequest(req, resolveRequestUrl(req.url, base, this.crm));
    if (token) this.hooks.authorize(headers, token);

    const release = await this.options.concurrency?.acquire(this.priority);
    try {
      return await followRedirects(
        this.transport,
        { method: req.method, url, headers, body },
        {
          crm: this.crm,
          maxRedirects: this.options.maxRedirects ?? 5,
          signal: () => this.attemptSignal(),
        },
      );
    } finally {
      // Given back without holding up the answer: a slow release only keeps the slot a moment longer.
      void release?.();
    }
  }

  /**
   * The per-attempt timeout, and the operation's deadline when there is one. A deadline that passes
   * first bounds the attempt alone: the timeout could not fire before it, and a timer plus an
   * `AbortSignal.any` per attempt was a measurable part of a nested read's CPU.
   */
  private attemptSignal(): AbortSignal {
    const timeoutMs = this.options.timeoutMs ?? 30_000;
    const { deadline } = this.options;
    // The deadline is in Date.now() ms (`deadline.ts`), whatever clock the client was given.
    if (deadline && deadline.at <= Date.now() + timeoutMs) return deadline.signal;
    const attempt = AbortSignal.timeout(timeoutMs);
    return deadline ? AbortSignal.any([attempt, deadline.signal]) : attempt;
  }

  private report(req: VendorRequest, status: number, started: number, rateLimited: boolean): undefined;
  private report(
    req: VendorRequest,
    status: number,
    started: number,
    rateLimited: boolean,
    error: CrmError,
  ): CrmError;
  private report(
    req: VendorRequest,
    status: number,
    started: number,
    rateLimited: boolean,
    error?: CrmError,
  ): CrmError | undefined {
    this.options.onCall?.({
      crm: this.crm,
      connectionId: this.options.connectionId,
      method: req.method,
      status,
      durationMs: this.now() - started,
      rateLimited,
      errorCode: error?.code,
    });
    return error;
  }
}
