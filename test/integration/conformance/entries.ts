import { type CrmKind } from '../../../src/config/crms';
import { createSalesforceConnector } from '../../../src/connectors/salesforce/salesforce.connector';
import { hubspotTarget } from '../connectors/hubspot/hubspot.target';
import { type NativeValue } from '../../../src/connectors/types';
import { type ConformanceEntry } from './harness';
import { startSalesforceConformance } from './salesforce.target';

/**
 * One conformance entry per registered connector. A connector issue adds its entry next to its registry
 * line: how to start its sandbox with a connection (its target), the bulk routes to count, and what
 * its sandbox's seed data looks like.
 */

const SEEDED = { contact: 23, deal: 17 };

const salesforce: ConformanceEntry = {
  crm: 'salesforce',
  start: () =>
    startSalesforceConformance(createSalesforceConnector, {
      counts: { Contact: SEEDED.contact, Opportunity: SEEDED.deal },
    }),
  routes: {
    // Contacts read Account.Name, a relationship field Collections retrieve cannot select: they are
    // read with SOQL `Id IN (…)`; opportunities through sObject Collections POST retrieve.
    bulkRead: (obj) =>
      obj === 'contact'
        ? /^GET \/services\/data\/:version\/query$/
        : /^POST \/services\/data\/:version\/composite\/sobjects\/:type$/,
    bulkWrite: () => /^(POST|PATCH) \/services\/data\/:version\/composite\/sobjects(\/:type\/:field)?$/,
  },
  expectations: {
    seeded: SEEDED,
    newRecord: (obj, n): Record<string, NativeValue> =>
      obj === 'contact'
        ? { LastName: `Conformance${n}`, Email: `conformance${n}@example.com` }
        : { Name: `Deal ${n}`, StageName: 'Prospecting', CloseDate: '2026-12-31', Amount: 1000 },
    // Missing required fields: REQUIRED_FIELD_MISSING.
    invalidRecord: (obj): Record<string, NativeValue> =>
      obj === 'contact' ? { FirstName: 'NoLastName' } : { Name: 'No stage nor close date' },
    update: (obj) =>
      obj === 'contact'
        ? { field: 'Title', value: 'Chief Conformance Officer' }
        : { field: 'Name', value: 'Renamed deal' },
    unknownId: (obj) => (obj === 'contact' ? '003000000000000AAA' : '006000000000000AAA'),
  },
};

const hubspot: ConformanceEntry = {
  crm: 'hubspot',
  start: () => hubspotTarget.start(SEEDED),
  routes: { bulkRead: hubspotTarget.routes.bulkRead, bulkWrite: hubspotTarget.routes.bulkWrite },
  expectations: {
    seeded: SEEDED,
    newRecord: (obj, n): Record<string, NativeValue> =>
      obj === 'contact'
        ? { ...hubspotTarget.samples.contact(n) }
        : {
            dealname: `Deal ${n}`,
            amount: '1000.50',
            pipeline: 'default',
            dealstage: 'appointmentscheduled',
          },
    invalidRecord: (obj) => (obj === 'contact' ? { ...hubspotTarget.samples.invalidContact(1) } : undefined),
    update: (obj) =>
      obj === 'contact'
        ? { field: 'jobtitle', value: 'Chief Conformance Officer' }
        : { field: 'dealname', value: 'Renamed deal' },
    unknownId: () => '999999999999',
  },
};

export const CONFORMANCE_ENTRIES: Partial<Record<CrmKind, ConformanceEntry>> = { salesforce, hubspot };
