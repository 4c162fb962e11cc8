import { CrmNotFoundError } from '../../errors';
import { type PipedriveApi } from './api-context';
import { API_ROOT, ENDPOINT } from './declaration';
import { personIdOf } from './mappers';
import { MAX_PAGE_SIZE } from './pipedrive.constants';
import { pdRequest } from './request';
import { type PdParticipant, type PdV1ListData, type PdV1Pagination } from './wire.types';

/**
 * A deal's participants through the v1 participants endpoints (docs/vendors/pipedrive.md "Connector: deal contacts"):
 * v2 has none, and there is no batch, so each deal is its own list (10 tokens a page, `ENDPOINT.participants`),
 * each add a v1 create (10) and each removal a v1 delete (6). Callers pass ids already checked by `isRecordId`.
 */

/** One person attached to a deal: the attachment's own id (what a removal names) and the person's id. */
export interface DealParticipant {
  attachmentId: string;
  personId: string;
}

const path = (deal: string): string => `${API_ROOT.v1}/deals/${deal}/participants`;

/** The paging of a v1 list, nested under `pagination` or flat (which one Pipedrive sends is unverified). */
function pagingOf(extra: PdV1ListData | undefined): PdV1Pagination {
  return extra?.pagination ?? extra ?? {};
}

/** The person of a participant entry, unless the entry or its person is marked inactive (deleted). */
function participantOf(row: PdParticipant): DealParticipant | null {
  if (row.active_flag === false || row.person?.active_flag === false) return null;
  const ref = row.person_id as { active_flag?: unknown } | null | undefined;
  if (ref && typeof ref === 'object' && ref.active_flag === false) return null;
  const personId = personIdOf(row.person_id) ?? personIdOf(row.person?.id);
  return personId && typeof row.id === 'number' ? { attachmentId: String(row.id), personId } : null;
}

/** Every participant of one deal, paged to the end (500 per call), in Pipedrive's order. */
export async function dealParticipants(api: PipedriveApi, deal: string): Promise<DealParticipant[]> {
  const out: DealParticipant[] = [];
  let start = 0;
  for (;;) {
    const page = await pdRequest<PdParticipant[]>(api, ENDPOINT.participants, {
      method: 'GET',
      url: path(deal),
      query: { start, limit: MAX_PAGE_SIZE },
    });
    const rows = page.data ?? [];
    for (const row of rows) {
      const p = participantOf(row);
      if (p) out.push(p);
    }
    const paging = pagingOf(page.additional_data as PdV1ListData | undefined);
    const next = paging.next_start ?? start + rows.length;
    // A page that says "more" but would not move on ends the walk rather than looping.
    if (paging.more_items_in_collection !== true || next <= start) return out;
    start = next;
  }
}

export async function addParticipant(api: PipedriveApi, deal: string, person: string): Promise<void> {
  await pdRequest<PdParticipant>(api, ENDPOINT.legacyCreate, {
    method: 'POST',
    url: path(deal),
    json: { person_id: Number(person) },
  });
}

/** Removes one attachment; one already gone (404) is what was wanted. */
export async function removeParticipant(
  api: PipedriveApi,
  deal: string,
  attachmentId: string,
): Promise<void> {
  try {
    await pdRequest<{ id?: number }>(api, ENDPOINT.legacyDelete, {
      method: 'DELETE',
      url: `${path(deal)}/${attachmentId}`,
    });
  } catch (err) {
    if (!(err instanceof CrmNotFoundError)) throw err;
  }
}
