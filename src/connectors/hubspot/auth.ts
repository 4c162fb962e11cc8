import { type VendorHttpClient } from '../http/vendor-client';
import { PATHS } from './hubspot.constants';

/**
 * HubSpot auth (B1, B2). Both kinds send `Authorization: Bearer <token>` and need no code here beyond
 * what `config/crms.ts` declares:
 * - a private-app ("static auth") token never expires (`static_token`); a 401 means it was rotated;
 * - OAuth 2.0 authorization code + refresh on the v1 token endpoint, client secret in the form body,
 *   access tokens of 30 minutes whose `expires_in` the token service (`connectors/tokens/`) uses to
 *   refresh ahead of expiry — HubSpot says a 401 is not the signal to refresh. A refused refresh token
 *   (`invalid_grant`, legacy `BAD_REFRESH_TOKEN`) moves the connection to NEEDS_REAUTH there.
 * What is HubSpot's own: learning which portal (and app) a token belongs to, for webhook routing and
 * budget scopes, when the token response did not say (`hub_id` is sent only since 2025-08).
 */

export interface HubSpotTokenInfo {
  hubId: string;
  appId: string | null;
  scopes: string[];
  /** Seconds left, as HubSpot reports it. */
  expiresIn: number | null;
}

interface WireTokenInfo {
  hub_id?: number | string;
  app_id?: number | string;
  scopes?: string[];
  expires_in?: number;
}

/** `GET /oauth/v1/access-tokens/{token}`: metadata of an OAuth access token (no credentials needed). */
export async function accessTokenInfo(
  http: VendorHttpClient,
  accessToken: string,
): Promise<HubSpotTokenInfo> {
  const res = await http.request<WireTokenInfo>({
    method: 'GET',
    url: PATHS.accessTokenInfo(accessToken),
    anonymous: true,
    cost: 0,
  });
  const b = res.body ?? {};
  if (b.hub_id === undefined) throw new Error('HubSpot access-token metadata has no hub_id');
  return {
    hubId: String(b.hub_id),
    appId: b.app_id === undefined ? null : String(b.app_id),
    scopes: b.scopes ?? [],
    expiresIn: typeof b.expires_in === 'number' ? b.expires_in : null,
  };
}
