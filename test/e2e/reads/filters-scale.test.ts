import { ContactPageDocument } from '../generated/operations';
import { request } from '../support/gateway';
import {
  READ_CRMS,
  type ReadCrm,
  type ReadStack,
  type ReadTenant,
  startReadStack,
} from '../../support/read-stack';
import { testStoreUrls, uniqueName } from '../../support/stores';
import { CRM_SCENARIOS, METADATA_ROUTES } from '../support/crm-scenarios';
import { rowsOf } from '../support/sandbox-rows';
import { MAX_SCAN_PAGES } from '../../../src/reads/list';

/**
 * Filters pushed down to the CRM, on more contacts than filtering after fetch can scan in one request
 * (MAX_SCAN_PAGES vendor pages of 100): the last contact is still found by email in one vendor call.
 */

jest.setTimeout(60_000);

const CONTACTS = 100 * MAX_SCAN_PAGES + 200;

let stack: ReadStack;
let t: ReadTenant;

beforeAll(async () => {
  stack = await startReadStack({
    ...testStoreUrls(),
    name: uniqueName('reads-scale'),
    orgs: {
      salesforce: [{ id: 'default', seed: 11, counts: { Contact: CONTACTS, Opportunity: 5, Account: 5 } }],
      hubspot: [{ id: 'default', seed: 11, counts: { contacts: CONTACTS, deals: 5 } }],
      dynamics: [{ id: 'default', seed: 11, counts: { contact: CONTACTS, opportunity: 5, account: 5 } }],
      pipedrive: [{ id: 'default', seed: 11, counts: { persons: CONTACTS, deals: 5 } }],
      zoho: [{ id: 'default', seed: 11, counts: { Contacts: CONTACTS, Deals: 5 } }],
    },
  });
  t = await stack.tenant('reads-scale');
});
afterAll(() => stack?.close());

/** Every contact the sandbox holds, deleted ones too, in list order (Salesforce and Dataverse by id, HubSpot by numeric id). */
function contacts(crm: ReadCrm): { remoteId: string; email: string | null }[] {
  return rowsOf(stack, crm, 'contact');
}

describe.each(READ_CRMS)('filters on %s', (crm) => {
  it(`finds the last of ${CONTACTS} contacts by email in one vendor call`, async () => {
    const rows = contacts(crm);
    expect(rows).toHaveLength(CONTACTS);
    const target = [...rows].reverse().find((r) => r.email)!;
    expect(rows.indexOf(target)).toBeGreaterThanOrEqual(100 * MAX_SCAN_PAGES);
    stack.clearLogs();
    const res = await request(
      stack.url,
      ContactPageDocument,
      { connectionId: t.connections[crm], first: 1, filter: { email: target.email } },
      { key: t.key },
    );
    expect(res.body.errors).toBeUndefined();
    const page = res.body.data!.contacts!;
    expect(page.edges.map((e) => e.node.remoteId)).toEqual([target.remoteId]);
    expect(page.pageInfo.scanLimitReached).toBe(false);
    expect(page.pageInfo.filteredOut).toBe(0);
    const data = Object.entries(stack.callLog(crm)).filter(([k]) => !METADATA_ROUTES.test(k));
    // One call, or a search and one read of the ids it answered where the CRM's search gives ids only.
    const calls = CRM_SCENARIOS[crm].searchPageCalls ?? 1;
    expect({ crm, calls: data.reduce((n, [, v]) => n + v, 0) }).toEqual({ crm, calls });
  });
});
