import { type CrmObject, type NativeField } from '../types';
import { type SalesforceApi } from './api-context';
import { toNativeField } from './mappers';
import { SALESFORCE_OBJECTS } from './objects';
import { type WireDescribeResult } from './wire.types';

/**
 * Field metadata from `GET /sobjects/{T}/describe` (A12), custom `__c` fields included. Not cached
 * here: a connector lives for one request or job, and callers that need it often (mapping editors)
 * cache the answer with the connection.
 */
export async function describeFields(api: SalesforceApi, obj: CrmObject): Promise<NativeField[]> {
  const result = (await api.conn.describe(SALESFORCE_OBJECTS[obj])) as unknown as WireDescribeResult;
  return result.fields.map(toNativeField);
}
