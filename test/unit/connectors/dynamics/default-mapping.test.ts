import { dynamicsMapping } from '../../../../src/connectors/dynamics/default-mapping';
import { writeBody } from '../../../../src/connectors/dynamics/writes';
import { toCanonical, toNative } from '../../../../src/mapping/mapper';

/** The default mapping over rows as the connector reads them (`mappers.ts`). */

describe('Dynamics default mapping', () => {
  it('reads an opportunity: amount as a decimal string with its currency code, status from statecode, stage from salesstage', () => {
    const out = toCanonical(dynamicsMapping.deal, {
      opportunityid: 'd1',
      name: 'Renewal',
      estimatedvalue: 1250.5,
      'transactioncurrencyid.isocurrencycode': 'EUR',
      salesstage: 2,
      statecode: 1,
      estimatedclosedate: '2026-03-31',
      _ownerid_value: 'u1',
      createdon: '2026-01-01T00:00:00Z',
      modifiedon: '2026-02-01T00:00:00Z',
    });
    expect(out.issues).toEqual([]);
    expect(out.fields).toMatchObject({
      name: 'Renewal',
      amount: '1250.5',
      currency: 'EUR',
      stage: 'Propose',
      status: 'WON',
      closeDate: '2026-03-31',
      ownerId: 'u1',
    });
    expect(toCanonical(dynamicsMapping.deal, { salesstage: 7, statecode: 0 }).fields).toMatchObject({
      stage: '7',
      status: 'OPEN',
    });
  });

  it('writes a stage as the choice value Dataverse takes, and refuses status (CRM-owned)', () => {
    // Stage is the CRM's to own by default (as for HubSpot); a write that may set it says so.
    const native = toNative(
      dynamicsMapping.deal,
      { fields: { stage: 'Close', amount: '99.90' } },
      {},
      { enforceSourceOfTruth: false },
    );
    expect(writeBody('deal', native).body).toEqual({ salesstage: 3, estimatedvalue: 99.9 });
    expect(() => toNative(dynamicsMapping.deal, { fields: { status: 'WON' } })).toThrow(/status/);
  });

  it('reads a contact', () => {
    expect(
      toCanonical(dynamicsMapping.contact, {
        firstname: 'Ada',
        lastname: 'Lovelace',
        emailaddress1: 'ada@example.com',
        telephone1: '+44 1',
        jobtitle: 'Engineer',
      }).fields,
    ).toMatchObject({
      firstName: 'Ada',
      lastName: 'Lovelace',
      email: 'ada@example.com',
      phone: '+44 1',
      title: 'Engineer',
    });
  });
});
