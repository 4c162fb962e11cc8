import nock from '../../../support/nock';
import { ENV, ID, ROOT, dynamics } from './dyn-context';

/** Reads against the documented Web API answers (docs/vendors/dynamics.md "Querying", "Paging"). */

const contact = (id: string, extra: Record<string, unknown> = {}) => ({
  '@odata.etag': 'W/"1001"',
  contactid: id,
  'fullname@OData.Community.Display.V1.FormattedValue': 'x',
  modifiedon: '2026-01-02T03:04:05Z',
  ...extra,
});

describe('getRecords', () => {
  it('reads the ids in ONE GET filtered by Microsoft.Dynamics.CRM.In, in order, null for a miss', async () => {
    const { connector } = dynamics({ fields: { contact: ['cr8f3_tier'] } });
    let query: Record<string, string> = {};
    nock(ENV)
      .get(`${ROOT}/contacts`)
      .query((q) => {
        query = q as Record<string, string>;
        return true;
      })
      .matchHeader('prefer', 'odata.maxpagesize=2')
      .matchHeader('odata-version', '4.0')
      .reply(200, { value: [contact(ID.b, { cr8f3_tier: 'gold' })] });
    const got = await connector.getRecords('contact', [ID.a.toUpperCase(), ID.b]);
    expect(query.$filter).toBe(
      `Microsoft.Dynamics.CRM.In(PropertyName='contactid',PropertyValues=['${ID.a}','${ID.b}'])`,
    );
    expect(query.$select.split(',')).toContain('cr8f3_tier');
    expect(got[0]).toBeNull();
    expect(got[1]).toEqual({
      remoteId: ID.b,
      fields: { contactid: ID.b, modifiedon: '2026-01-02T03:04:05Z', cr8f3_tier: 'gold' },
      updatedAt: '2026-01-02T03:04:05Z',
      isDeleted: false,
    });
  });

  it('flattens the expanded currency of a deal into its native path', async () => {
    const { connector } = dynamics();
    nock(ENV)
      .get(`${ROOT}/opportunities`)
      .query((q) => q.$expand === 'transactioncurrencyid($select=isocurrencycode)')
      .reply(200, {
        value: [
          {
            opportunityid: ID.a,
            estimatedvalue: 1250.5,
            transactioncurrencyid: { isocurrencycode: 'EUR', '@odata.etag': 'W/"1"' },
          },
        ],
      });
    const [deal] = await connector.getRecords('deal', [ID.a]);
    expect(deal?.fields).toEqual({
      opportunityid: ID.a,
      estimatedvalue: 1250.5,
      'transactioncurrencyid.isocurrencycode': 'EUR',
    });
  });
});

describe('reads for identity alone (ConnectorContext.identityOnly)', () => {
  it('selects only the key and the audit stamps of that object, with no currency expand', async () => {
    const { connector } = dynamics({ fields: { deal: ['cr8f3_tier'] } }, ['deal']);
    const queries: Record<string, string>[] = [];
    const scope = nock(ENV)
      .get(`${ROOT}/opportunities`)
      .query((q) => {
        queries.push(q as Record<string, string>);
        return true;
      })
      .reply(200, { value: [] })
      .get(`${ROOT}/contacts`)
      .query((q) => {
        queries.push(q as Record<string, string>);
        return true;
      })
      .reply(200, { value: [] });
    await connector.getRecords('deal', [ID.a]);
    await connector.getRecords('contact', [ID.a]);
    scope.done();
    expect(queries[0]).toMatchObject({ $select: 'opportunityid,createdon,modifiedon' });
    expect(queries[0]!.$expand).toBeUndefined();
    // The other object is read in full.
    expect(queries[1]!.$select.split(',')).toEqual(expect.arrayContaining(['contactid', 'emailaddress1']));
  });
});

describe('listRecords', () => {
  it('keeps only the $skiptoken and the page size in the cursor, and resends that size with it', async () => {
    const { connector } = dynamics();
    const token = '<cookie pagenumber="2" pagingcookie="%3ccookie%3e" istracking="False" />';
    nock(ENV)
      .get(`${ROOT}/contacts`)
      .query(true)
      .matchHeader('prefer', 'odata.maxpagesize=3')
      .reply(200, {
        value: [contact(ID.a)],
        '@odata.nextLink': `${ENV}${ROOT}/contacts?$select=contactid&$skiptoken=${encodeURIComponent(token)}`,
      });
    const first = await connector.listRecords('contact', { pageSize: 3 });
    expect(JSON.parse(Buffer.from(first.nextCursor!, 'base64url').toString())).toEqual({
      v: 1,
      s: token,
      n: 3,
    });
    nock(ENV)
      .get(`${ROOT}/contacts`)
      .query((q) => q.$skiptoken === token)
      .matchHeader('prefer', 'odata.maxpagesize=3')
      .reply(200, { value: [contact(ID.b)] });
    const second = await connector.listRecords('contact', { pageSize: 50, cursor: first.nextCursor });
    expect(second).toEqual({ items: [expect.objectContaining({ remoteId: ID.b })], nextCursor: null });
  });

  it('refuses a cursor it did not issue, without a call', async () => {
    const { connector } = dynamics();
    const foreign = Buffer.from(JSON.stringify({ v: 1, url: 'https://evil.example' })).toString('base64url');
    await expect(connector.listRecords('contact', { pageSize: 5, cursor: foreign })).rejects.toThrow(
      /not a dynamics cursor this connector issued/,
    );
  });

  it('honours Retry-After on a service-protection 429, then reads', async () => {
    const { connector, slept } = dynamics();
    nock(ENV)
      .get(`${ROOT}/contacts`)
      .query(true)
      .reply(
        429,
        {
          error: {
            code: '0x80072322',
            message: 'Number of requests exceeded the limit of 6000 over time window of 300 seconds.',
          },
        },
        { 'retry-after': '3' },
      )
      .get(`${ROOT}/contacts`)
      .query(true)
      .reply(200, { value: [] });
    expect((await connector.listRecords('contact', { pageSize: 5 })).items).toEqual([]);
    expect(slept).toEqual([3000]);
  });
});
