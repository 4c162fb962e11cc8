// Deterministic seed data of one Dataverse org: users, a currency, accounts, contacts and
// opportunities (some won or lost), built from the shared fake-data lists so every sandbox looks alike.
import { fakeCompany, fakePerson, Prng, timestampPlan, type SandboxOrg } from '../core';
import { DEFAULT_COUNTS } from './constants';
import { DvStore, type LookupValue } from './store';
import { stableGuid } from './state';

export interface SeedOptions {
  seed: number;
  counts: Record<string, number>;
  applicationUserId: string;
  interactiveUserId: string;
  clientId: string;
  /** "Now" of the org clock: seeded rows were modified over the year before it. */
  now: number;
}

/** The org's one currency: every seeded opportunity is in US dollars. */
export const USD_CURRENCY_ID = stableGuid('transactioncurrency:USD');

function guid(rng: Prng): string {
  const hex = Array.from({ length: 32 }, () => rng.int(0, 15).toString(16)).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

const SALES_STAGE_STEPS = ['1-Qualify', '2-Develop', '3-Propose', '4-Close'];

export function seedOrg(options: SeedOptions): DvStore {
  const store = new DvStore();
  const rng = new Prng(options.seed);
  const counts = { ...DEFAULT_COUNTS, ...options.counts };
  const yearAgo = options.now - 365 * 24 * 3600_000;
  const at = (ms: number) => ({ userId: options.applicationUserId, now: ms });
  const ref = (entity: string, id: string): LookupValue => ({ id, entity });

  store.insert(
    'systemuser',
    options.applicationUserId,
    {
      firstname: '# crm-gateway',
      lastname: 'application user',
      applicationid: options.clientId,
      isdisabled: false,
    },
    at(yearAgo),
  );
  const users = [options.interactiveUserId];
  for (let i = 1; i < Math.max(1, counts.systemuser); i++) users.push(guid(rng.fork(`user${i}`)));
  users.forEach((id, i) => {
    const person = fakePerson(rng.fork(`user-person${i}`), i);
    store.insert(
      'systemuser',
      id,
      {
        firstname: person.firstName,
        lastname: person.lastName,
        domainname: `user${i}@contoso.onmicrosoft.com`,
        internalemailaddress: `user${i}@contoso.onmicrosoft.com`,
        isdisabled: false,
      },
      at(yearAgo),
    );
  });
  store.insert(
    'transactioncurrency',
    USD_CURRENCY_ID,
    { currencyname: 'US Dollar', isocurrencycode: 'USD', currencysymbol: '$', exchangerate: 1 },
    at(yearAgo),
  );

  const owner = (r: Prng) => ref('systemuser', r.pick(users));
  const accountRng = rng.fork('accounts');
  const accounts: string[] = [];
  for (const [i, ms] of timestampPlan(accountRng, counts.account, {
    startMs: yearAgo,
    endMs: options.now - 3600_000,
  }).entries()) {
    const id = guid(accountRng);
    accounts.push(id);
    store.insert(
      'account',
      id,
      {
        name: `${fakeCompany(accountRng)} ${i + 1}`,
        accountnumber: `ACC-${String(i + 1).padStart(5, '0')}`,
        telephone1: `+1 555 ${accountRng.int(100, 999)} ${accountRng.int(1000, 9999)}`,
        statecode: 0,
        statuscode: 1,
        ownerid: owner(accountRng),
      },
      at(ms),
    );
  }

  const contactRng = rng.fork('contacts');
  // Custom values draw from a stream of their own, so adding one leaves every other seeded value as it was.
  const customRng = rng.fork('contact-custom');
  const contacts: string[] = [];
  for (const [i, ms] of timestampPlan(contactRng, counts.contact, {
    startMs: yearAgo,
    endMs: options.now - 3600_000,
  }).entries()) {
    const id = guid(contactRng);
    contacts.push(id);
    const person = fakePerson(contactRng, i);
    const inactive = contactRng.chance(0.05);
    store.insert(
      'contact',
      id,
      {
        firstname: person.firstName,
        lastname: person.lastName,
        emailaddress1: person.email,
        telephone1: person.phone,
        jobtitle: person.title,
        parentcustomerid:
          accounts.length > 0 && contactRng.chance(0.8) ? ref('account', contactRng.pick(accounts)) : null,
        statecode: inactive ? 1 : 0,
        statuscode: inactive ? 2 : 1,
        cr8f3_externalid: contactRng.chance(0.5) ? `ext-c-${i + 1}` : null,
        cr8f3_loyaltytier: contactRng.pick([null, 100000000, 100000001, 100000002]),
        cr8f3_npsscore: customRng.chance(0.6) ? customRng.int(0, 10) : null,
        cr8f3_newsletteroptin: customRng.pick([null, true, false]),
        ownerid: owner(contactRng),
      },
      at(ms),
    );
  }

  const dealRng = rng.fork('opportunities');
  for (const [i, ms] of timestampPlan(dealRng, counts.opportunity, {
    startMs: yearAgo,
    endMs: options.now - 3600_000,
  }).entries()) {
    const stage = dealRng.int(0, 3);
    const state = dealRng.chance(0.7) ? 0 : dealRng.chance(0.5) ? 1 : 2;
    const contactId = contacts.length > 0 ? dealRng.pick(contacts) : null;
    const accountId = accounts.length > 0 && dealRng.chance(0.7) ? dealRng.pick(accounts) : null;
    const close = new Date(ms + dealRng.int(-60, 120) * 24 * 3600_000).toISOString().slice(0, 10);
    store.insert(
      'opportunity',
      guid(dealRng),
      {
        name: `${fakeCompany(dealRng)} deal ${i + 1}`,
        estimatedvalue: dealRng.int(1, 500) * 100,
        estimatedclosedate: close,
        closeprobability: state === 1 ? 100 : state === 2 ? 0 : dealRng.int(10, 90),
        salesstage: state === 0 ? stage : 3,
        stepname: SALES_STAGE_STEPS[state === 0 ? stage : 3],
        statecode: state,
        statuscode: state === 0 ? dealRng.pick([1, 2]) : state === 1 ? 3 : dealRng.pick([4, 5]),
        parentcontactid: contactId ? ref('contact', contactId) : null,
        parentaccountid: accountId ? ref('account', accountId) : null,
        customerid: accountId ? ref('account', accountId) : contactId ? ref('contact', contactId) : null,
        transactioncurrencyid: ref('transactioncurrency', USD_CURRENCY_ID),
        cr8f3_externalid: dealRng.chance(0.5) ? `ext-o-${i + 1}` : null,
        ownerid: owner(dealRng),
      },
      at(ms),
    );
  }
  return store;
}

/** Seed options of an org, from its counts, seed and fixed users. */
export function seedOptionsFor(
  org: SandboxOrg<unknown, unknown>,
  ids: { applicationUserId: string; interactiveUserId: string; clientId: string },
): SeedOptions {
  return { seed: org.seed, counts: org.counts, now: org.now(), ...ids };
}
