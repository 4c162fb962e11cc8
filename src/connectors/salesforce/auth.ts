import { Connection } from 'jsforce';
import { SALESFORCE_API_VERSION } from '../../config/crms';
import { CrmConflictError, CrmUpstreamError } from '../../errors';
import { type HookResponse, type VendorHooks, defaultHooks, extractVendorError } from '../http/hooks';
import { type VendorHttpClient } from '../http/vendor-client';
import { REQUEST_REFUSED_CODES, errorClassForStatusCode } from './errors';
import { JSFORCE_ORIGIN, SharedLayerTransport } from './jsforce-transport';
import { SALESFORCE_BUDGET_PROBE } from './limits';

/**
 * How a Salesforce connection authenticates, on our side of the wire.
 *
 * The OAuth grants themselves (web-server code exchange, refresh, client credentials) belong to the
 * token service, driven by `config/crms.ts`; it checks `instance_url` with the SSRF guard
 * (`checkTokenApiBase`) and hands the connector an {@link AccessToken} whose `apiBaseUrl` is that
 * checked host. The connector only ever sees tokens through `ctx.tokens`, via the shared client.
 */

/** jsforce wants "62.0"; the pinned version is declared once, as "v62.0". */
export const JSFORCE_API_VERSION = SALESFORCE_API_VERSION.data.replace(/^v/, '');

/**
 * A jsforce Connection whose every request goes through `http` (see `jsforce-transport.ts`). It holds
 * no token and no real host: both come from the token service at send time.
 */
export function createJsforceConnection(http: VendorHttpClient): Connection {
  const conn = new Connection({ instanceUrl: JSFORCE_ORIGIN, version: JSFORCE_API_VERSION });
  conn._transport = new SharedLayerTransport(http);
  return conn;
}

/**
 * 401s that a refresh cannot cure (the org blocks this app or this session type): refreshing would only
 * repeat the call. Texts from jsforce's `HttpApi.isSessionExpired`.
 */
const NOT_CURED_BY_REFRESH = [
  'Connected app is not attached to Agent',
  'This session is not valid for use with the REST API',
];

const base = defaultHooks({ authScheme: 'Bearer', requestIdHeader: 'x-request-id' });

/**
 * The shared client's hooks where Salesforce differs from a plain JSON API; the framework builds the
 * Salesforce client with them. REST errors are `[{message, errorCode}]` arrays (the defaults read that
 * shape); here the error code outranks the HTTP status when Salesforce names a conflict, or refuses
 * the request we built (`REQUEST_REFUSED_CODES`: UPSTREAM, not the 400's VALIDATION).
 */
export const salesforceHooks: Partial<VendorHooks> = {
  budgetProbe: SALESFORCE_BUDGET_PROBE,
  isSessionExpired(res: HookResponse): boolean {
    return res.status === 401 && !NOT_CURED_BY_REFRESH.some((text) => res.text.includes(text));
  },
  parseError(res, extra) {
    const parsed = base.parseError(res, extra);
    const { code } = extractVendorError(res.json);
    // 300: an upsert's external id matched several records (A5) — a data conflict, not a redirect.
    const conflict =
      res.status === 300 || (code !== undefined && errorClassForStatusCode(code) === CrmConflictError);
    const ours = !conflict && code !== undefined && REQUEST_REFUSED_CODES.has(code);
    if (!conflict && !ours) return parsed;
    const ErrorClass = conflict ? CrmConflictError : CrmUpstreamError;
    return new ErrorClass(parsed.message, {
      crm: extra.crm,
      status: res.status,
      vendorRequestId: parsed.vendorRequestId,
      vendorCode: code ?? 'MULTIPLE_CHOICES',
      details: extra.details,
      cause: parsed,
    });
  },
};
