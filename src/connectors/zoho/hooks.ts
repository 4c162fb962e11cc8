import { type VendorHooks, defaultHooks } from '../http/hooks';
import { zohoDeclaration } from './declaration';
import { isTokenRefused, zohoError } from './errors';

const base = defaultHooks({ authScheme: zohoDeclaration.authScheme });

/**
 * The shared client's hooks where Zoho differs from a plain JSON API
 * (docs/vendors/zoho.md "Connector: errors"): the token travels as `Authorization: Zoho-oauthtoken <token>` (the declared
 * scheme); a 401 refreshes once unless its code says a refresh cannot help (a missing scope); errors
 * are typed by Zoho's `code`, a write refused whole keeping its per-record items (`errors.ts`).
 */
export const zohoHooks: Partial<VendorHooks> = {
  isSessionExpired: isTokenRefused,
  parseError: (res, extra) => zohoError(res, extra, base.requestId(res)),
};
