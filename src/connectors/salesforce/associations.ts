import { BadUserInputError } from '../../errors';
import { type CrmObject } from '../types';
import { type SalesforceApi } from './api-context';
import { queryAllPages } from './query';
import { isRecordId, soqlIdList } from './soql';

/**
 * Deal ↔ contact links through OpportunityContactRole (docs/vendors/salesforce.md "Standard objects"): one query per ≤ `readBatch` ids, following
 * locators, whichever side the ids are on. A contact holding several roles on one opportunity is one
 * link.
 */
export async function getAssociations(
  api: SalesforceApi,
  from: CrmObject,
  remoteIds: readonly string[],
  to: CrmObject,
): Promise<Map<string, string[]>> {
  if (from === to) {
    throw new BadUserInputError(`Salesforce links contacts to deals only, got ${from} → ${to}`);
  }
  const [fromField, toField] =
    from === 'deal' ? ['OpportunityId', 'ContactId'] : ['ContactId', 'OpportunityId'];
  const out = new Map<string, string[]>(remoteIds.map((id) => [id, []]));
  // Answers carry 18-character ids; callers may hold 15-character ones.
  const callerIds = new Map<string, string[]>();
  for (const id of remoteIds) {
    if (!isRecordId(id)) continue;
    const key = id.slice(0, 15);
    callerIds.set(key, [...(callerIds.get(key) ?? []), id]);
  }
  const ids = [...new Set([...callerIds.values()].map((list) => list[0]))];
  for (let i = 0; i < ids.length; i += api.readBatch) {
    const chunk = ids.slice(i, i + api.readBatch);
    const rows = await queryAllPages(
      api,
      `SELECT ${fromField}, ${toField} FROM OpportunityContactRole WHERE ${fromField} IN ${soqlIdList(chunk)} ORDER BY ${fromField}, ${toField}`,
    );
    for (const row of rows) {
      const source = row[fromField];
      const target = row[toField];
      if (typeof source !== 'string' || typeof target !== 'string') continue;
      for (const callerId of callerIds.get(source.slice(0, 15)) ?? []) {
        const list = out.get(callerId);
        if (list && !list.includes(target)) list.push(target);
      }
    }
  }
  return out;
}
