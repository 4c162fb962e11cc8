import nock from '../../../support/nock';
import { CRMS } from '../../../../src/connectors/registry';
import { defaultHooks } from '../../../../src/connectors/http/hooks';
import { type CallPriority } from '../../../../src/connectors/http/http.types';
import { VendorHttpClient } from '../../../../src/connectors/http/vendor-client';
import { HubSpotConnector } from '../../../../src/connectors/hubspot/hubspot.connector';
import { forgetProperties } from '../../../../src/connectors/hubspot/properties';
import { RecordingBudget, RecordingTokens, rejection } from '../../../support/connector-doubles';
import { type Logger, createLogger } from '../../../../src/logger';

/** Shared set-up of the HubSpot unit tests: a real shared client, nock at the HTTP level. */

export const API = 'https://api.hubapi.com';

let seq = 0;

export function hubspot(
  options: {
    settings?: Record<string, unknown>;
    priority?: CallPriority;
    now?: () => number;
    portalId?: string | null;
    logger?: Logger;
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
    {
      connection,
      http,
      tokens,
      logger: options.logger ?? createLogger({ level: 'silent' }),
    },
    { now: options.now },
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

export function resetNock(): void {
  nock.cleanAll();
  forgetProperties();
}

export { RecordingBudget, RecordingTokens, rejection };
