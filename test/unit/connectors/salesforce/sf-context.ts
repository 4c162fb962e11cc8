import nock from 'nock';
import {
  type AccessToken,
  type BudgetGate,
  type CallPriority,
  type TokenAccess,
} from '../../../../src/connectors/http/http.types';
import { VendorHttpClient } from '../../../../src/connectors/http/vendor-client';
import { salesforceHooks } from '../../../../src/connectors/salesforce/auth';
import { SalesforceConnector } from '../../../../src/connectors/salesforce/salesforce.connector';
import { type CrmError } from '../../../../src/errors';
import { createLogger } from '../../../../src/logger';

// nock patches Node's http module, which Jest shares between the files of a worker: undo it after
// this file so a later file talking to a real server is not intercepted by a stale nock.
afterAll(() => nock.restore());

/** Shared set-up of the Salesforce unit tests: a real shared client, nock at the HTTP level. */

export const INSTANCE = 'https://acme.my.salesforce.com';
export const DATA = '/services/data/v62.0';

/** Token access that hands out `tok-N` for the instance and records every refresh it is asked for. */
export class RecordingTokens implements TokenAccess {
  current: AccessToken = { value: 'tok-1', expiresAt: null, apiBaseUrl: INSTANCE };
  refreshes: string[] = [];
  async get(): Promise<AccessToken> {
    return this.current;
  }
  async refreshAfterRejection(rejected: string): Promise<AccessToken> {
    this.refreshes.push(rejected);
    this.current = { ...this.current, value: `tok-${this.refreshes.length + 1}` };
    return this.current;
  }
}

/** A budget gate that admits everything and records what the client tells it. */
export class RecordingBudget implements BudgetGate {
  acquired = 0;
  observed: Record<string, string>[] = [];
  exhaustedFor: number[] = [];
  async acquire(): Promise<void> {
    this.acquired += 1;
  }
  async observe(headers: Record<string, string>): Promise<void> {
    this.observed.push(headers);
  }
  async exhausted(ms: number): Promise<void> {
    this.exhaustedFor.push(ms);
  }
}

export function salesforce(
  options: { settings?: Record<string, unknown>; priority?: CallPriority; now?: () => number } = {},
) {
  const tokens = new RecordingTokens();
  const budget = new RecordingBudget();
  const slept: number[] = [];
  const sleep = async (ms: number): Promise<void> => {
    slept.push(ms);
  };
  const priority = options.priority ?? 'interactive';
  const http = new VendorHttpClient({
    crm: 'salesforce',
    connectionId: 'conn-1',
    tokens,
    budget,
    priority,
    hooks: salesforceHooks,
    random: () => 0.5,
    sleep,
  });
  const connector = new SalesforceConnector(
    {
      connection: {
        id: 'conn-1',
        tenantId: 'tenant-1',
        crm: 'salesforce',
        externalAccountId: '00Dxx0000001gPLEAY',
        vendorUrls: {},
        settings: options.settings ?? {},
      },
      http,
      tokens,
      budget,
      logger: createLogger({ level: 'silent' }),
      priority,
    },
    { sleep, now: options.now },
  );
  return { connector, tokens, budget, slept };
}

/** nock scope on the instance, answering JSON with the Limit Info header Salesforce always sends. */
export function sf(options: { reqheaders?: Record<string, string> } = {}): nock.Scope {
  return nock(INSTANCE, options).defaultReplyHeaders({
    'content-type': 'application/json;charset=UTF-8',
    'sforce-limit-info': 'api-usage=26/15000',
  });
}

export async function rejection(p: Promise<unknown>): Promise<CrmError> {
  try {
    await p;
  } catch (err) {
    return err as CrmError;
  }
  throw new Error('expected a rejection');
}

/** 18-character ids with the right key prefix (003 Contact, 006 Opportunity). */
export function sfId(prefix: '003' | '006' | '00K', n: number): string {
  return `${prefix}xx${String(n).padStart(10, '0')}AAA`;
}

export function installNockGuards(): void {
  beforeAll(() => nock.disableNetConnect());
  afterEach(() => {
    const pending = nock.pendingMocks();
    nock.cleanAll();
    expect(pending).toEqual([]);
  });
  afterAll(() => nock.enableNetConnect());
}
