import {
  type CrmConnector,
  type CrmObject,
  type ExportPage,
  type NativeChange,
  type NativeRecord,
} from '../../connectors/types';

/** Records per listing page when the connector has no export of its own: every connector takes 100. */
export const BACKFILL_LIST_PAGE = 100;

/**
 * One page of every live record of `object`: the connector's export where it has one (the vendor's
 * cheapest full pull, which also counts the records), else its ordinary listing (no total).
 */
export async function backfillPage(
  connector: Pick<CrmConnector, 'listRecords' | 'exportRecords'>,
  object: CrmObject,
  cursor: string | null,
  pageSize?: number,
): Promise<ExportPage> {
  if (connector.exportRecords) return connector.exportRecords(object, { cursor, pageSize });
  const page = await connector.listRecords(object, { pageSize: pageSize ?? BACKFILL_LIST_PAGE, cursor });
  return { items: page.items, nextCursor: page.nextCursor, total: null };
}

/** Listed records as the changes ingest takes: each carries its record, at its own vendor time. */
export function asChanges(object: CrmObject, records: readonly NativeRecord[], at: Date): NativeChange[] {
  return records.map((record) => ({
    object,
    remoteId: record.remoteId,
    kind: 'UPSERTED',
    occurredAt: record.updatedAt ?? at.toISOString(),
    record,
  }));
}
