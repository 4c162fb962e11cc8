import { type HttpTransport } from '../http/http.types';
import { crmDeclaration } from '../registry';
import { type VendorUrlPolicy } from '../ssrf';
import { oauthClient, vendorAccess } from '../vendor-access';
import { type OAuthApp, InvalidGrantError, oauthRefresher } from './oauth2-client';
import { type TokenRefresher } from './token.service';

export interface RefreshPolicyDeps {
  /** Our OAuth app for a CRM, or undefined when the operator configured none. */
  oauthApp: (crm: string) => OAuthApp | undefined;
  /** The stored vendor URLs of a connection (its own auth host: a My Domain, a sandbox). */
  vendorUrlsOf: (connectionId: string) => Promise<Readonly<Record<string, string>>>;
  policy: VendorUrlPolicy;
  transport?: HttpTransport;
}

/**
 * How a connection's token is refreshed: which OAuth app (the connection's own client credentials, or
 * ours for the CRM), at which host (the connection's own, resolved through the SSRF guard at the time
 * of the refresh), and that a missing app is a dead grant (NEEDS_REAUTH), not a bare failure.
 */
export function tokenRefresherFor(deps: RefreshPolicyDeps): (crm: string) => TokenRefresher {
  return (crm) => async (stored, connectionId) => {
    const decl = crmDeclaration(crm);
    // A client-credentials connection may bring its own app (createConnection); others use ours.
    const app =
      stored.authKind === 'oauth2_client_credentials' && stored.clientId && stored.clientSecret
        ? { clientId: stored.clientId, clientSecret: stored.clientSecret, redirectUri: '' }
        : deps.oauthApp(crm);
    if (!app) {
      // A refused grant as far as the connection goes: nothing retries its way out of it, so it takes
      // the invalid_grant path (status NEEDS_REAUTH and a connectionEvents event), not a bare throw.
      throw new InvalidGrantError(
        `no OAuth app is configured for ${decl.displayName} (CRM_OAUTH_APPS), so its token cannot be refreshed`,
        'no_oauth_app',
      );
    }
    const vendorUrls = await deps.vendorUrlsOf(connectionId);
    const access = vendorAccess({ crm, vendorUrls, policy: deps.policy, storedFor: connectionId });
    return oauthRefresher(oauthClient(access, app, deps))(stored);
  };
}
