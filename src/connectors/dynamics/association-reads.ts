import { type DynamicsApi } from './api-context';
import { type BatchRequest, type BatchResponsePart, sendBatch } from './batch';
import { MAX_PAGE_SIZE, TABLES } from './dynamics.constants';
import { dataverseError } from './errors';
import { skipTokenOf } from './list';
import { odataQuery, odataString, webApiRequest } from './webapi';
import { type WireCollection, type WireRow } from './wire.types';

/**
 * Deal ↔ contact links as Dataverse holds them (docs/vendors/dynamics.md "Tables", "Connections"): the
 * opportunity's `parentcontactid` lookup (at most one contact), and connections between the
 * opportunity and a contact (any number — the stakeholders). Both are read in ONE `$batch` of two
 * GETs per call: the opportunities by id or by contact, and the connections whose `record1id` is one of
 * the asked rows. Dataverse keeps a reciprocal row for every connection, so filtering on `record1id`
 * alone finds each link from either side; the other side's table comes from the
 * `lookuplogicalname` annotation.
 */

const CONTACT_VALUE = '_parentcontactid_value';
const LOGICAL_NAME = 'Microsoft.Dynamics.CRM.lookuplogicalname';

export interface DealLink {
  deal: string;
  contact: string;
  /** The connection row whose `record1id` is the asked side; absent for the `parentcontactid` lookup. */
  connection?: string;
}

/** What the asked deals hold: their links, and which of them exist with no `parentcontactid`. */
export interface DealLinks {
  links: DealLink[];
  /** Deals that answered (a deal absent here does not exist, or is not readable). */
  found: Set<string>;
  /** Deals whose `parentcontactid` is empty. */
  noPrimary: Set<string>;
}

function orEq(property: string, ids: readonly string[]): string {
  return ids.map((id) => `${property} eq ${id}`).join(' or ');
}

/**
 * Opportunities by id (`In` on the key) or by contact (a lookup filtered as `_<name>_value` with
 * unquoted GUIDs, OR'd — whether `In` takes a lookup's name is not documented).
 */
function opportunitiesQuery(by: 'deal' | 'contact', ids: readonly string[]): string {
  const filter =
    by === 'deal'
      ? `Microsoft.Dynamics.CRM.In(PropertyName=${odataString(TABLES.deal.key)},PropertyValues=[${ids.map(odataString).join(',')}])`
      : orEq(CONTACT_VALUE, ids);
  return `${TABLES.deal.set}${odataQuery({ $select: `${TABLES.deal.key},${CONTACT_VALUE}`, $filter: filter })}`;
}

function connectionsQuery(ids: readonly string[]): string {
  return `connections${odataQuery({
    $select: 'connectionid,_record1id_value,_record2id_value',
    $filter: orEq('_record1id_value', ids),
  })}`;
}

const PAGE = `odata.maxpagesize=${MAX_PAGE_SIZE}`;

/** A part's rows, and the rest of its pages when it had more (rare: 5,000 rows per page). */
async function allRows(api: DynamicsApi, part: BatchResponsePart, request: BatchRequest): Promise<WireRow[]> {
  if (part.status >= 300) throw dataverseError(part);
  const first = part.json as WireCollection | null;
  const rows = [...(first?.value ?? [])];
  let skip = skipTokenOf(first?.['@odata.nextLink']);
  const [resource, query] = request.resource.split('?') as [string, string];
  while (skip) {
    const res: { body: WireCollection | null } = await webApiRequest<WireCollection>(api, {
      method: 'GET',
      resource,
      query: { ...Object.fromEntries(new URLSearchParams(query)), $skiptoken: skip },
      prefer: [PAGE, `odata.include-annotations="${LOGICAL_NAME}"`],
    });
    rows.push(...(res.body?.value ?? []));
    skip = skipTokenOf(res.body?.['@odata.nextLink']);
  }
  return rows;
}

const lower = (v: unknown): string | null => (typeof v === 'string' ? v.toLowerCase() : null);

/** Every link of the asked deals (`by: 'deal'`) or contacts (`by: 'contact'`), in one `$batch`. */
export async function readLinks(
  api: DynamicsApi,
  by: 'deal' | 'contact',
  ids: readonly string[],
): Promise<DealLinks> {
  const requests: BatchRequest[] = [
    { method: 'GET', resource: opportunitiesQuery(by, ids), headers: { prefer: PAGE } },
    {
      method: 'GET',
      resource: connectionsQuery(ids),
      headers: { prefer: `${PAGE},odata.include-annotations="${LOGICAL_NAME}"` },
    },
  ];
  const [opportunities, connections] = await sendBatch(api, requests);
  const out: DealLinks = { links: [], found: new Set(), noPrimary: new Set() };
  for (const row of await allRows(api, opportunities!, requests[0]!)) {
    const deal = lower(row[TABLES.deal.key]);
    if (!deal) continue;
    out.found.add(deal);
    const contact = lower(row[CONTACT_VALUE]);
    if (contact) out.links.push({ deal, contact });
    else out.noPrimary.add(deal);
  }
  // The other side must be the other table: a deal's connection to an account is no contact link.
  const other = by === 'deal' ? TABLES.contact.logicalName : TABLES.deal.logicalName;
  for (const row of await allRows(api, connections!, requests[1]!)) {
    const mine = lower(row._record1id_value);
    const theirs = lower(row._record2id_value);
    const connection = lower(row.connectionid);
    if (!mine || !theirs || !connection || row[`_record2id_value@${LOGICAL_NAME}`] !== other) continue;
    out.links.push(
      by === 'deal'
        ? { deal: mine, contact: theirs, connection }
        : { deal: theirs, contact: mine, connection },
    );
  }
  return out;
}
