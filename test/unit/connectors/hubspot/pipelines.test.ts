import nock from '../../../support/nock';
import { DEFAULT_MAPPINGS } from '../../../../src/connectors/registry';
import { toCanonical } from '../../../../src/mapping/mapper';
import { DEAL_STAGE_STATUS_TABLE } from '../../../../src/mapping/types';
import { API, hubspot, resetNock } from './hs-context';

/** Deal pipelines (docs/vendors/hubspot.md "Pipelines"): stages with OPEN/WON/LOST, as the stage mapping reads them. */

afterEach(() => resetNock());

describe('deal pipelines', () => {
  it('derives OPEN/WON/LOST from closed-stage metadata, strings or booleans', async () => {
    const { connector } = hubspot();
    nock(API)
      .get('/crm/v3/pipelines/deals')
      .reply(200, {
        results: [
          {
            id: 'default',
            label: 'Sales Pipeline',
            displayOrder: 0,
            archived: false,
            stages: [
              {
                id: 'appointmentscheduled',
                label: 'Appointment Scheduled',
                metadata: { isClosed: 'false', probability: '0.2' },
              },
              { id: 'closedwon', label: 'Closed Won', metadata: { isClosed: 'true', probability: '1.0' } },
              { id: 'closedlost', label: 'Closed Lost', metadata: { isClosed: 'true', probability: '0.0' } },
            ],
          },
          {
            id: '9001',
            label: 'Renewals',
            stages: [
              { id: '122178070', label: 'Renewed', metadata: { isClosed: true, probability: 1 } },
              { id: '122178071', label: 'Churned', metadata: { isClosed: true, probability: 0 } },
              {
                id: '122178072',
                label: 'Old stage',
                archived: true,
                metadata: { isClosed: 'false', probability: '0.5' },
              },
            ],
          },
        ],
      });
    const stages = await connector.dealStages();
    expect(stages.map((s) => [s.pipelineId, s.stageId, s.status, s.probability])).toEqual([
      ['default', 'appointmentscheduled', 'OPEN', 0.2],
      ['default', 'closedwon', 'WON', 1],
      ['default', 'closedlost', 'LOST', 0],
      ['9001', '122178070', 'WON', 1],
      ['9001', '122178071', 'LOST', 0],
    ]);
  });

  it('feeds the default mapping its stage → status table: a deal in a closed-won stage maps to WON', async () => {
    const { connector } = hubspot();
    nock(API)
      .get('/crm/v3/pipelines/deals')
      .reply(200, {
        results: [
          {
            id: 'default',
            label: 'Sales Pipeline',
            stages: [
              {
                id: 'qualifiedtobuy',
                label: 'Qualified',
                metadata: { isClosed: 'false', probability: '0.4' },
              },
              { id: 'closedwon', label: 'Closed Won', metadata: { isClosed: 'true', probability: '1.0' } },
            ],
          },
        ],
      });
    // The table the read path builds from dealStages() (reads/read-metadata.ts `mappingContext`).
    const stages = await connector.dealStages();
    const lookups = {
      [DEAL_STAGE_STATUS_TABLE]: new Map(stages.map((st) => [st.stageId, st.status])),
    };
    expect(lookups[DEAL_STAGE_STATUS_TABLE]).toEqual(
      new Map([
        ['qualifiedtobuy', 'OPEN'],
        ['closedwon', 'WON'],
      ]),
    );
    const deal = toCanonical(
      DEFAULT_MAPPINGS.hubspot.deal,
      {
        dealname: 'Big one',
        amount: '1500.00',
        dealstage: 'closedwon',
        pipeline: 'default',
        closedate: '2024-12-07T00:00:00.000Z',
        hs_deal_stage_probability: '1.0',
        deal_currency_code: 'EUR',
      },
      { lookups },
    );
    expect(deal.issues).toEqual([]);
    expect(deal.fields).toMatchObject({
      name: 'Big one',
      amount: '1500',
      stage: 'closedwon',
      status: 'WON',
      closeDate: '2024-12-07',
      probability: 100,
      currency: 'EUR',
    });
  });
});
