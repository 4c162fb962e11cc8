import { BadUserInputError } from '../../errors';
import { type OAuthBuilders, type OAuthConnection, type TokenResponseParsing } from '../definition';
import { DYNAMICS_API_VERSION } from './declaration';
import { MULTI_TENANT, tenantOf } from './hosts';

/**
 * Microsoft Entra ID, the way a Dataverse connection uses it
 * (docs/vendors/dynamics.md "Entra ID tokens"). Both grants go to
 * `POST <login>/<tenant>/oauth2/v2.0/token` with the secret in the form:
 * - client credentials (an application user): `scope=<environment URL>/.default`, no refresh token —
 *   the shared token service asks for a new token when `expires_in` runs out;
 * - authorization code (a person): `<environment URL>/user_impersonation offline_access`, so the answer
 *   carries a refresh token; each refresh returns a new one.
 * The scope names the connection's own environment, which is why it is built here per connection and
 * not declared once. The environment is the connection's checked API host, the tenant the one path
 * segment of its authority URL (`hosts.ts`).
 */

function environmentOf(connection: OAuthConnection): string {
  const api = connection.hosts.api;
  if (!api) {
    throw new BadUserInputError(
      'Dynamics 365 connections name their environment URL (vendorUrls.api): the token scope is derived from it',
    );
  }
  return new URL(api).origin;
}

/** The scope of an application user's token: the environment as resource, `/.default` permissions. */
export function applicationScope(environmentUrl: string): string {
  return `${environmentUrl}/.default`;
}

/** The scopes of a person's delegated token, with a refresh token (`offline_access`). */
export function delegatedScopes(environmentUrl: string): string[] {
  return [`${environmentUrl}/user_impersonation`, 'offline_access'];
}

function entraUrl(connection: OAuthConnection, endpoint: 'authorize' | 'token'): string {
  const tenant = tenantOf(connection.vendorUrls.auth);
  const origin = new URL(connection.hosts.auth).origin;
  return `${origin}/${encodeURIComponent(tenant)}/oauth2/${DYNAMICS_API_VERSION.entra}/${endpoint}`;
}

export const dynamicsOAuth: OAuthBuilders = {
  scopes: (connection) => delegatedScopes(environmentOf(connection)),
  authorizeUrl: (connection) => entraUrl(connection, 'authorize'),
  tokenUrl(connection) {
    return entraUrl(connection, 'token');
  },
  tokenParams(grant, connection) {
    const environment = environmentOf(connection);
    if (grant === 'client_credentials') {
      // Entra refuses client credentials at a multi-tenant alias: the app's own directory is needed.
      if (tenantOf(connection.vendorUrls.auth) === MULTI_TENANT) {
        throw new BadUserInputError(
          'Dynamics 365 client credentials need the directory: vendorUrls.auth = https://login.microsoftonline.com/<tenant id>',
        );
      }
      return { scope: applicationScope(environment) };
    }
    return { scope: delegatedScopes(environment).join(' ') };
  },
};

/**
 * Entra ID answers token errors as RFC 6749 bodies: `invalid_grant` (used or expired code, refresh
 * token expired by inactivity, revoked grant) is the dead grant, which the OAuth client already knows.
 * `expires_in` is standard. The token names no environment and no account: nothing more to parse.
 */
export const dynamicsTokens: TokenResponseParsing = {};
