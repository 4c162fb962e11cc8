import { CrmError } from '../../errors';
import { type HttpTransport } from '../http/http.types';
import { VendorHttpClient } from '../http/vendor-client';
import { type VendorUrlPolicy } from '../ssrf';
import { vendorAccess, vendorHooks } from '../vendor-access';
import { parseStoredTokens } from './credentials';
import { basicClientAuth, type OAuthApp } from './oauth2-client';

/** How revoking a deleted connection's grant ended (the `outcome` label of `cgw_connection_revocations_total`). */
export type RevocationOutcome = 'revoked' | 'not_revocable' | 'failed';

export interface RevokeGrantInput {
  connectionId: string;
  crm: string;
  /** The connection's stored vendor URL overrides, resolved through the SSRF guard as for any call. */
  vendorUrls: Readonly<Record<string, string>>;
  /** The decrypted credentials, as stored. Never logged, never part of an error. */
  credentials: Record<string, unknown>;
  policy: VendorUrlPolicy;
  /** The process's transport (pinned DNS, private addresses refused). */
  transport?: HttpTransport;
  /**
   * The operator's OAuth app for this CRM (`CrmServices.oauthApp`): what a revocation that wants the
   * client's authentication sends, unless the connection brought its own app (stored with its credentials).
   */
  oauthApp?: Pick<OAuthApp, 'clientId' | 'clientSecret'>;
}

export interface RevokeGrantResult {
  outcome: Exclude<RevocationOutcome, 'failed'>;
  /** What happened, in words that name no token: for the log and the job's result. */
  detail: string;
}

/**
 * Revoking failed. `retryable`: the vendor could not be reached or answered 5xx/429, so a later attempt
 * may succeed; otherwise the vendor gave a definitive refusal (our app's client id refused, say) that
 * no retry changes. The message names the CRM, the HTTP status and the vendor's error code, never the
 * URL (a vendor may take the token in the path) and the vendor's message is not carried as a cause.
 */
export class RevocationError extends Error {
  override name = 'RevocationError';
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

/**
 * Revokes a deleted connection's grant at its vendor, through the CRM's {@link
 * import('../definition').GrantRevocation} hook. Resolves `revoked` when the vendor revoked it or says it
 * is already dead, `not_revocable` when the vendor has no revocation for it; throws
 * {@link RevocationError} otherwise. One attempt: the caller (a queue job) owns the retries and their
 * backoff, so the client is `background` (it never sleeps in-process) and sends once.
 */
export async function revokeGrant(input: RevokeGrantInput): Promise<RevokeGrantResult> {
  const access = vendorAccess({
    crm: input.crm,
    vendorUrls: input.vendorUrls,
    policy: input.policy,
    storedFor: input.connectionId,
  });
  const name = access.declaration.displayName;
  const revocation = access.definition.revocation;
  if (!revocation) return { outcome: 'not_revocable', detail: `${name} offers no token revocation` };
  const stored = parseStoredTokens(input.credentials, input.connectionId);
  const call = revocation.request(stored, { hosts: access.hosts, vendorUrls: access.vendorUrls });
  if ('notRevocable' in call) return { outcome: 'not_revocable', detail: call.notRevocable };

  let authorization: string | undefined;
  if (call.clientAuth === 'basic') {
    const own = stored.clientId && stored.clientSecret ? stored : undefined;
    const app = own ? { clientId: own.clientId!, clientSecret: own.clientSecret! } : input.oauthApp;
    if (!app) {
      throw new RevocationError(
        `${name} revokes a grant only for the OAuth app that holds it, and no ${access.kind} OAuth app is configured`,
        false,
      );
    }
    authorization = basicClientAuth(app);
  }

  const http = new VendorHttpClient({
    crm: access.kind,
    transport: input.transport,
    hooks: vendorHooks(access.definition),
    priority: 'background',
    retry: { maxAttempts: 1 },
    timeoutMs: 10_000,
  });
  try {
    await http.request({
      method: call.method,
      url: call.url,
      form: call.form ? { ...call.form } : undefined,
      ...(authorization ? { headers: { authorization } } : {}),
      // Never the connection's token: the call carries its own client authentication, or none.
      anonymous: true,
      // Revoking twice is harmless (the second answer says "already revoked").
      idempotent: true,
      cost: 0,
    });
    return { outcome: 'revoked', detail: `${name} revoked the grant` };
  } catch (err) {
    if (!(err instanceof CrmError)) {
      throw new RevocationError(`${name} token revocation failed before an answer arrived`, true);
    }
    const { status, vendorCode } = err;
    if (status !== undefined && revocation.isAlreadyRevoked({ status, vendorCode })) {
      return { outcome: 'revoked', detail: `${name} says the token is already revoked or unknown` };
    }
    // No status: the transport failed (network, timeout). 5xx, 429: the vendor may answer later. Any
    // other refusal (a 401 is our app refused, not an expired session: nothing was authenticated) is final.
    const retryable = status === undefined || status >= 500 || status === 429;
    throw new RevocationError(
      `${name} token revocation failed: ${status === undefined ? err.code : `HTTP ${status}`}${
        vendorCode ? ` ${vendorCode}` : ''
      }`,
      retryable,
    );
  }
}
