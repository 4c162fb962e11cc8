import { type VendorRequest, type VendorResponse } from '../http/vendor-client';
import { type DynamicsApi } from './api-context';
import { WEB_API_ROOT } from './declaration';

/**
 * The Web API's request conventions (docs/vendors/dynamics.md "Headers"): every call says which OData
 * version it speaks, and preferences (`return=representation`, `odata.maxpagesize`,
 * `odata.track-changes`, `odata.include-annotations`, `odata.continue-on-error`) travel in one
 * `Prefer` header, comma-separated.
 */
export const ODATA_HEADERS: Readonly<Record<string, string>> = {
  accept: 'application/json',
  'odata-maxversion': '4.0',
  'odata-version': '4.0',
};

/** A path under the service root, e.g. `contacts` → `api/data/v9.2/contacts` (resolved against the environment). */
export function webApiPath(resource: string): string {
  return `${WEB_API_ROOT.replace(/^\//, '')}${resource}`;
}

/** A request to the Web API with the OData headers and the given preferences. */
export function webApiRequest<T>(
  api: DynamicsApi,
  request: Omit<VendorRequest, 'url' | 'query'> & {
    resource: string;
    query?: Readonly<Record<string, string | undefined>>;
    prefer?: readonly string[];
  },
): Promise<VendorResponse<T>> {
  const { resource, query, prefer, headers, ...rest } = request;
  return api.http.request<T>({
    ...rest,
    url: `${webApiPath(resource)}${odataQuery(query)}`,
    headers: {
      ...ODATA_HEADERS,
      ...(prefer && prefer.length > 0 ? { prefer: prefer.join(',') } : {}),
      ...headers,
    },
  });
}

/**
 * The query string of OData query options, spaces as `%20`. Not the shared client's `query`, which
 * form-encodes a space as `+`: OData's URL conventions read `+` as a plus, and Dataverse (and the
 * sandbox) refuse `$filter=modifiedon+ge+…` as a syntax error (docs/vendors/dynamics.md "Querying").
 */
export function odataQuery(query: Readonly<Record<string, string | undefined>> | undefined): string {
  const parts = Object.entries(query ?? {}).flatMap(([k, v]) =>
    v === undefined ? [] : [`${k}=${encodeURIComponent(v)}`],
  );
  return parts.length > 0 ? `?${parts.join('&')}` : '';
}

/** An OData string literal: single quotes, a quote doubled (docs/vendors/dynamics.md "Querying"). */
export function odataString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether `id` is a row id Dataverse could hold (anything else is a miss without a call). */
export function isGuid(id: string): boolean {
  return GUID.test(id);
}
