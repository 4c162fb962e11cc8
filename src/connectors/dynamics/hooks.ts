import { type VendorHooks, defaultHooks } from '../http/hooks';
import { dynamicsDeclaration } from './declaration';
import { dataverseError } from './errors';

const base = defaultHooks({
  authScheme: dynamicsDeclaration.authScheme,
  requestIdHeader: dynamicsDeclaration.requestIdHeader,
});

/**
 * The shared client's hooks where Dataverse differs from a plain JSON API: only error typing, by the
 * Dataverse code (`errors.ts`). A 429's `Retry-After` (seconds, growing while a client keeps sending,
 * docs/vendors/dynamics.md "Service protection limits") is read by the default `isRateLimited`, and the
 * shared retry policy waits that long before the next attempt; a 401 refreshes once by default.
 */
export const dynamicsHooks: Partial<VendorHooks> = {
  parseError: (res, extra) =>
    dataverseError(res, { requestId: base.requestId(res), retryAfterMs: extra.retryAfterMs }),
};
