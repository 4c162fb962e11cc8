import { DynamicsConnector } from '../../../../src/connectors/dynamics/dynamics.connector';
import { dynamics as definition } from '../../../../src/connectors/dynamics';
import { defaultHooks } from '../../../../src/connectors/http/hooks';
import { VendorHttpClient } from '../../../../src/connectors/http/vendor-client';
import { type CrmObject } from '../../../../src/connectors/types';
import { createLogger } from '../../../../src/logger';
import { RecordingBudget, RecordingTokens } from '../../../support/connector-doubles';

/** Shared set-up of the Dynamics unit tests: a real shared client with the connector's hooks, nock at the HTTP level. */

export const ENV = 'https://contoso.crm.dynamics.com';
export const ROOT = '/api/data/v9.2';

export interface DynamicsUnit {
  connector: DynamicsConnector;
  tokens: RecordingTokens;
  budget: RecordingBudget;
  slept: number[];
}

export function dynamics(
  settings: Record<string, unknown> = {},
  identityOnly: readonly CrmObject[] = [],
): DynamicsUnit {
  const tokens = new RecordingTokens();
  const budget = new RecordingBudget();
  const slept: number[] = [];
  const decl = definition.declaration;
  const http = new VendorHttpClient({
    crm: decl.kind,
    baseUrl: ENV,
    tokens,
    budget,
    priority: 'interactive',
    hooks: {
      ...defaultHooks({ authScheme: decl.authScheme, requestIdHeader: decl.requestIdHeader }),
      ...definition.hooks,
    },
    random: () => 0.5,
    sleep: async (ms) => {
      slept.push(ms);
    },
  });
  const connector = new DynamicsConnector({
    connection: {
      id: 'conn-dyn-unit',
      tenantId: 't1',
      crm: 'dynamics',
      externalAccountId: null,
      vendorUrls: { api: ENV },
      settings,
    },
    http,
    tokens,
    logger: createLogger({ level: 'silent' }),
    identityOnly,
  });
  return { connector, tokens, budget, slept };
}

export const ID = {
  a: '0f8fad5b-d9cb-469f-a165-70867728950e',
  b: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
} as const;

/** The boundary of the `$batch` answers the tests build. */
export const RESPONSE_BOUNDARY = 'batchresponse_1d9a4c21-0000-4000-8000-0000000000aa';

/** A `$batch` answer: one `application/http` part per status line, headers and body given. */
export function answer(parts: string[]): string {
  return `${parts.map((p) => `--${RESPONSE_BOUNDARY}\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\n${p}\r\n`).join('')}--${RESPONSE_BOUNDARY}--\r\n`;
}
