import { type TokenResponseParsing } from '../definition';

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
