import { CrmConflictError, CrmUpstreamError } from '../../errors';
import { type HookResponse, type VendorHooks, defaultHooks, extractVendorError } from '../http/hooks';
import { salesforceDeclaration } from './declaration';
import { REQUEST_REFUSED_CODES, errorClassForStatusCode } from './errors';
import { SALESFORCE_BUDGET_PROBE } from './limits';

/**
 * 401s that a refresh cannot cure (the org blocks this app or this session type): refreshing would only
 * repeat the call. Texts from jsforce's `HttpApi.isSessionExpired`.
 */
const NOT_CURED_BY_REFRESH = [
  'Connected app is not attached to Agent',
  'This session is not valid for use with the REST API',
];

const base = defaultHooks({
  authScheme: salesforceDeclaration.authScheme,
  requestIdHeader: salesforceDeclaration.requestIdHeader,
});

/**
 * The shared client's hooks where Salesforce differs from a plain JSON API; the framework builds the
 * Salesforce client with them. REST errors are `[{message, errorCode}]` arrays (the defaults read that
 * shape); here the error code outranks the HTTP status when Salesforce names a conflict, or refuses
 * the request we built (`REQUEST_REFUSED_CODES`: UPSTREAM, not the 400's VALIDATION).
 */
export const salesforceHooks: Partial<VendorHooks> = {
  budgetProbe: SALESFORCE_BUDGET_PROBE,
  // An exhausted allocation is 403 REQUEST_LIMIT_EXCEEDED (never 429, never a Retry-After): a budget
  // signal, not a permission error.
  isBudgetExhausted: (res) => res.status === 403 && res.text.includes('REQUEST_LIMIT_EXCEEDED'),
  isSessionExpired(res: HookResponse): boolean {
    return res.status === 401 && !NOT_CURED_BY_REFRESH.some((text) => res.text.includes(text));
  },
  parseError(res, extra) {
    const parsed = base.parseError(res, extra);
    const { code } = extractVendorError(res.json);
    // 300: an upsert's external id matched several records (docs/vendors/salesforce.md "Record rows and upsert") — a data conflict, not a redirect.
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
