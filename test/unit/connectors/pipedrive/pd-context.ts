import { pipedrive as definition } from '../../../../src/connectors/pipedrive';
import { PipedriveConnector } from '../../../../src/connectors/pipedrive/pipedrive.connector';
import { defaultHooks } from '../../../../src/connectors/http/hooks';
import { VendorHttpClient } from '../../../../src/connectors/http/vendor-client';
import { type AuthKind } from '../../../../src/config/crms';
import { createLogger } from '../../../../src/logger';
import { PricedBudget, RecordingTokens } from '../../../support/connector-doubles';
import nock from '../../../support/nock';

/** Shared set-up of the Pipedrive unit tests: a real shared client with the connector's hooks, nock at the HTTP level. */

export const DOMAIN = 'https://acme.pipedrive.com';
export const V2 = '/api/v2';
export const V1 = '/api/v1';

export interface PipedriveUnit {
  connector: PipedriveConnector;
  tokens: RecordingTokens;
  budget: PricedBudget;
  slept: number[];
}

/** A custom field key as Pipedrive makes them: 40 hex characters. */
export const KEY = {
  tier: 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678',
  gatewayKey: 'b1b2c3d4e5f60718293a4b5c6d7e8f9012345678',
  segments: 'c1b2c3d4e5f60718293a4b5c6d7e8f9012345678',
  contract: 'd1b2c3d4e5f60718293a4b5c6d7e8f9012345678',
} as const;

/** Field metadata of both objects: a picklist, a set and the gateway-key text field. */
export const FIELD_METADATA = [
  { field_name: 'Name', field_code: 'name', field_type: 'varchar', is_custom_field: false },
  {
    field_name: 'Customer tier',
    field_code: KEY.tier,
    field_type: 'enum',
    is_custom_field: true,
    options: [
      { id: 11, label: 'Gold' },
      { id: 12, label: 'Silver' },
    ],
  },
  { field_name: 'Gateway key', field_code: KEY.gatewayKey, field_type: 'varchar', is_custom_field: true },
  {
    field_name: 'Segments',
    field_code: KEY.segments,
    field_type: 'set',
    is_custom_field: true,
    options: [
      { id: 21, label: 'SMB' },
      { id: 22, label: 'Enterprise' },
    ],
  },
  { field_name: 'Contract value', field_code: KEY.contract, field_type: 'monetary', is_custom_field: true },
];

let connections = 0;

export function pipedrive(
  options: { settings?: Record<string, unknown>; authKind?: AuthKind; now?: () => number } = {},
): PipedriveUnit {
  const tokens = new RecordingTokens(DOMAIN);
  tokens.current = { ...tokens.current, authKind: options.authKind ?? 'static_token' };
  const budget = new PricedBudget();
  const slept: number[] = [];
  const decl = definition.declaration;
  const http = new VendorHttpClient({
    crm: decl.kind,
    tokens,
    budget,
    priority: 'interactive',
    hooks: { ...defaultHooks({ authScheme: decl.authScheme }), ...definition.hooks },
    random: () => 0.5,
    sleep: async (ms) => {
      slept.push(ms);
    },
  });
  connections += 1;
  const connector = new PipedriveConnector(
    {
      // A fresh id per test: the field directory is cached per connection.
      connection: {
        id: `conn-pd-unit-${connections}`,
        tenantId: 't1',
        crm: 'pipedrive',
        externalAccountId: null,
        vendorUrls: {},
        settings: options.settings ?? {},
      },
      http,
      tokens,
      logger: createLogger({ level: 'silent' }),
    },
    { now: options.now },
  );
  return { connector, tokens, budget, slept };
}

/** Answers the object's field metadata once (one page). */
export function fieldsOnce(obj: 'personFields' | 'dealFields' = 'personFields'): nock.Scope {
  return nock(DOMAIN)
    .get(`${V2}/${obj}`)
    .query(true)
    .reply(200, { success: true, data: FIELD_METADATA, additional_data: { next_cursor: null } });
}

export function ok(data: unknown, nextCursor: string | null = null) {
  return { success: true, data, additional_data: { next_cursor: nextCursor } };
}
