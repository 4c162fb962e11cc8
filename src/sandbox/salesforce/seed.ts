import { createHash } from 'node:crypto';
import { Prng, fakeCompany, fakePerson, timestampPlan, type SandboxOrg } from '../core';
import { KEY_PREFIX, makeId } from './ids';
import {
  CONTACT_ROLES,
  CUSTOMER_TIERS,
  DEAL_SOURCES,
  INDUSTRIES,
  LEAD_SOURCES,
  OPPORTUNITY_STAGES,
  SCHEMA,
} from './schema';
import { salesforceSettingsSchema } from './settings';
import { type SfOrgState } from './state';
import { SfStore, derive } from './store';
import { type SfRecord } from './values';

export const SALESFORCE_DEFAULT_COUNTS = { User: 6, Account: 300, Contact: 3000, Opportunity: 800 } as const;

const DAY = 86_400_000;
const PRODUCTS = ['Platform', 'Support Plan', 'Licences', 'Onboarding', 'Renewal', 'Expansion'] as const;
const CITIES = ['London', 'Paris', 'Berlin', 'Austin', 'Toronto', 'Sydney', 'Madrid', 'Tokyo'] as const;

/** Short stable tag derived from the sandbox org id, so two orgs never share record ids. */
function pod(orgId: string): string {
  return createHash('sha256')
    .update(orgId)
    .digest('base64')
    .replace(/[^A-Za-z0-9]/g, '')
    .slice(0, 2);
}

function blank(object: string): SfRecord {
  const rec: SfRecord = {};
  for (const field of SCHEMA.get(object)?.fields ?? []) rec[field.name] = null;
  return rec;
}

/**
 * A fresh org. Names, ids, values and associations depend only on the seed and counts; timestamps are
 * relative to the org clock's current hour (so replication windows always hold recent changes).
 * Modification times come in clusters that share one timestamp, ~2% of contacts and deals are in the
 * recycle bin, and most records carry an External_Id__c.
 */
