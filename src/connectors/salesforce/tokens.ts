import { type GrantRevocation, type TokenResponseParsing } from '../definition';

/**
 * Salesforce's token responses: no `expires_in` (the session timeout is an org setting, so tokens
 * refresh on 401), dead grants as RFC 6749 `invalid_grant`, and the org in the `id` identity URL
 * `https://login.salesforce.com/id/{orgId}/{userId}`.
 */
export const salesforceTokens: TokenResponseParsing = {
  accountId(body) {
    if (typeof body.id !== 'string') return undefined;
    return /\/id\/([A-Za-z0-9]{15,18})\/[A-Za-z0-9]{15,18}\/?$/.exec(body.id)?.[1];
  },
};

/**
 * Revoking a Salesforce grant (docs/vendors/salesforce.md "Revoking tokens"): a form POST of `token` to
 * `/services/oauth2/revoke` on the login (or My Domain) host the grant came from. The refresh token
 * where there is one (revoking it revokes every access token issued from it), else the access token (a
 * client-credentials connection has no refresh token). 200 with an empty body; 400 `invalid_token` for
 * a token that is already revoked, expired or unknown.
 */
export const salesforceRevocation: GrantRevocation = {
  request(stored, connection) {
    return {
      method: 'POST',
      url: new URL('/services/oauth2/revoke', connection.hosts.auth).toString(),
      form: { token: stored.refreshToken ?? stored.accessToken },
    };
  },
  isAlreadyRevoked: ({ status, vendorCode }) => status === 400 && vendorCode === 'invalid_token',
};
