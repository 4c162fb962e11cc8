import { type CrmDeclaration } from '../../config/crms';

const DAY_MS = 24 * 60 * 60 * 1000;

/** The pinned API version: the one place it is spelled for the connector. */
export const SALESFORCE_API_VERSION = { data: 'v62.0' } as const;

export const salesforceDeclaration: CrmDeclaration = {
  kind: 'salesforce',
  displayName: 'Salesforce',
  authKinds: ['oauth2_code', 'oauth2_client_credentials'],
  authScheme: 'Bearer',
  hosts: { auth: 'https://login.salesforce.com', api: null },
  // My Domain hosts (`acme.my.salesforce.com`), sandboxes (`acme--dev.sandbox.my.salesforce.com`),
  // classic pods (`na1.salesforce.com`) and government cloud (`*.my.salesforce.mil`).
  tokenApiHost: {
    field: 'instance_url',
    hostPattern: /^(?:[a-z0-9-]+\.)+(?:salesforce\.com|salesforce\.mil|force\.com|cloudforce\.com)$/,
  },
  apiVersion: SALESFORCE_API_VERSION,
  oauth: {
    authorizePath: '/services/oauth2/authorize',
    tokenPath: '/services/oauth2/token',
    tokenHost: 'auth',
    scopes: ['api', 'refresh_token'],
    scopeSeparator: ' ',
    clientAuth: 'body',
    // Salesforce sends no expires_in: the session timeout is an org setting (2 h by default).
    tokenExpiry: 'unknown',
  },
  // sObject Collections take ≤ 200 records per write and ≤ 2,000 ids per read; the URL of a GET with
  // 2,000 ids exceeds what Salesforce accepts (414), so reads stay at 200 too.
  batch: { read: 200, write: 200 },
  // Bulk API 2.0 upserts by an external id (docs/vendors/salesforce.md "Bulk API 2.0"): from 2,000
  // records one job costs fewer calls than ten Collections calls; 10,000 rows keep a CSV far below
  // the 150 MB a job takes. Updates by id stay on Collections (the results are matched by the key).
  bulkWrite: {
    threshold: 2000,
    maxRecords: 10_000,
    takes: ['byKey'],
    timeoutMs: 30 * 60_000,
    pollMs: 2000,
    maxPollMs: 30_000,
  },
  budgets: [
    {
      // Rolling 24 h per org. 15,000 (the Developer Edition allocation, the smallest there is) holds only
      // until the first answer: `Sforce-Limit-Info: api-usage=N/M` states the org's allocation M, and M
      // replaces this limit, up or down (`lua/budget-correct-1.lua`, field `vlimit`).
      name: 'daily',
      scope: 'account',
      limit: 15000,
      windowMs: DAY_MS,
      headers: { style: 'usage-ratio', header: 'sforce-limit-info', key: 'api-usage' },
    },
  ],
  requestIdHeader: 'x-request-id',
};
