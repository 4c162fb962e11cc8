import { type TokenResponseParsing } from '../definition';

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
