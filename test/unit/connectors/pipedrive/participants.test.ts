import { ConnectorSettingsError } from '../../../../src/connectors/settings-error';
import { pipedriveSettings } from '../../../../src/connectors/pipedrive/settings';
import { TOKEN_COSTS } from '../../../../src/connectors/pipedrive/declaration';
import nock from '../../../support/nock';
import { DOMAIN, V1, V2, ok, pipedrive } from './pd-context';

/** Deal participants behind the `dealParticipants` setting (docs/vendors/pipedrive.md "Connector: deal contacts"). */

const ON = { settings: { dealParticipants: true } };

/** A participant entry as the v1 list shows it (the client's `DealParticipantItem`, trimmed). */
const entry = (id: number, person: number, active = true) => ({
  id,
  person_id: { value: person, name: `P${person}`, active_flag: active },
  person: { id: person, active_flag: active },
  active_flag: true,
  related_item_type: 'deal',
  related_item_id: 5,
});

/** A v1 page: paging under `additional_data.pagination`, or flat as the client types it. */
const v1Page = (data: unknown[], more: boolean, nextStart?: number, flat = false) => {
  const pagination = {
    start: 0,
    limit: 500,
    more_items_in_collection: more,
    ...(nextStart !== undefined ? { next_start: nextStart } : {}),
  };
  return { success: true, data, additional_data: flat ? pagination : { pagination } };
};

describe('the dealParticipants setting', () => {
  it('is off unless the connection says so, and a value that is not a boolean is refused by name', () => {
    expect(pipedriveSettings({}).dealParticipants).toBe(false);
    expect(pipedriveSettings({ dealParticipants: true }).dealParticipants).toBe(true);
    expect(() => pipedriveSettings({ dealParticipants: 'yes' })).toThrow(ConnectorSettingsError);
    expect(() => pipedriveSettings({ dealParticipants: 'yes' })).toThrow(
      /invalid Pipedrive connection setting dealParticipants: .*expected boolean, received string/,
    );
  });

  it('prices the participants list at 10 tokens, an add at 10 and a removal at 6', () => {
    expect(TOKEN_COSTS['v1.participants']).toBe(10);
    expect(TOKEN_COSTS['v1.create']).toBe(10);
    expect(TOKEN_COSTS['v1.delete']).toBe(6);
  });
});

describe('deal → contacts with participants', () => {
  it('reads person_id from the ids list, then each found deal’s participants paged to the end', async () => {
    const { connector, budget } = pipedrive(ON);
    nock(DOMAIN)
      .get(`${V2}/deals`)
      .query({ ids: '5,6,7', limit: '100' })
      .reply(
        200,
        ok([
          { id: 5, person_id: 2 },
          { id: 6, person_id: null },
        ]),
      );
    // Deal 5: the contact person is a participant too (listed once), two pages, an inactive entry skipped.
    nock(DOMAIN)
      .get(`${V1}/deals/5/participants`)
      .query({ start: '0', limit: '500' })
      .reply(200, v1Page([entry(1, 2), entry(2, 3)], true, 2));
    nock(DOMAIN)
      .get(`${V1}/deals/5/participants`)
      .query({ start: '2', limit: '500' })
      .reply(200, v1Page([entry(3, 4, false), entry(4, 8)], false));
    // Deal 6 has no contact person but a participant; its paging comes flat.
    nock(DOMAIN)
      .get(`${V1}/deals/6/participants`)
      .query({ start: '0', limit: '500' })
      .reply(200, v1Page([entry(5, 9)], false, undefined, true));
    const got = await connector.getAssociations('deal', ['5', '6', '7', 'x'], 'contact');
    expect([...got.entries()]).toEqual([
      ['5', ['2', '3', '8']],
      ['6', ['9']],
      ['7', []],
      ['x', []],
    ]);
    // Deal 7 is not in Pipedrive: no participants call for it.
    expect(budget.endpoints).toEqual(['v2.list', 'v1.participants', 'v1.participants', 'v1.participants']);
  });

  it('makes no participants call with the setting off', async () => {
    const { connector, budget } = pipedrive();
    nock(DOMAIN)
      .get(`${V2}/deals`)
      .query({ ids: '5', limit: '100' })
      .reply(200, ok([{ id: 5, person_id: 2 }]));
    expect([...(await connector.getAssociations('deal', ['5'], 'contact')).entries()]).toEqual([
      ['5', ['2']],
    ]);
    expect(budget.endpoints).toEqual(['v2.list']);
  });

  it('reads person → deals through the person_id list alone (Pipedrive lists no person’s participant deals)', async () => {
    const { connector, budget } = pipedrive(ON);
    nock(DOMAIN)
      .get(`${V2}/deals`)
      .query({ person_id: '2', limit: '500' })
      .reply(200, ok([{ id: 5, person_id: 2 }]));
    expect([...(await connector.getAssociations('contact', ['2'], 'deal')).entries()]).toEqual([
      ['2', ['5']],
    ]);
    expect(budget.endpoints).toEqual(['v2.list']);
  });
});

