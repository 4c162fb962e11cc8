import nock from '../../../support/nock';
import { ENV, ID, RESPONSE_BOUNDARY, ROOT, answer, dynamics } from './dyn-context';

/** Deal ↔ contact over nock: the lookup and connections read in one `$batch`, links written after. */

const C1 = '11111111-1111-4111-8111-111111111111';
const C2 = '22222222-2222-4222-8222-222222222222';
const K1 = '33333333-3333-4333-8333-333333333333';
const ACCOUNT = '44444444-4444-4444-8444-444444444444';
const LOGICAL = '_record2id_value@Microsoft.Dynamics.CRM.lookuplogicalname';
const MULTIPART = { 'content-type': `multipart/mixed; boundary=${RESPONSE_BOUNDARY}` };
const ok = (body: unknown) =>
  `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n${JSON.stringify(body)}`;

/** The read `$batch`: deal A's primary contact C1, a connection to C2, and one to an account. */
function readBatch(sent: string[]): void {
  nock(ENV)
    .post(`${ROOT}/$batch`, (body: string) => {
      sent.push(body);
      return true;
    })
    .reply(
      200,
      answer([
        ok({ value: [{ opportunityid: ID.a, _parentcontactid_value: C1 }] }),
        ok({
          value: [
            { connectionid: K1, _record1id_value: ID.a, _record2id_value: C2, [LOGICAL]: 'contact' },
            { connectionid: ID.b, _record1id_value: ID.a, _record2id_value: ACCOUNT, [LOGICAL]: 'account' },
          ],
        }),
      ]),
      MULTIPART,
    );
}

describe('Dynamics associations over nock', () => {
  it('reads the primary contact and the connected ones in one $batch; every asked id answers', async () => {
    const sent: string[] = [];
    readBatch(sent);
    const links = await dynamics().connector.getAssociations('deal', [ID.a, 'not-a-guid'], 'contact');
    expect(Object.fromEntries(links)).toEqual({ [ID.a]: [C1, C2], 'not-a-guid': [] });
    expect(sent).toHaveLength(1);
    expect(sent[0]).toContain(
      'GET /api/data/v9.2/opportunities?$select=opportunityid%2C_parentcontactid_value',
    );
    expect(sent[0]).toContain(`GET /api/data/v9.2/connections?$select=connectionid`);
    expect(sent[0]).toContain(`_record1id_value%20eq%20${ID.a}`);
    expect(sent[0]).toContain(
      'prefer: odata.maxpagesize=5000,odata.include-annotations="Microsoft.Dynamics.CRM.lookuplogicalname"',
    );
  });

  it('links what is not linked yet: a connection where the deal has a primary contact, nothing for a held pair', async () => {
    const sent: string[] = [];
    readBatch(sent);
    nock(ENV)
      .post(`${ROOT}/$batch`, (body: string) => {
        sent.push(body);
        return true;
      })
      .reply(200, answer(['HTTP/1.1 204 No Content\r\n']), MULTIPART);
    const results = await dynamics().connector.linkRecords('deal', 'contact', [
      { ref: 'held', fromId: ID.a, toId: C2 },
      { ref: 'new', fromId: ID.a, toId: ID.b },
    ]);
    expect(results.map((r) => r.ok)).toEqual([true, true]);
    expect(sent).toHaveLength(2);
    expect(sent[1]).toContain('POST /api/data/v9.2/connections HTTP/1.1');
    expect(sent[1]).toContain(
      `{"record1id_opportunity@odata.bind":"/opportunities(${ID.a})","record2id_contact@odata.bind":"/contacts(${ID.b})"}`,
    );
    expect(sent[1].match(/HTTP\/1\.1\r\n/g)).toHaveLength(1);
  });
});
