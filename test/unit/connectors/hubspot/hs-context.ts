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

/** The envelope of every documented batch response. */
export const BATCH_ENVELOPE = {
  requestedAt: '2024-05-20T20:49:32.469Z',
  startedAt: '2024-05-20T20:49:32.470Z',
  completedAt: '2024-05-20T20:49:32.612Z',
  links: {},
};

/** A CRM object as the batch and list endpoints return it. */
export function hsObject(
  id: string,
  props: Record<string, string | null>,
  extra: Record<string, unknown> = {},
) {
  return {
    id,
    properties: { hs_object_id: id, ...props },
    createdAt: '2024-01-01T00:00:00.000Z',
    updatedAt: '2024-02-01T00:00:00.000Z',
    archived: false,
    ...extra,
  };
}

/** The clock and window of the search and change-poll cases. */
export const SEARCH_NOW = Date.parse('2026-01-10T12:00:00.000Z');
export const SEARCH_SINCE = new Date('2026-01-10T11:00:00.000Z');

/** A contact as a search result lists it, modified at `modified`. */
export function searchHit(id: number, modified: string) {
  return {
    id: String(id),
    properties: { hs_object_id: String(id), lastmodifieddate: modified, email: `u${id}@x.io` },
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: modified,
    archived: false,
  };
}

export function resetNock(): void {
  nock.cleanAll();
  forgetProperties();
}

export { RecordingBudget, RecordingTokens, rejection };
