import { type CrmObject } from '../types';
import { type DynamicsApi } from './api-context';
import { BASE_COLUMNS, CURRENCY_CODE_PATH, TABLES } from './dynamics.constants';

/** The columns a record's identity needs: its key and its audit stamps. */
const IDENTITY_COLUMNS: Readonly<Record<CrmObject, readonly string[]>> = {
  contact: [TABLES.contact.key, 'createdon', 'modifiedon'],
  deal: [TABLES.deal.key, 'createdon', 'modifiedon'],
};

/**
 * What every read of an object selects: the connector's own columns with the connection's extra ones
 * (`settings.fields`, with the read path's `readFields`), and for deals the currency row's ISO code
 * through the `transactioncurrencyid` lookup (docs/vendors/dynamics.md "Querying": `$expand` of a
 * single-valued navigation property with its own `$select`). Dotted paths other than the currency's are
 * not read yet. A request that reads an object for identity alone selects only {@link IDENTITY_COLUMNS}.
 */
export function readQuery(api: DynamicsApi, obj: CrmObject): { $select: string; $expand?: string } {
  if (api.identityOnly.includes(obj)) return { $select: IDENTITY_COLUMNS[obj].join(',') };
  const extra = api.settings.fields[obj].filter((f) => !f.includes('.'));
  const select = [...new Set([...BASE_COLUMNS[obj], ...extra])].join(',');
  if (obj !== 'deal') return { $select: select };
  const [nav, column] = CURRENCY_CODE_PATH.split('.');
  return { $select: select, $expand: `${nav}($select=${column})` };
}
