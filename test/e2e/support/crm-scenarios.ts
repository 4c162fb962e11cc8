import { type OrgOptions } from '../../../src/sandbox/core';
import { type ReadCrm } from '../../support/read-stack';
import { type SandboxRow } from './sandbox-rows';

/**
 * What the e2e read suites need to know of each CRM, as data: one row per CRM, so a new CRM is covered
 * by adding its row (the compiler insists: the table is keyed by every read CRM), never by copying a
 * test. Everything that differs between CRMs in `test/e2e/reads/reads.test.ts` is a field here.
 */
export interface CrmScenario {
  /** The sandbox org the read suite seeds (native object names in `counts`). */
  org: OrgOptions;
  /**
   * The route (as the sandbox logs it) of a list the CRM filters itself: its query language or its
   * search endpoint.
   */
  filteredRoute: RegExp;
  /**
   * Data calls one page of a searched filter (an email, a name prefix) takes where it is not one: a
   * search that answers ids, which one read by ids then fetches (Pipedrive: 2).
   */
  searchPageCalls?: number;
  /**
   * The currency of a deal with an amount: the one currency of the account (the org is seeded with it
   * and the connector learns it), or `null` when each deal carries its own ISO code.
   */
  accountCurrency: string | null;
  /**
   * How the CRM takes a one-word name prefix: `prefix` (a prefix operator: the exact rule), or
   * `word-token` (a search that also matches later words starting with it, dropped after fetch).
   */
  namePrefix: 'prefix' | 'word-token';
  /**
   * A full-name prefix with a space ("First L"): `narrowed` (the CRM is asked for first name = the first
   * word, or a last name starting with the whole prefix) or `after-fetch` (not pushed down at all).
   */
  spacedNamePrefix: 'narrowed' | 'after-fetch';
  /**
   * `updatedSince` with `includeDeleted`: `pushed-down` (the CRM's query covers deleted records too) or
   * `after-fetch` (its search has no deleted records, so the listing is read and filtered here).
   */
  updatedSinceWithDeleted: 'pushed-down' | 'after-fetch';
  /** A native field newly mapped into `customFields`, and what the mapped value must be. */
  customField: {
    /** The key under `customFields`. */
    key: string;
    native: string;
    /** Page size of the read that checks it. */
    first: number;
    /**
     * `some-set`: some contact has a non-empty string and every contact has the key; `equals-title`:
     * each contact's value is its `title` (the native field is the default mapping's title).
     */
    expect: 'some-set' | 'equals-title';
  };
  /**
   * Mapping overrides checked against the CRM's field metadata (the CRMs whose row sets it run those
   * cases): an email field remapped to `title`, a reference field into `customFields`, a field the
   * object does not have, the email field's type name, and the deal stage field.
   */
  mappingChecks?: {
    emailField: string;
    emailFieldType: string;
    referenceField: string;
    unknownField: string;
    stageField: string;
  };
  /** The sandbox's own rows of an object, read from its state (never through our code). */
  sandboxRows(state: unknown, object: 'contact' | 'deal'): SandboxRow[];
}

/**
 * Metadata routes (property lists, describes, field lists, pipelines and stages for the stage → status
 * table), counted apart from data calls by the read suites.
 */
export const METADATA_ROUTES =
  /properties|pipelines|stages$|describe|EntityDefinitions|(person|deal)Fields$|\/settings\/|\/org$/;

/** Records every row seeds (under the CRM's own object names in `org.counts`). */
export const SEEDED = { contacts: 60, deals: 40 } as const;

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const ms = (v: unknown): number => (typeof v === 'number' ? v : Date.parse(String(v)));

interface SalesforceState {
  store: { table(name: string): Map<string, Record<string, unknown>> };
}

interface HubSpotState {
  store: {
    order: Record<'contacts' | 'deals', string[]>;
    get(
      type: 'contacts' | 'deals',
      id: string,
    ): { archived: boolean; updatedAt: number; properties: Record<string, string> } | undefined;
  };
}

interface DynamicsState {
  store: {
    table(entity: string): Map<string, { id: string; values: Record<string, unknown>; modifiedOn: number }>;
  };
}

interface PipedriveState {
  store: {
    all(object: 'person' | 'deal'): {
      id: number;
      values: Record<string, unknown>;
      updateTime: number;
      deletedAt: number | null;
    }[];
  };
}

interface ZohoState {
  store: {
    all(
      module: 'Contacts' | 'Deals',
    ): { id: string; values: Record<string, unknown>; modifiedTime: number }[];
  };
}

/** Zoho ids are 19-digit numbers past a double's precision: compared as digit strings. */
const byNumericId = (a: { remoteId: string }, b: { remoteId: string }): number =>
  a.remoteId.length - b.remoteId.length || (a.remoteId < b.remoteId ? -1 : a.remoteId > b.remoteId ? 1 : 0);