export function createSalesforceState(org: SandboxOrg<SfOrgState>): SfOrgState {
  const rng = new Prng(org.seed);
  const tag = pod(org.id);
  const store = new SfStore(tag);
  const anchor = Math.floor(org.now() / 3600_000) * 3600_000;
  const counts = { ...SALESFORCE_DEFAULT_COUNTS, ...org.counts };
  const orgId = makeId(KEY_PREFIX.Organization, 1, tag);
  const derive32 = (label: string): string =>
    createHash('sha256').update(`${org.id}:${org.seed}:${label}`).digest('hex').slice(0, 32);
  const secret = derive32('secret');

  const users: string[] = [];
  const userNames = [
    ['Integration', 'User'],
    ['Casey', 'Admin'],
  ];
  for (let i = 0; i < Math.max(2, counts.User); i++) {
    const p = fakePerson(rng.fork(`user${i}`), i);
    const [first, last] = userNames[i] ?? [p.firstName, p.lastName];
    const id = makeId(KEY_PREFIX.User, i + 1, tag);
    const rec = {
      ...blank('User'),
      Id: id,
      IsDeleted: false,
      FirstName: first ?? null,
      LastName: last ?? 'User',
    };
    Object.assign(rec, {
      Username: `${String(first).toLowerCase()}.${String(last).toLowerCase()}.${i}@${org.id}.sandbox`,
      Email: `${String(first).toLowerCase()}.${i}@example.com`,
      IsActive: true,
      // Every seeded user but the first two reports to the second (Casey Admin).
      ManagerId: i >= 2 ? makeId(KEY_PREFIX.User, 2, tag) : null,
      CreatedDate: anchor - 800 * DAY,
      CreatedById: makeId(KEY_PREFIX.User, 1, tag),
      LastModifiedDate: anchor - 800 * DAY,
      LastModifiedById: makeId(KEY_PREFIX.User, 1, tag),
      SystemModstamp: anchor - 800 * DAY,
    });
    derive(SCHEMA.get('User')!, rec);
    store.insertRaw('User', rec);
    users.push(id);
  }
  const [integrationUserId, crmUserId] = users as [string, string];
  // The org's own row; its currency follows the settings (`configureCurrency`, run after seeding).
  store.insertRaw('Organization', {
    ...blank('Organization'),
    Id: orgId,
    Name: `Sandbox Org (${org.id})`,
    CreatedDate: anchor - 900 * DAY,
    CreatedById: integrationUserId,
    LastModifiedDate: anchor - 900 * DAY,
    LastModifiedById: integrationUserId,
    SystemModstamp: anchor - 900 * DAY,
  });
  const owners = users.slice(1);
  let n = 0;
  const id = (prefix: string): string => makeId(prefix, 1000 + ++n, tag);

  const audit = (rec: SfRecord, created: number, modified: number, by: string): void => {
    Object.assign(rec, {
      IsDeleted: false,
      CreatedDate: Math.min(created, modified),
      CreatedById: by,
      LastModifiedDate: modified,
      LastModifiedById: by,
      SystemModstamp: modified,
    });
  };
  const times = (label: string, count: number): number[] =>
    timestampPlan(rng.fork(label), count, { startMs: anchor - 45 * DAY, endMs: anchor - 3600_000 });

  const accountRng = rng.fork('accounts');
  const accountTimes = times('account-times', counts.Account);
  const accounts: string[] = [];
  for (let i = 0; i < counts.Account; i++) {
    const rec = blank('Account');
    rec.Id = id(KEY_PREFIX.Account);
    rec.Name = `${fakeCompany(accountRng)} ${i + 1}`;
    rec.Industry = accountRng.pick(INDUSTRIES);
    rec.Website = `https://www.example-${i + 1}.com`;
    rec.OwnerId = accountRng.pick(owners);
    rec.External_Id__c = `ACC-${String(i + 1).padStart(6, '0')}`;
    audit(rec, anchor - accountRng.int(60, 700) * DAY, accountTimes[i] as number, crmUserId);
    store.insertRaw('Account', rec);
    accounts.push(rec.Id);
  }

  const contactRng = rng.fork('contacts');
  const contactTimes = times('contact-times', counts.Contact);
  const contacts: string[] = [];
  for (let i = 0; i < counts.Contact; i++) {
    const p = fakePerson(contactRng, i + 1);
    const rec = blank('Contact');
    rec.Id = id(KEY_PREFIX.Contact);
    Object.assign(rec, {
      FirstName: p.firstName,
      LastName: p.lastName,
      Email: p.email,
      Phone: p.phone,
      Title: p.title,
      AccountId: accounts.length > 0 && contactRng.chance(0.9) ? contactRng.pick(accounts) : null,
      LeadSource: contactRng.pick(LEAD_SOURCES),
      MailingCity: contactRng.pick(CITIES),
      OwnerId: contactRng.pick(owners),
      External_Id__c: contactRng.chance(0.9) ? `CUST-${String(i + 1).padStart(6, '0')}` : null,
      Customer_Tier__c: contactRng.chance(0.7) ? contactRng.pick(CUSTOMER_TIERS) : null,
      NPS_Score__c: contactRng.chance(0.5) ? contactRng.int(0, 10) : null,
      Newsletter_Opt_In__c: contactRng.chance(0.4),
    });
    audit(rec, anchor - contactRng.int(60, 700) * DAY, contactTimes[i] as number, crmUserId);
    derive(SCHEMA.get('Contact')!, rec);
    store.insertRaw('Contact', rec);
    contacts.push(rec.Id as string);
  }

  const oppRng = rng.fork('opportunities');
  const oppTimes = times('opportunity-times', counts.Opportunity);
  const opportunities: string[] = [];
  for (let i = 0; i < counts.Opportunity; i++) {
    const stage = oppRng.pick(OPPORTUNITY_STAGES);
    const rec = blank('Opportunity');
    rec.Id = id(KEY_PREFIX.Opportunity);
    const closeOffset = oppRng.int(-120, 180);
    Object.assign(rec, {
      Name: `${fakeCompany(oppRng)} ${oppRng.pick(PRODUCTS)} #${i + 1}`,
      StageName: stage.value,
      Amount: oppRng.chance(0.9) ? oppRng.int(10, 5000) * 100 : null,
      CloseDate: new Date(anchor + closeOffset * DAY).toISOString().slice(0, 10),
      AccountId: accounts.length > 0 ? oppRng.pick(accounts) : null,
      OwnerId: oppRng.pick(owners),
      LeadSource: oppRng.pick(LEAD_SOURCES),
      Type: oppRng.pick(['New Customer', 'Existing Customer - Upgrade', 'Existing Customer - Renewal']),
      External_Id__c: oppRng.chance(0.9) ? `DEAL-${String(i + 1).padStart(6, '0')}` : null,
      Deal_Source__c: oppRng.chance(0.8) ? oppRng.pick(DEAL_SOURCES) : null,
      Renewal__c: oppRng.chance(0.2),
    });
    audit(rec, anchor - oppRng.int(60, 500) * DAY, oppTimes[i] as number, crmUserId);
    derive(SCHEMA.get('Opportunity')!, rec);
    store.insertRaw('Opportunity', rec);
    opportunities.push(rec.Id as string);

    if (contacts.length === 0) continue;
    const roles = oppRng.int(1, 3);
    const chosen = new Set<string>();
    for (let r = 0; r < roles; r++) chosen.add(oppRng.pick(contacts));
    let primary = true;
    for (const contactId of chosen) {
      const ocr = blank('OpportunityContactRole');
      Object.assign(ocr, {
        Id: id(KEY_PREFIX.OpportunityContactRole),
        OpportunityId: rec.Id,
        ContactId: contactId,
        Role: oppRng.pick(CONTACT_ROLES),
        IsPrimary: primary,
      });
      primary = false;
      audit(ocr, rec.CreatedDate as number, rec.SystemModstamp as number, crmUserId);
      store.insertRaw('OpportunityContactRole', ocr);
    }
  }

  // The recycle bin: deleted within the getDeleted window, through the store so children cascade.
  const deleteRng = rng.fork('deletes');
  for (const [object, ids] of [
    ['Contact', contacts],
    ['Opportunity', opportunities],
  ] as const) {
    const obj = SCHEMA.get(object)!;
    for (const recordId of ids) {
      if (!deleteRng.chance(0.02)) continue;
      store.delete(obj, recordId, {
        userId: crmUserId,
        now: anchor - deleteRng.int(1, 10 * 24) * 3600_000,
        mode: 'json',
      });
    }
  }
  store.deleteLog.sort((a, b) => a.deletedAt - b.deletedAt);

  return {
    settings: salesforceSettingsSchema.parse({}),
    orgId,
    clientId: `3MVG9sandbox.${org.id}.${secret.slice(0, 8)}`,
    clientSecret: secret,
    integrationUserId,
    crmUserId,
    username: `integration.user.0@${org.id}.sandbox`,
    store,
    cursors: new Map(),
    jobs: new Map(),
    usage: { buckets: new Map() },
    inFlight: new Set(),
    demoAccessToken: `${orgId.slice(0, 15)}!SANDBOX.${derive32('access')}`,
    demoRefreshToken: `5Aep861SANDBOX.${derive32('refresh')}`,
    counter: 0,
  };
}
