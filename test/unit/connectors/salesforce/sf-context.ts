import nock from '../../../support/nock';
import { type CallPriority } from '../../../../src/connectors/http/http.types';
import { VendorHttpClient } from '../../../../src/connectors/http/vendor-client';
import { salesforceHooks } from '../../../../src/connectors/salesforce/hooks';
import { forgetDescribedFields } from '../../../../src/connectors/salesforce/describe';
import { forgetOrgCurrency } from '../../../../src/connectors/salesforce/organization';
import { forgetRefusedFields } from '../../../../src/connectors/salesforce/refused-fields';
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
      logger: createLogger({ level: 'silent' }),
    },
    { sleep, now: options.now },
  );
  return { connector, tokens, budget, slept };
}

/**
 * Forgets the org metadata connectors keep per connection in-process (currency, described fields):
 * every connector here is on `conn-1`, so tests that do not test that memo start from nothing.
 */
export function forgetOrgMetadata(): void {
  forgetOrgCurrency();
  forgetDescribedFields();
  forgetRefusedFields();
}

/** nock scope on the instance, answering JSON with the Limit Info header Salesforce always sends. */
export function sf(options: { reqheaders?: Record<string, string> } = {}): nock.Scope {
  return nock(INSTANCE, options).defaultReplyHeaders({
    'content-type': 'application/json;charset=UTF-8',
    'sforce-limit-info': 'api-usage=26/15000',
  });
}

const describeField = (name: string, type: string) => ({
  name,
  label: name,
  type,
  custom: false,
  nillable: name !== 'Id',
  createable: name !== 'Id',
  updateable: name !== 'Id',
});

/**
 * Answers `GET /sobjects/Opportunity/describe` (docs/vendors/salesforce.md "Describe") `times` times: a multi-currency org's lists
 * CurrencyIsoCode (a picklist of its active currencies), a single-currency org's does not.
 */
export function describeOpportunity(multiCurrency: boolean, times = 1): { asked: () => number } {
  let asked = 0;
  const fields = [
    describeField('Id', 'id'),
    describeField('Name', 'string'),
    describeField('Amount', 'currency'),
    ...(multiCurrency ? [describeField('CurrencyIsoCode', 'picklist')] : []),
  ];
  sf()
    .get(`${DATA}/sobjects/Opportunity/describe`)
    .times(times)
    .reply(200, () => {
      asked += 1;
      return { name: 'Opportunity', fields };
    });
  return { asked: () => asked };
}

/** 18-character ids with the right key prefix (003 Contact, 006 Opportunity). */
export function sfId(prefix: '003' | '006' | '00K', n: number): string {
  return `${prefix}xx${String(n).padStart(10, '0')}AAA`;
}

/** An open Opportunity row as Salesforce returns it (fields beyond these through `extra`). */
export const opportunity = (n: number, extra: Record<string, unknown> = {}) => ({
  attributes: { type: 'Opportunity', url: `${DATA}/sobjects/Opportunity/${sfId('006', n)}` },
  Id: sfId('006', n),
  Name: `Deal ${n}`,
  Amount: 1000 + n,
  StageName: 'Prospecting',
  IsClosed: false,
  IsWon: false,
  LastModifiedDate: '2024-05-20T20:49:32.000+0000',
  SystemModstamp: '2024-05-20T20:49:32.000+0000',
  ...extra,
});

export { RecordingBudget, RecordingTokens, rejection };