export const CRM_SCENARIOS: Record<ReadCrm, CrmScenario> = {
  salesforce: {
    // A single-currency org (no CurrencyIsoCode): the connector learns its currency.
    org: {
      id: 'default',
      seed: 7,
      counts: { Contact: SEEDED.contacts, Opportunity: SEEDED.deals, Account: 10 },
      settings: { currency: 'EUR' },
    },
    filteredRoute: /^GET \S*\/query(All)?$/,
    accountCurrency: 'EUR',
    namePrefix: 'prefix',
    spacedNamePrefix: 'narrowed',
    updatedSinceWithDeleted: 'pushed-down',
    customField: { key: 'tier', native: 'Customer_Tier__c', first: 40, expect: 'some-set' },
    mappingChecks: {
      emailField: 'Email',
      emailFieldType: 'email',
      referenceField: 'AccountId',
      unknownField: 'NoSuchField__c',
      stageField: 'StageName',
    },
    sandboxRows(state, object) {
      const table = (state as SalesforceState).store.table(object === 'contact' ? 'Contact' : 'Opportunity');
      return [...table.values()]
        .map((r) => ({
          remoteId: String(r.Id),
          firstName: str(r.FirstName),
          lastName: str(r.LastName),
          email: str(r.Email),
          name: str(r.Name),
          updatedAt: ms(r.LastModifiedDate),
          deleted: r.IsDeleted === true,
        }))
        .sort((a, b) => (a.remoteId < b.remoteId ? -1 : a.remoteId > b.remoteId ? 1 : 0));
    },
  },
  hubspot: {
    org: { id: 'default', seed: 7, counts: { contacts: SEEDED.contacts, deals: SEEDED.deals } },
    filteredRoute: /^POST \S*\/search$/,
    accountCurrency: null,
    namePrefix: 'word-token',
    spacedNamePrefix: 'after-fetch',
    updatedSinceWithDeleted: 'after-fetch',
    customField: { key: 'role', native: 'jobtitle', first: 5, expect: 'equals-title' },
    sandboxRows(state, object) {
      const store = (state as HubSpotState).store;
      const type = object === 'contact' ? 'contacts' : 'deals';
      return store.order[type].map((id) => {
        const r = store.get(type, id)!;
        return {
          remoteId: id,
          firstName: str(r.properties.firstname),
          lastName: str(r.properties.lastname),
          email: str(r.properties.email),
          name: str(r.properties.dealname),
          updatedAt: r.updatedAt,
          deleted: r.archived,
        };
      });
    },
  },
  dynamics: {
    org: {
      id: 'default',
      seed: 7,
      counts: { contact: SEEDED.contacts, opportunity: SEEDED.deals, account: 10 },
    },
    // The entity set, with or without `$filter` (one list route per table).
    filteredRoute: /^GET \/api\/data\/:version\/(contacts|opportunities)$/,
    // Each opportunity carries its own currency (`transactioncurrencyid`).
    accountCurrency: null,
    namePrefix: 'prefix',
    spacedNamePrefix: 'narrowed',
    // Dataverse deletes rows outright: the one query covers "deleted" records too (there are none).
    updatedSinceWithDeleted: 'pushed-down',
    customField: { key: 'role', native: 'jobtitle', first: 5, expect: 'equals-title' },
    sandboxRows(state, object) {
      const table = (state as DynamicsState).store.table(object === 'contact' ? 'contact' : 'opportunity');
      return [...table.values()]
        .map((r) => ({
          remoteId: r.id,
          firstName: str(r.values.firstname),
          lastName: str(r.values.lastname),
          email: str(r.values.emailaddress1),
          name: str(r.values.name),
          updatedAt: r.modifiedOn,
          deleted: false,
        }))
        .sort((a, b) => (a.remoteId < b.remoteId ? -1 : a.remoteId > b.remoteId ? 1 : 0));
    },
  },
  pipedrive: {
    org: { id: 'default', seed: 7, counts: { persons: SEEDED.contacts, deals: SEEDED.deals } },
    // Searched filters go through the search API (a page of ids, then one `ids` list read); a time
    // filter is the list's own `updated_since`. Calls go to the company's domain (`/c/:company` here).
    filteredRoute: /^GET \/c\/:company\/api\/v2\/(persons|deals)(\/search)?$/,
    searchPageCalls: 2,
    // Each deal carries its own currency.
    accountCurrency: null,
    namePrefix: 'word-token',
    spacedNamePrefix: 'after-fetch',
    // The search never finds deleted records: a listing with deleted deals is read and filtered here.
    updatedSinceWithDeleted: 'after-fetch',
    customField: { key: 'about', native: 'background', first: 40, expect: 'some-set' },
    sandboxRows(state, object) {
      return (state as PipedriveState).store
        .all(object === 'contact' ? 'person' : 'deal')
        .map((r) => ({
          remoteId: String(r.id),
          firstName: str(r.values.first_name),
          lastName: str(r.values.last_name),
          email: str(
            (r.values.emails as { value: string; primary: boolean }[] | undefined)?.find((e) => e.primary)
              ?.value,
          ),
          name: str(r.values.title),
          updatedAt: r.updateTime,
          deleted: r.deletedAt !== null,
        }))
        .sort((a, b) => Number(a.remoteId) - Number(b.remoteId));
    },
  },
  zoho: {
    org: { id: 'default', seed: 7, counts: { Contacts: SEEDED.contacts, Deals: SEEDED.deals } },
    // Every list is a COQL query (keyset on id, filters in its WHERE) on the org's DC API domain.
    filteredRoute: /^POST \/dc\/:dc\/api\/crm\/v8\/coql$/,
    // A deal's amount is in the org's currency (its DC's: the EU here).
    accountCurrency: 'EUR',
    namePrefix: 'prefix',
    spacedNamePrefix: 'narrowed',
    // Deleted records leave the module for the recycle bin, which COQL does not query: a listing with
    // deleted deals is read and filtered here.
    updatedSinceWithDeleted: 'after-fetch',
    customField: { key: 'role', native: 'Title', first: 5, expect: 'equals-title' },
    sandboxRows(state, object) {
      return (state as ZohoState).store
        .all(object === 'contact' ? 'Contacts' : 'Deals')
        .map((r) => ({
          remoteId: r.id,
          firstName: str(r.values.First_Name),
          lastName: str(r.values.Last_Name),
          email: str(r.values.Email),
          name: str(r.values.Deal_Name),
          updatedAt: r.modifiedTime,
          deleted: false,
        }))
        .sort(byNumericId);
    },
  },
};