describe('links with participants', () => {
  const records = (dealPerson: number | null) => {
    nock(DOMAIN)
      .get(`${V2}/deals/5`)
      .reply(200, ok({ id: 5, person_id: dealPerson }));
    nock(DOMAIN)
      .get(`${V2}/persons/3`)
      .reply(200, ok({ id: 3 }));
  };

  it('adds a participant to a deal that has another contact person, keeping its person_id', async () => {
    const { connector, budget } = pipedrive(ON);
    records(2);
    nock(DOMAIN)
      .get(`${V1}/deals/5/participants`)
      .query(true)
      .reply(200, v1Page([entry(1, 2)], false));
    nock(DOMAIN)
      .post(`${V1}/deals/5/participants`, { person_id: 3 })
      .reply(200, { success: true, data: entry(7, 3) });
    expect(await connector.linkRecords('deal', 'contact', [{ ref: 'l', fromId: '5', toId: '3' }])).toEqual([
      { ref: 'l', ok: true, remoteId: '5', created: false },
    ]);
    expect(budget.endpoints).toEqual(['v2.get', 'v2.get', 'v1.participants', 'v1.create']);
  });

  it('writes nothing for a person who already participates', async () => {
    const { connector, budget } = pipedrive(ON);
    records(2);
    nock(DOMAIN)
      .get(`${V1}/deals/5/participants`)
      .query(true)
      .reply(200, v1Page([entry(1, 2), entry(2, 3)], false));
    expect(
      await connector.linkRecords('contact', 'deal', [{ ref: 'l', fromId: '3', toId: '5' }]),
    ).toMatchObject([{ ok: true }]);
    expect(budget.endpoints).toEqual(['v2.get', 'v2.get', 'v1.participants']);
  });

  it.each([
    ['a deal without a contact person, setting on', ON, null],
    ['a deal with another contact person, setting off', {}, 2],
  ])('sets person_id on %s', async (_case, options, dealPerson) => {
    const { connector, budget } = pipedrive(options);
    records(dealPerson);
    nock(DOMAIN)
      .patch(`${V2}/deals/5`, { person_id: 3 })
      .reply(200, ok({ id: 5, person_id: 3 }));
    expect(
      await connector.linkRecords('deal', 'contact', [{ ref: 'l', fromId: '5', toId: '3' }]),
    ).toMatchObject([{ ok: true }]);
    expect(budget.endpoints).toEqual(['v2.get', 'v2.get', 'v2.update']);
  });

  it('unlinks the contact person: clears person_id, then removes its attachment', async () => {
    const { connector, budget } = pipedrive(ON);
    nock(DOMAIN)
      .get(`${V2}/deals/5`)
      .reply(200, ok({ id: 5, person_id: 3 }));
    nock(DOMAIN)
      .patch(`${V2}/deals/5`, { person_id: null })
      .reply(200, ok({ id: 5, person_id: null }));
    nock(DOMAIN)
      .get(`${V1}/deals/5/participants`)
      .query(true)
      .reply(200, v1Page([entry(1, 3), entry(2, 4)], false));
    nock(DOMAIN)
      .delete(`${V1}/deals/5/participants/1`)
      .reply(200, { success: true, data: { id: 1 } });
    expect(
      await connector.unlinkRecords('deal', 'contact', [{ ref: 'u', fromId: '5', toId: '3' }]),
    ).toMatchObject([{ ok: true }]);
    expect(budget.endpoints).toEqual(['v2.get', 'v2.update', 'v1.participants', 'v1.delete']);
  });

  it('unlinks a participant by its attachment; one already gone (404) is done', async () => {
    const { connector } = pipedrive(ON);
    nock(DOMAIN)
      .get(`${V2}/deals/5`)
      .reply(200, ok({ id: 5, person_id: 2 }));
    nock(DOMAIN)
      .get(`${V1}/deals/5/participants`)
      .query(true)
      .reply(200, v1Page([entry(1, 2), entry(9, 3)], false));
    nock(DOMAIN)
      .delete(`${V1}/deals/5/participants/9`)
      .reply(404, { success: false, error: 'Participant not found' });
    expect(
      await connector.unlinkRecords('contact', 'deal', [{ ref: 'u', fromId: '3', toId: '5' }]),
    ).toMatchObject([{ ok: true }]);
  });

  it('treats a deleted deal as unlinked already, with no write', async () => {
    const { connector, budget } = pipedrive(ON);
    nock(DOMAIN)
      .get(`${V2}/deals/5`)
      .reply(200, ok({ id: 5, person_id: 3, is_deleted: true }));
    expect(
      await connector.unlinkRecords('deal', 'contact', [{ ref: 'u', fromId: '5', toId: '3' }]),
    ).toMatchObject([{ ok: true }]);
    expect(budget.endpoints).toEqual(['v2.get']);
  });
});
