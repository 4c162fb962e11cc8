import nock from '../../../support/nock';
import { CHANGES_WINDOW_EXCEEDED } from '../../../../src/connectors/changes-window';
import { encodeConnectorCursor } from '../../../../src/connectors/cursor';
import { type NativeChange } from '../../../../src/connectors/types';
import { type CrmError } from '../../../../src/errors';
import { ENV, ID, ROOT, dynamics } from './dyn-context';

/** Delta links as docs/vendors/dynamics.md "Change tracking" documents them. */

const since = () => new Date(Date.now() - 60_000);

describe('listChanges', () => {
  it('follows the delta token with track-changes, reads $deletedEntity rows as deletions', async () => {
    const { connector } = dynamics();
    const token = '919042!04/23/2026 08:10:12';
    nock(ENV)
      .get(`${ROOT}/contacts`)
      .query((q) => q.$deltatoken === token && q.$filter === undefined)
      .matchHeader('prefer', 'odata.track-changes,odata.maxpagesize=50')
      .reply(200, {
        '@odata.context': `${ENV}${ROOT}/$metadata#contacts/$delta`,
        value: [
          { contactid: ID.a, modifiedon: '2026-04-23T08:11:00Z' },
          {
            '@odata.context': `${ENV}${ROOT}/$metadata#contacts/$deletedEntity`,
            id: ID.b,
            reason: 'deleted',
          },
        ],
        '@odata.deltaLink': `${ENV}${ROOT}/contacts?$select=contactid&$deltatoken=919050%2104%2F23%2F2026%2008%3A12%3A00`,
      });
    const page = await connector.listChanges('contact', {
      since: since(),
      position: encodeConnectorCursor({ d: token, n: 50 }),
    });
    expect(page.items.map((c: NativeChange) => [c.remoteId, c.kind, c.occurredAt.length > 0])).toEqual([
      [ID.a, 'UPSERTED', true],
      [ID.b, 'DELETED', true],
    ]);
    expect(page.nextCursor).toBeNull();
    expect(JSON.parse(Buffer.from(page.position!, 'base64url').toString())).toEqual({
      v: 1,
      d: '919050!04/23/2026 08:12:00',
      n: 50,
    });
  });

  it('answers an expired version stamp with CHANGES_WINDOW_EXCEEDED (full reconcile)', async () => {
    const { connector } = dynamics();
    nock(ENV)
      .get(`${ROOT}/contacts`)
      .query(true)
      .reply(400, {
        error: {
          code: '0x80044352',
          message: 'Version stamp associated with the client has expired. Please perform a full sync.',
        },
      });
    const err = (await connector
      .listChanges('contact', { since: since(), position: encodeConnectorCursor({ d: 'old', n: 10 }) })
      .catch((e: unknown) => e)) as CrmError;
    expect(err.vendorCode).toBe(CHANGES_WINDOW_EXCEEDED);
    expect(err.details).toEqual({ fullResyncRequired: true });
  });

  it('asks for a full reconcile without a call when there is no position, or `since` is older than tokens live', async () => {
    const { connector } = dynamics();
    const none = (await connector
      .listChanges('contact', { since: since() })
      .catch((e: unknown) => e)) as CrmError;
    expect(none).toMatchObject({
      vendorCode: CHANGES_WINDOW_EXCEEDED,
      details: { fullResyncRequired: true },
    });
    const old = new Date(Date.now() - 8 * 24 * 3600_000);
    const position = encodeConnectorCursor({ d: 'x', n: 10 });
    const tooOld = (await connector
      .listChanges('deal', { since: old, position })
      .catch((e: unknown) => e)) as CrmError;
    expect(tooOld).toMatchObject({
      vendorCode: CHANGES_WINDOW_EXCEEDED,
      details: { fullResyncRequired: true },
    });
    expect(nock.pendingMocks()).toEqual([]);
  });

  it('leaves a deal change without its record (a tracked read cannot expand the currency)', async () => {
    const { connector } = dynamics();
    nock(ENV)
      .get(`${ROOT}/opportunities`)
      .query((q) => q.$deltatoken === 't1' && q.$expand === undefined)
      .reply(200, {
        value: [{ opportunityid: ID.a, modifiedon: '2026-04-23T08:11:00Z', name: 'x' }],
        '@odata.deltaLink': `${ENV}${ROOT}/opportunities?$deltatoken=t2`,
      });
    const page = await connector.listChanges('deal', {
      since: since(),
      position: encodeConnectorCursor({ d: 't1', n: 10 }),
    });
    expect(page.items).toEqual([
      { object: 'deal', remoteId: ID.a, kind: 'UPSERTED', occurredAt: '2026-04-23T08:11:00Z' },
    ]);
  });
});

describe('startChanges', () => {
  it('pages a tracked read of the key column alone to its delta link, calling onPage after each page', async () => {
    const { connector } = dynamics();
    nock(ENV)
      .get(`${ROOT}/contacts`)
      .query((q) => q.$select === 'contactid' && q.$skiptoken === undefined)
      .matchHeader('prefer', 'odata.track-changes,odata.maxpagesize=5000')
      .reply(200, {
        value: [{ contactid: ID.a }],
        '@odata.nextLink': `${ENV}${ROOT}/contacts?$select=contactid&$skiptoken=p2`,
      })
      .get(`${ROOT}/contacts`)
      .query((q) => q.$select === 'contactid' && q.$skiptoken === 'p2')
      .reply(200, {
        value: [{ contactid: ID.b }],
        '@odata.deltaLink': `${ENV}${ROOT}/contacts?$deltatoken=d9`,
      });
    let pages = 0;
    const position = await connector.startChanges('contact', async () => {
      pages += 1;
    });
    expect(pages).toBe(2);
    expect(JSON.parse(Buffer.from(position, 'base64url').toString())).toMatchObject({ d: 'd9' });
  });
});
