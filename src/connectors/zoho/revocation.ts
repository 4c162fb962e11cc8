import { type GrantRevocation } from '../definition';
import { connectionDc } from './data-centres';
import { OAUTH_ROOT } from './declaration';

/**
 * Revocation (docs/vendors/zoho.md "Connector: OAuth and data centres"): `POST <accounts server of the
 * connection's DC>/oauth/v2/token/revoke?token=<refresh token>`, unauthenticated, as Zoho documents it.
 * Revoking the refresh token ends the access tokens issued from it. Zoho answers 200 whether the token
 * was live or already dead, so any refusal is a real failure.
 */
export const zohoRevocation: GrantRevocation = {
  request(stored, connection) {
    const { hosts } = connectionDc({ auth: connection.hosts.auth });
    const url = new URL(`${hosts.accounts}${OAUTH_ROOT}/token/revoke`);
    url.searchParams.set('token', stored.refreshToken ?? stored.accessToken);
    return { method: 'POST', url: url.toString() };
  },
  isAlreadyRevoked: () => false,
};
