import { startReadStack, type ReadStack, type ReadTenant } from '../../support/read-stack';
import { testStoreUrls, uniqueName } from '../../support/stores';
import { execOn, type GraphqlExec } from '../../support/write-contract';

jest.setTimeout(60_000);

/**
 * A query that selects only ids and associations of a record type reads the CRM's identity columns of
 * it alone (`graphql/records/record-selection.ts`); one field more anywhere in the query reads it in
 * full. Seen from the sandboxes' request logs (SOQL and `$select` travel in the URL) and from the answers.
 */

let stack: ReadStack;
let t: ReadTenant;
let exec: GraphqlExec;

beforeAll(async () => {
  stack = await startReadStack({
    ...testStoreUrls(),
    name: uniqueName('idreads'),
    orgs: {
      salesforce: [{ id: 'default', seed: 3, counts: { Contact: 40, Opportunity: 20, Account: 5 } }],
      hubspot: [{ id: 'default', seed: 3, counts: { contacts: 40, deals: 20 } }],
      dynamics: [{ id: 'default', seed: 3, counts: { contact: 40, opportunity: 20, account: 5 } }],
    },
  });
  t = await stack.tenant('idreads');
  exec = execOn(stack.url, t.key);
});
afterAll(() => stack?.close());

interface Page {
  contacts: { nodes: { remoteId: string; email?: string | null; deals: { remoteId: string }[] }[] };
}

async function read(selection: string): Promise<{ page: Page; soql: string[] }> {
  stack.clearLogs();
  const body = await exec(
    `query L($c: ID!) { contacts(connectionId: $c, first: 20) { nodes { ${selection} } } }`,
    { c: t.connections.salesforce },
  );
  expect(body.errors).toBeUndefined();
  const soql = stack
    .callEntries('salesforce')
    .filter((e) => e.route.endsWith('/query'))
    .map((e) => decodeURIComponent(e.url.replace(/\+/g, ' ')));
  return { page: body.data as Page, soql };
}

it('selects the audit fields only for ids and associations, every mapped field for one field more', async () => {
  const identity = await read('remoteId deals { remoteId }');
  const full = await read('remoteId email deals { remoteId }');
  const listOf = (soql: string[]) => soql.find((q) => /FROM Contact\b/.test(q))!;
  expect(listOf(identity.soql)).toMatch(
    /SELECT Id, IsDeleted, CreatedDate, LastModifiedDate, SystemModstamp FROM/,
  );
  expect(listOf(full.soql)).toMatch(/\bEmail\b/);
  // The same records and associations either way; the fuller read has the values too.
  const ids = (p: Page) => p.contacts.nodes.map((n) => [n.remoteId, n.deals.map((d) => d.remoteId)]);
  expect(ids(identity.page)).toEqual(ids(full.page));
  expect(full.page.contacts.nodes.some((n) => typeof n.email === 'string')).toBe(true);
});

it('reads a record type in full when a nested selection needs one of its fields', async () => {
  const { page } = await read('remoteId deals { remoteId contacts { remoteId email } }');
  const nested = (
    page as unknown as {
      contacts: { nodes: { deals: { contacts: { email: string | null }[] }[] }[] };
    }
  ).contacts.nodes.flatMap((n) => n.deals.flatMap((d) => d.contacts));
  expect(nested.length).toBeGreaterThan(0);
  expect(nested.every((c) => typeof c.email === 'string')).toBe(true);
});

/** Where each CRM's list names the columns it reads, and what an identity read asks for. */
const SELECTED = {
  hubspot: {
    list: /\/crm\/v3\/objects\/(contacts|:\w+)$/,
    param: 'properties',
    identity: ['hs_object_id', 'createdate', 'lastmodifieddate'],
    email: 'email',
  },
  dynamics: {
    list: /\/contacts$/,
    param: '$select',
    identity: ['contactid', 'createdon', 'modifiedon'],
    email: 'emailaddress1',
  },
} as const;

it.each(Object.keys(SELECTED) as (keyof typeof SELECTED)[])(
  '%s: asks for the id and stamps only for ids and associations, for every mapped field for one field more',
  async (crm) => {
    const row = SELECTED[crm];
    const listed = async (selection: string) => {
      stack.clearLogs();
      const body = await exec(
        `query L($c: ID!) { contacts(connectionId: $c, first: 20) { nodes { ${selection} } } }`,
        { c: t.connections[crm] },
      );
      expect(body.errors).toBeUndefined();
      const list = stack.callEntries(crm).find((e) => e.method === 'GET' && row.list.test(e.route))!;
      const asked = new URL(list.url, 'http://x').searchParams.get(row.param) ?? '';
      return { page: body.data as Page, asked: asked.split(',') };
    };
    const identity = await listed('remoteId deals { remoteId }');
    const full = await listed('remoteId email deals { remoteId }');
    expect(identity.asked).toEqual(row.identity);
    expect(full.asked).toContain(row.email);
    const ids = (p: Page) => p.contacts.nodes.map((n) => [n.remoteId, n.deals.map((d) => d.remoteId)]);
    expect(ids(identity.page)).toEqual(ids(full.page));
  },
);
