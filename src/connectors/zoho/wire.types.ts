/** Zoho CRM's JSON as the connector reads it (docs/vendors/zoho.md "Connector: reads and lists"). */

/** A record: API names at the top, lookups as `{id, name}`, times ISO-8601 with an offset. */
export interface ZohoRecord {
  id: string;
  Modified_Time?: string | null;
  [key: string]: unknown;
}

/** A list, get or COQL answer. A 204 (nothing matched) has no body at all. */
export interface ZohoPage<T = ZohoRecord> {
  data?: T[];
  info?: {
    more_records?: boolean;
    count?: number;
    page?: number;
    per_page?: number;
    next_page_token?: string | null;
    page_token_expiry?: string | null;
  };
}

/** One record's outcome of a write or delete. */
export interface ZohoResultItem {
  code?: string;
  status?: string;
  message?: string;
  /** On success the record's id and stamps; on error what is wrong (`api_name`, `id`…). */
  details?: Record<string, unknown> & { id?: string; api_name?: string; Modified_Time?: string };
  /** Upsert only: what Zoho did. */
  action?: 'insert' | 'update';
  duplicate_field?: string | null;
}

/** A field of `settings/fields`. */
export interface ZohoField {
  api_name?: string;
  field_label?: string;
  display_label?: string;
  data_type?: string;
  custom_field?: boolean;
  system_mandatory?: boolean;
  read_only?: boolean;
  field_read_only?: boolean;
  unique?: unknown;
  lookup?: { module?: { api_name?: string } | null } | null;
  pick_list_values?: ZohoPicklistValue[] | null;
}

export interface ZohoPicklistValue {
  display_value?: string;
  actual_value?: string;
  id?: string;
  probability?: number | null;
  forecast_type?: string | null;
  forecast_category?: { name?: string } | null;
}

/** One entry of a module's deleted-records list. */
export interface ZohoDeleted {
  id?: string;
  deleted_time?: string;
  type?: string;
}

/** The org (`GET /org`). */
export interface ZohoOrg {
  id?: string;
  /** The org's group id: what a Bulk Write upload names in `X-CRM-ORG`. */
  zgid?: string;
  iso_code?: string | null;
  currency?: string | null;
}
