import {
  type AccessToken,
  type AcquireOptions,
  type BudgetGate,
  type BudgetGrant,
  type CallPriority,
  type TokenAccess,
} from '../../src/connectors/http/http.types';
import { type CrmError } from '../../src/errors';

/**
 * Test doubles of what a connector's HTTP client is given — our own interfaces, not a vendor client —
 * so unit tests can see every token refresh and budget call while nock answers at the HTTP level.
 */

/** Hands out `tok-N` and records every refresh it is asked for. */
export class RecordingTokens implements TokenAccess {
  current: AccessToken;
  refreshes: string[] = [];

  constructor(apiBaseUrl?: string) {
    this.current = { value: 'tok-1', expiresAt: null, ...(apiBaseUrl ? { apiBaseUrl } : {}) };
  }

  async get(): Promise<AccessToken> {
    return this.current;
  }

  async refreshAfterRejection(rejected: string): Promise<AccessToken> {
    this.refreshes.push(rejected);
    this.current = { ...this.current, value: `tok-${this.refreshes.length + 1}` };
    return this.current;
  }
}

/** Admits every call and records what the client tells it. */
export class RecordingBudget implements BudgetGate {
  /** The priority of each admitted call, in order. */
  acquired: CallPriority[] = [];
  /** The budgets each admitted call named (`undefined`: the ordinary ones), in order. */
  named: (readonly string[] | undefined)[] = [];
  observed: Record<string, string>[] = [];
  exhaustedFor: number[] = [];
  /** Each untold-wait refusal the client reported: whether it was the probe's. */
  backedOff: boolean[] = [];
  /** What `backOff` answers: the ms until the next probe. */
  backOffMs = 1000;
  reopened: Record<string, string>[] = [];
  probesReleased = 0;

  /** What the next acquires answer, in order (then: plain admission). */
  grants: BudgetGrant[] = [];

  async acquire(priority: CallPriority, _cost?: number, options: AcquireOptions = {}): Promise<BudgetGrant> {
    this.acquired.push(priority);
    this.named.push(options.budgets);
    return this.grants.shift();
  }

  async observe(headers: Record<string, string>): Promise<void> {
    this.observed.push(headers);
  }

  async exhausted(ms: number): Promise<void> {
    this.exhaustedFor.push(ms);
  }

  async backOff(options: { probe: boolean }): Promise<number> {
    this.backedOff.push(options.probe);
    return this.backOffMs;
  }

  async reopen(headers: Record<string, string>): Promise<void> {
    this.reopened.push(headers);
  }

  async releaseProbe(): Promise<void> {
    this.probesReleased += 1;
  }
}

/** The CrmError `p` rejects with; fails the test when it resolves. */
export async function rejection(p: Promise<unknown>): Promise<CrmError> {
  try {
    await p;
  } catch (err) {
    return err as CrmError;
  }
  throw new Error('expected a rejection');
}

/** Records, beside what {@link RecordingBudget} records, the endpoint class each call named. */
export class PricedBudget extends RecordingBudget {
  endpoints: (string | undefined)[] = [];

  override async acquire(
    priority: CallPriority,
    cost?: number,
    options: AcquireOptions = {},
  ): Promise<BudgetGrant> {
    this.endpoints.push(options.endpoint);
    return super.acquire(priority, cost, options);
  }
}
