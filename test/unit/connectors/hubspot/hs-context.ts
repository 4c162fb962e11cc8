import nock from 'nock';
import { CRMS } from '../../../../src/config/crms';
import { defaultHooks } from '../../../../src/connectors/http/hooks';
import {
  type AccessToken,
  type BudgetGate,
  type CallPriority,
  type TokenAccess,
} from '../../../../src/connectors/http/http.types';
import { VendorHttpClient } from '../../../../src/connectors/http/vendor-client';
import { HubSpotConnector } from '../../../../src/connectors/hubspot/hubspot.connector';
import { forgetProperties } from '../../../../src/connectors/hubspot/properties';
import { type CrmError } from '../../../../src/errors';
import { createLogger } from '../../../../src/logger';

// nock patches Node's http module, which Jest shares between the files of a worker: undo it after
// this file so a later file talking to a real server is not intercepted by a stale nock.
afterAll(() => nock.restore());

/** Shared set-up of the HubSpot unit tests: a real shared client, nock at the HTTP level. */

export const API = 'https://api.hubapi.com';

export class RecordingTokens implements TokenAccess {
  current: AccessToken = { value: 'tok-1', expiresAt: null };
  refreshes: string[] = [];
  async get(): Promise<AccessToken> {
    return this.current;
  }
  async refreshAfterRejection(rejected: string): Promise<AccessToken> {
    this.refreshes.push(rejected);
    this.current = { value: `tok-${this.refreshes.length + 1}`, expiresAt: null };
    return this.current;
  }
}

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

let seq = 0;

export function hubspot(
  options: {
    settings?: Record<string, unknown>;
    priority?: CallPriority;
    now?: () => number;
    portalId?: string | null;
  } = {},
) {
  const tokens = new RecordingTokens();
  const budget = new RecordingBudget();
  const slept: number[] = [];
  const priority = options.priority ?? 'interactive';
  const decl = CRMS.hubspot;
  const http = new VendorHttpClient({
    crm: 'hubspot',
    baseUrl: API,
    tokens,
    budget,
    priority,
    hooks: defaultHooks({ authScheme: decl.authScheme, requestIdHeader: decl.requestIdHeader }),
    random: () => 0.5,
    sleep: async (ms) => {
      slept.push(ms);
    },
  });
  // A fresh connection id per test keeps the in-process property cache from leaking between tests.
  seq += 1;
  const connection = {
    id: `conn-hs-${seq}`,
    tenantId: 't1',
    crm: 'hubspot' as const,
    externalAccountId: options.portalId === undefined ? '62515' : options.portalId,
    vendorUrls: {},
    settings: options.settings ?? {},
  };
  const connector = new HubSpotConnector(
    { connection, http, tokens, budget, logger: createLogger({ level: 'silent' }), priority },
    options.now,
  );
  return { connector, http, tokens, budget, slept, connection };
}

/** Properties API answer naming a few properties (reads ask for all of them). */
export function mockProperties(obj: 'contacts' | 'deals', names: string[]): nock.Scope {
  return nock(API)
    .get(`/crm/v3/properties/${obj}`)
    .reply(200, {
      results: names.map((name) => ({
        name,
        label: name,
        type: 'string',
        fieldType: 'text',
        groupName: 'x',
        description: '',
        options: [],
        hubspotDefined: !name.endsWith('_custom'),
      })),
    });
}

export async function rejection(p: Promise<unknown>): Promise<CrmError> {
  try {
    await p;
  } catch (err) {
    return err as CrmError;
  }
  throw new Error('expected the promise to reject');
}

export function resetNock(): void {
  nock.cleanAll();
  forgetProperties();
}
