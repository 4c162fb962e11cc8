import { type GrantRevocation, type TokenResponseParsing } from '../definition';
import { PATHS } from './hubspot.constants';

/**
 * HubSpot's token responses: the portal as `hub_id` (sent since 2025-08; `identify` asks otherwise),
 * and dead grants as the legacy `BAD_REFRESH_TOKEN` / `BAD_AUTH_CODE` statuses beside v3's
 * `invalid_grant`.
 */
export const hubspotTokens: TokenResponseParsing = {
  deadGrantCodes: ['BAD_REFRESH_TOKEN', 'BAD_AUTH_CODE'],
  accountId(body) {
    const hubId = body.hub_id;
    return typeof hubId === 'number' || typeof hubId === 'string' ? String(hubId) : undefined;
  },
};

/**
 * Revoking a HubSpot grant (docs/vendors/hubspot.md "Revoking tokens"): an OAuth refresh token is
 * deleted with `DELETE /oauth/v1/refresh-tokens/{token}` (204, no credentials). HubSpot documents no
 * answer for an unknown token; a 404 or 400 means there is nothing left to revoke. Access tokens already
 * issued are not revoked by HubSpot and lapse within 30 minutes. A private app's static token has no
 * revocation API: only a super admin of the account can rotate or delete it.
 */
export const hubspotRevocation: GrantRevocation = {
  request(stored, connection) {
    if (stored.authKind === 'static_token') {
      return {
        notRevocable:
          'a private-app token can only be rotated or deleted by a super admin of the account, in HubSpot',
      };
    }
    if (!stored.refreshToken || !connection.hosts.api) {
      return { notRevocable: 'the connection holds no refresh token to revoke' };
    }
    return {
      method: 'DELETE',
      url: new URL(PATHS.refreshToken(stored.refreshToken), connection.hosts.api).toString(),
    };
  },
  isAlreadyRevoked: ({ status }) => status === 404 || status === 400,
};
