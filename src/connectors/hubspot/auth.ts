import { type AuthKind } from '../../config/crms';
import { HUBSPOT_API_VERSION } from './declaration';
import { CrmUpstreamError } from '../../errors';
import { type AccountIdentity } from '../types';
import { type HubSpotApi } from './api-context';
import { CRM, PATHS } from './hubspot.constants';

/**
 * HubSpot auth (docs/vendors/hubspot.md "Hosts, tokens and versions", docs/vendors/hubspot.md "OAuth"). Both kinds send `Authorization: Bearer <token>` and need no code here beyond
 * what `declaration.ts` declares:
 * - a private-app ("static auth") token never expires (`static_token`); a 401 means it was rotated;
 * - OAuth 2.0 authorization code + refresh on the v1 token endpoint, client secret in the form body,
 *   access tokens of 30 minutes whose `expires_in` the token service (`connectors/tokens/`) uses to
 *   refresh ahead of expiry — HubSpot says a 401 is not the signal to refresh. A refused refresh token
 *   (`invalid_grant`, legacy `BAD_REFRESH_TOKEN`) moves the connection to NEEDS_REAUTH there.
 * What is HubSpot's own: learning which portal (and app) a token belongs to, for webhook routing and
 * budget scopes (`identify`). A token response names the portal only since 2025-08 (`hub_id`) and
 * never the app, and a private-app token comes with no response at all.
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
export async function accessTokenInfo(api: HubSpotApi, accessToken: string): Promise<HubSpotTokenInfo> {
  const res = await api.http.request<WireTokenInfo>({
    method: 'GET',
    url: PATHS.accessTokenInfo(accessToken),
    anonymous: true,
    cost: 0,
  });
  const b = res.body ?? {};
  if (b.hub_id === undefined) {
    throw new CrmUpstreamError('HubSpot access-token metadata has no hub_id', {
      crm: CRM,
      status: res.status,
    });
  }
  return {
    hubId: String(b.hub_id),
    appId: b.app_id === undefined ? null : String(b.app_id),
    scopes: b.scopes ?? [],
    expiresIn: typeof b.expires_in === 'number' ? b.expires_in : null,
  };
}

/**
 * `GET /account-info/v3/details` (HubSpot's account information API): the portal of the calling token.
 * Listed here and not in `hubspot.constants.ts` because nothing else calls it.
 */
const ACCOUNT_DETAILS_PATH = `/account-info/${HUBSPOT_API_VERSION.accountInfo}/details`;

/** The portal a token belongs to, by the account information API (private-app tokens too). */
async function accountPortalId(api: HubSpotApi): Promise<string> {
  const res = await api.http.request<{ portalId?: number | string }>({
    method: 'GET',
    url: ACCOUNT_DETAILS_PATH,
  });
  const portalId = res.body?.portalId;
  if (portalId === undefined || portalId === null || portalId === '') {
    throw new CrmUpstreamError('HubSpot account details have no portalId', { crm: CRM, status: res.status });
  }
  return String(portalId);
}

/**
 * Which portal and app a token belongs to. An OAuth access token: its metadata names both (one call,
 * no credentials). A private-app token is not an OAuth token (the metadata endpoint does not know it):
 * the account information API names its portal, and nothing HubSpot documents names its app.
 */
export async function identify(api: HubSpotApi, authKind: AuthKind): Promise<AccountIdentity> {
  const token = await api.tokens.get();
  if (authKind === 'static_token') return { accountId: await accountPortalId(api), appId: null };
  const info = await accessTokenInfo(api, token.value);
  return { accountId: info.hubId, appId: info.appId };
}
