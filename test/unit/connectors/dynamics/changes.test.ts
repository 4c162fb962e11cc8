import nock from '../../../support/nock';
import { CHANGES_WINDOW_EXCEEDED } from '../../../../src/connectors/changes-window';
import { encodeConnectorCursor } from '../../../../src/connectors/cursor';
import { type CrmError } from '../../../../src/errors';
import { ENV, ID, ROOT, dynamics } from './dyn-context';

/** Delta links as docs/vendors/dynamics.md "Change tracking" documents them. */

describe('readChanges', () => {
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
    const page = await connector.readChanges('contact', {
      cursor: encodeConnectorCursor({ d: token, n: 50 }),
    });
    expect(page.items.map((c) => [c.remoteId, c.kind, c.occurredAt.length > 0])).toEqual([
      [ID.a, 'UPSERTED', true],
      [ID.b, 'DELETED', true],
    ]);
    expect(page.nextCursor).toBeNull();
    expect(JSON.parse(Buffer.from(page.deltaCursor!, 'base64url').toString())).toEqual({
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
      .readChanges('contact', { cursor: encodeConnectorCursor({ d: 'old', n: 10 }) })
      .catch((e: unknown) => e)) as CrmError;
    expect(err.vendorCode).toBe(CHANGES_WINDOW_EXCEEDED);
    expect(err.details).toEqual({ fullResyncRequired: true });
  });
});
