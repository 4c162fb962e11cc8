import { CrmValidationError } from '../../errors';
import { type CrmObject, type NativeField, type RelationshipSupport } from '../types';
import { type SalesforceApi } from './api-context';
import { ConnectionCache } from './connection-cache';
import { toNativeField } from './mappers';
import { SALESFORCE_OBJECTS } from './objects';
import { type WireDescribeResult } from './wire.types';

/**
 * Field metadata from `GET /sobjects/{T}/describe` (docs/vendors/salesforce.md "Describe"), custom `__c` fields included.
 *
 * `describeFields` always asks: it feeds mapping editors and their validation, which must see a field
 * created a moment ago. What reads need from a describe — which fields the object has, e.g. whether
 * Opportunity has CurrencyIsoCode (`currency.ts`) — is kept per connection (`connection-cache.ts`),
 * so reads describe at most once per connection and TTL, and every fresh describe refreshes it.
 */

/** Field API names per object, as the org's describe lists them. */
const FIELD_NAMES: Readonly<Record<CrmObject, ConnectionCache<ReadonlySet<string>>>> = {
  contact: new ConnectionCache(),
  deal: new ConnectionCache(),
};

async function describe(api: SalesforceApi, obj: CrmObject): Promise<WireDescribeResult> {
  return (await api.conn.describe(SALESFORCE_OBJECTS[obj])) as unknown as WireDescribeResult;
}

/**
 * SOQL follows child-to-parent relationships at most five levels deep, the object queried counting as
 * the first (docs/vendors/salesforce.md, "Relationship depth"): a path after the queried object has at
 * most five segments, four relationships and the field (`Account.Owner.Manager.Manager.Email`).
 */
export const SOQL_MAX_PATH_SEGMENTS = 5;

/** An sObject API name as describe's `referenceTo` lists them; it goes into a URL path. */
const SOBJECT_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;

/** Field metadata of any sObject by API name: the objects a relationship path walks through. */
export async function describeObjectFields(api: SalesforceApi, sobject: string): Promise<NativeField[]> {
  if (!SOBJECT_NAME.test(sobject)) {
    throw new CrmValidationError(`not a Salesforce object name: ${JSON.stringify(sobject.slice(0, 80))}`, {
      crm: api.crm,
    });
  }
  const result = (await api.conn.describe(sobject)) as unknown as WireDescribeResult;
  return result.fields.map(toNativeField);
}

/** What the connector declares as its {@link RelationshipSupport}. */
export function relationshipSupport(api: SalesforceApi): RelationshipSupport {
  return {
    maxPathSegments: SOQL_MAX_PATH_SEGMENTS,
    describeObject: (sobject) => describeObjectFields(api, sobject),
  };
}

const namesOf = (result: WireDescribeResult): ReadonlySet<string> =>
  new Set(result.fields.map((f) => f.name));

export async function describeFields(api: SalesforceApi, obj: CrmObject): Promise<NativeField[]> {
  const result = await describe(api, obj);
  void FIELD_NAMES[obj].put(api.connectionId, api.now(), Promise.resolve(namesOf(result)));
  return result.fields.map(toNativeField);
}

/** The object's field names for this connection: one describe per connection and TTL. */
export function describedFieldNames(api: SalesforceApi, obj: CrmObject): Promise<ReadonlySet<string>> {
  return FIELD_NAMES[obj].get(api.connectionId, api.now(), async () => namesOf(await describe(api, obj)));
}

/** Forgets described field names (one connection's, or all: between tests). */
export function forgetDescribedFields(connectionId?: string): void {
  for (const cache of Object.values(FIELD_NAMES)) cache.forget(connectionId);
}
