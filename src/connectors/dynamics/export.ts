import { type CrmObject, type ExportOptions, type ExportPage } from '../types';
import { type DynamicsApi } from './api-context';
import { MAX_PAGE_SIZE } from './dynamics.constants';
import { listPage } from './list';

/**
 * A whole-object export (backfill): list pages at Dataverse's largest page size, 5,000 rows, with the
 * count on the first page. Dataverse has no bulk export job the Web API offers; a page of 5,000 is its
 * cheapest full pull. The cursor is a list cursor (the `$skiptoken` and page size), which outlives a
 * worker restart.
 */
export async function exportRecords(
  api: DynamicsApi,
  obj: CrmObject,
  options: ExportOptions,
): Promise<ExportPage> {
  const { page, total } = await listPage(
    api,
    obj,
    { pageSize: options.pageSize ?? MAX_PAGE_SIZE, cursor: options.cursor },
    !options.cursor,
  );
  return { ...page, total };
}
