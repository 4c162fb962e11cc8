import { type GrantRevocation } from '../definition';

/**
 * Revoking a Pipedrive grant (docs/vendors/pipedrive.md "Connector: credentials and hosts"): a form POST of the refresh token to
 * `/oauth/revoke` on the OAuth host, with our app's client id and secret as HTTP Basic auth. Revoking
 * the refresh token uninstalls the app for that user, and its access tokens die with it. An API token
 * is the user's own: Pipedrive has no API to revoke it (the user regenerates it in their settings).
 * A token that is already revoked or unknown is refused 400 `invalid_request` ("token is invalid";
 * UNVERIFIED beyond the sandbox): for us the grant is gone.
 */
export const pipedriveRevocation: GrantRevocation = {
  request(stored, connection) {
    if (stored.authKind === 'static_token') {
      return {
        notRevocable:
          'a Pipedrive API token belongs to its user, and no API revokes it: the user regenerates it under Personal preferences → API',
      };
    }
    const token = stored.refreshToken ?? stored.accessToken;
    return {
      method: 'POST',
      url: new URL('/oauth/revoke', connection.hosts.auth).toString(),
      form: { token, token_type_hint: stored.refreshToken ? 'refresh_token' : 'access_token' },
      clientAuth: 'basic',
    };
  },
  isAlreadyRevoked: ({ status, vendorCode }) => status === 400 && vendorCode === 'invalid_request',
};
