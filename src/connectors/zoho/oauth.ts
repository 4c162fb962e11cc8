import { BadUserInputError } from '../../errors';
import { type OAuthBuilders, type OAuthConnection, type TokenResponseParsing } from '../definition';
import { type DcId, connectionDc, dcTable, isDcId, sameUrl } from './data-centres';
import { zohoDeclaration } from './declaration';

/**
 * Zoho Accounts, per data centre (docs/vendors/zoho.md "Connector: OAuth and data centres").
 *
 * The user signs in at the accounts server the flow started at (the US one by default); Zoho sends them
 * to their own DC's and names it on the way back: `location` (the DC id) and `accounts-server`. The
 * code exchange carries our client secret, so the callback's `accounts-server` is taken only when it
 * is the accounts server the DC table gives for that `location`: anything else is refused before any
 * token request. The DC's accounts server and API domain are stored with the connection; refreshes
 * go to that accounts server and every call to that API domain. A token response's `api_domain` is
 * kept only when it is that DC's API domain.
 */

const oauth = zohoDeclaration.oauth!;

function accountsUrl(connection: OAuthConnection, path: string): string {
  // The checked accounts URL may carry a path (a sandbox's `/dc/<dc>/accounts`): append, never resolve.
  const { hosts } = connectionDc({ auth: connection.hosts.auth });
  return `${hosts.accounts}${path}`;
}

/** The callback's DC, or null when it names none (an app not set up for several DCs). */
function callbackDc(query: Readonly<Record<string, unknown>>): DcId | null {
  const location = query.location;
  if (location === undefined || location === '') return null;
  if (!isDcId(location)) {
    throw new BadUserInputError(
      `Zoho CRM named an unknown data centre ${JSON.stringify(String(location).slice(0, 20))}`,
    );
  }
  return location;
}

export const zohoOAuth: OAuthBuilders = {
  authorizeUrl: (connection) => accountsUrl(connection, oauth.authorizePath),
  tokenUrl: (connection) => accountsUrl(connection, oauth.tokenPath),
  callbackVendorUrls(query, flowUrls): Record<string, string> {
    const id = callbackDc(query);
    if (!id) return {};
    const own = dcTable(flowUrls.auth)(id);
    const named = query['accounts-server'];
    if (named !== undefined && (typeof named !== 'string' || !sameUrl(named, own.accounts))) {
      throw new BadUserInputError(
        `Zoho CRM's callback names accounts server ${JSON.stringify(String(named).slice(0, 100))}, which is not the accounts server of data centre ${id}: refused`,
      );
    }
    return { auth: own.accounts, api: own.api };
  },
  tokenApiBase(body, connection) {
    const { hosts } = connectionDc({ auth: connection.hosts.auth });
    const named = body.api_domain;
    return typeof named === 'string' && sameUrl(named, hosts.api) ? hosts.api : undefined;
  },
};

/**
 * Zoho's token endpoint answers errors with HTTP 200 and `{"error": "<code>"}`: `invalid_code` for a
 * used or expired code and for a revoked or unknown refresh token (the dead grant). Older responses
 * named the lifetime `expires_in_sec`.
 */
export const zohoTokens: TokenResponseParsing = {
  deadGrantCodes: ['invalid_code'],
  expiresInSeconds: (body) => body.expires_in_sec,
};
