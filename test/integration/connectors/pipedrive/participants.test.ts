import {
  type PipedriveConformanceSandbox,
  startPipedriveConformance,
} from '../../conformance/pipedrive.target';

/**
 * Deal participants end to end: the connector with `dealParticipants` on, built the way production
 * builds it (OAuth through the sandbox, Redis budgets, FerretDB store), against the Pipedrive sandbox
 * over a real socket (docs/vendors/pipedrive.md "Connector: deal contacts").
 */

const PARTICIPANTS =
  /^(GET|POST|DELETE) (?:\/c\/:\w+)?\/api\/v1\/deals\/:id\/participants(?:\/:participantId)?$/;

describe('pipedrive connector: deal participants over the sandbox', () => {
  let sb: PipedriveConformanceSandbox;
  beforeAll(async () => {
    sb = await startPipedriveConformance({
      counts: { contact: 6, deal: 3 },
      settings: { dealParticipants: true },
    });
  });
  afterAll(async () => {
    await sb.close();
  });

  const store = () => sb.org.state.store;
  const participantsOf = (deal: number) =>
    store()
      .participants.ofDeal(deal)
      .map((p) => String(p.personId));
  /** A deal whose contact person is set, and a person who is not on it. */
  const dealWithOther = (): { deal: string; primary: string; other: string } => {
    const deal = store()
      .all('deal')
      .find((d) => typeof d.values.person_id === 'number')!;
    const primary = String(deal.values.person_id);
    const other = sb
      .liveIds('contact')
      .find((id) => id !== primary && !participantsOf(deal.id).includes(id))!;
    return { deal: String(deal.id), primary, other };
  };

  it('adds a participant beside the contact person, reads both back, and removes it again', async () => {
    const { deal, primary, other } = dealWithOther();
    const connector = sb.connector('background');
    sb.clearLog();
    expect(await connector.linkRecords('deal', 'contact', [{ ref: 'l', fromId: deal, toId: other }])).toEqual(
      [{ ref: 'l', ok: true, remoteId: deal, created: false }],
    );
    expect(store().get('deal', Number(deal))!.values.person_id).toBe(Number(primary));
    expect(participantsOf(Number(deal))).toEqual([primary, other]);
    expect(sb.calls(PARTICIPANTS)).toBe(2);

    // A second link of the same pair writes nothing.
    sb.clearLog();
    await connector.linkRecords('contact', 'deal', [{ ref: 'l2', fromId: other, toId: deal }]);
    expect(sb.log().filter((e) => e.method !== 'GET')).toEqual([]);

    // Deal → contacts: the ids list, then the deal's participants — 10 + 10 tokens.
    const spent = () => sb.org.state.limits.spent(sb.now());
    const before = spent();
    sb.clearLog();
    const got = await connector.getAssociations('deal', [deal], 'contact');
    expect(got.get(deal)).toEqual([primary, other]);
    expect(sb.log().map((e) => e.status)).toEqual([200, 200]);
    expect(spent() - before).toBe(20);

    // Person → deals reads the person_id list only: a participant-only deal is not found from the person.
    const deals = await connector.getAssociations('contact', [other], 'deal');
    expect(deals.get(other)).not.toContain(deal);

    await connector.unlinkRecords('deal', 'contact', [{ ref: 'u', fromId: deal, toId: other }]);
    expect(participantsOf(Number(deal))).toEqual([primary]);
    expect(store().get('deal', Number(deal))!.values.person_id).toBe(Number(primary));
  });

  it('unlinks the contact person: person_id cleared and its attachment gone', async () => {
    const { deal, primary } = dealWithOther();
    const connector = sb.connector('background');
    await connector.unlinkRecords('contact', 'deal', [{ ref: 'u', fromId: primary, toId: deal }]);
    expect(store().get('deal', Number(deal))!.values.person_id).toBeNull();
    expect(participantsOf(Number(deal))).toEqual([]);
    expect((await connector.getAssociations('deal', [deal], 'contact')).get(deal)).toEqual([]);
  });

  it('sets person_id on a deal without a contact person; the sandbox lists it as a participant', async () => {
    const [id] = sb.createAt('deal', [{ title: 'No contact yet' }], sb.now());
    const deal = store().get('deal', Number(id))!;
    expect(deal.values.person_id ?? null).toBeNull();
    const person = sb.liveIds('contact')[0]!;
    const connector = sb.connector('background');
    await connector.linkRecords('deal', 'contact', [{ ref: 'l', fromId: String(deal.id), toId: person }]);
    expect(deal.values.person_id).toBe(Number(person));
    expect(participantsOf(deal.id)).toEqual([person]);
    // Read back once: the contact person and its attachment are one contact.
    expect(
      (await connector.getAssociations('deal', [String(deal.id)], 'contact')).get(String(deal.id)),
    ).toEqual([person]);
  });

  it('fails a pair naming a missing person NOT_FOUND without touching the participants', async () => {
    const { deal } = dealWithOther();
    const before = participantsOf(Number(deal));
    const [res] = await sb
      .connector('background')
      .linkRecords('deal', 'contact', [{ ref: 'm', fromId: deal, toId: '987654' }]);
    expect(res).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(participantsOf(Number(deal))).toEqual(before);
  });
});
