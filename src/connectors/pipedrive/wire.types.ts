/** Pipedrive's JSON as the connector reads it (docs/vendors/pipedrive.md "Connector: reads, lists and search"). */

/** Every answer: `success`, `data`, and paging in `additional_data`. */
export interface PdEnvelope<T> {
  success?: boolean;
  data?: T;
  additional_data?: { next_cursor?: string | null } | null;
  error?: string;
  code?: string;
}

/** One entry of a person's `emails`/`phones`. */
export interface PdContactEntry {
  value?: unknown;
  primary?: unknown;
  label?: unknown;
}

/** A v2 person or deal: standard keys at the top, custom ones under `custom_fields` by key (hash). */
export interface PdRecord {
  id: number;
  update_time?: string | null;
  add_time?: string | null;
  is_deleted?: boolean;
  status?: string;
  emails?: PdContactEntry[];
  phones?: PdContactEntry[];
  custom_fields?: Record<string, unknown> | null;
  [key: string]: unknown;
}

/** A v2 field-metadata entry (`/api/v2/personFields`, `/api/v2/dealFields`). */
export interface PdField {
  field_name?: string;
  field_code?: string;
  field_type?: string;
  is_custom_field?: boolean;
  options?: { id: number | string; label: string }[] | null;
  required_fields?: unknown;
}

/** A v1 recents entry: what kind of item changed, its id, and the item as v1 reads it. */
export interface PdRecentItem {
  item?: string;
  id?: number;
  data?: Record<string, unknown> | null;
}

export interface PdRecentsResponse {
  success?: boolean;
  data?: PdRecentItem[] | null;
  additional_data?: {
    last_timestamp_on_page?: string;
    pagination?: { start?: number; limit?: number; more_items_in_collection?: boolean; next_start?: number };
  };
}

export interface PdPipeline {
  id: number;
  name?: string;
  is_deleted?: boolean;
}

export interface PdStage {
  id: number;
  name?: string;
  pipeline_id?: number;
  deal_probability?: number | null;
  is_deleted?: boolean;
}

/** v1 offset paging. */
export interface PdV1Pagination {
  start?: number;
  limit?: number;
  more_items_in_collection?: boolean;
  next_start?: number;
}

/**
 * A v1 list's `additional_data`: the paging under `pagination` as on the other v1 lists, or flat, as the
 * client types the participants list's (docs/vendors/pipedrive.md "Deal participants").
 */
export type PdV1ListData = (PdV1Pagination & { pagination?: PdV1Pagination | null }) | null;

/** One participant of a deal (v1): the attachment's own id and the person, as `{value}` or `person.id`. */
export interface PdParticipant {
  id?: number;
  person_id?: unknown;
  person?: { id?: unknown; active_flag?: unknown } | null;
  active_flag?: unknown;
}
