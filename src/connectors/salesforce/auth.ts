import { Connection } from 'jsforce';
import { SALESFORCE_API_VERSION } from './declaration';
import { type VendorHttpClient } from '../http/vendor-client';
import { JSFORCE_ORIGIN, SharedLayerTransport } from './jsforce-transport';

/**
 * How a Salesforce connection authenticates, on our side of the wire.
 *
 * The OAuth grants themselves (web-server code exchange, refresh, client credentials) belong to the
 * token service, driven by `declaration.ts`; it checks `instance_url` with the SSRF guard
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
