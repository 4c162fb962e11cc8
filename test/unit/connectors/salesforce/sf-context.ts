import nock from '../../../support/nock';
import { type CallPriority } from '../../../../src/connectors/http/http.types';
import { VendorHttpClient } from '../../../../src/connectors/http/vendor-client';
import { salesforceHooks } from '../../../../src/connectors/salesforce/auth';
import { SalesforceConnector } from '../../../../src/connectors/salesforce/salesforce.connector';
import { RecordingBudget, RecordingTokens, rejection } from '../../../support/connector-doubles';
import { createLogger } from '../../../../src/logger';

/** Shared set-up of the Salesforce unit tests: a real shared client, nock at the HTTP level. */

export const INSTANCE = 'https://acme.my.salesforce.com';
export const DATA = '/services/data/v62.0';

export function salesforce(
  options: { settings?: Record<string, unknown>; priority?: CallPriority; now?: () => number } = {},
) {
  const tokens = new RecordingTokens(INSTANCE);
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

/** 18-character ids with the right key prefix (003 Contact, 006 Opportunity). */
export function sfId(prefix: '003' | '006' | '00K', n: number): string {
  return `${prefix}xx${String(n).padStart(10, '0')}AAA`;
}

export { RecordingBudget, RecordingTokens, rejection };
