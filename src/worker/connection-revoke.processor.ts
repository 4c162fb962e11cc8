import { type Job } from 'bull';
import { recordRevocation } from '../connectors/metrics';
import { type HttpTransport } from '../connectors/http/http.types';
import { type VendorUrlPolicy } from '../connectors/ssrf';
import { type OAuthApp } from '../connectors/tokens/oauth2-client';
import { type RevocationOutcome, RevocationError, revokeGrant } from '../connectors/tokens/revoke-grant';
import { type Logger } from '../logger';
import { type ConnectionRevokeJobData } from '../queue/system.producer';
import { AppError, CrmError } from '../errors';
import { DecryptionError, type KeyRing } from '../security/credentials-cipher';

export interface ConnectionRevokeDeps {
  keyRing: KeyRing;
  policy: VendorUrlPolicy;
  transport?: HttpTransport;
  logger: Pick<Logger, 'info' | 'warn'>;
  /** The operator's OAuth app of a CRM (`CrmServices.oauthApp`), for a vendor that revokes only for it. */
  oauthApp?: (crm: string) => Pick<OAuthApp, 'clientId' | 'clientSecret'> | undefined;
  /** @defaultValue {@link revokeGrant} */
  revoke?: typeof revokeGrant;
}

/** What a finished revocation job resolves to (kept only as long as the job: it is removed on completion). */
export interface ConnectionRevokeResult {
  outcome: RevocationOutcome;
  detail: string;
}

/**
 * Revokes a deleted connection's grant (docs/sync.md "Lifecycle and privacy"). The credentials arrive
 * encrypted and are decrypted here, in memory, for the one call; nothing decrypted is logged, counted or
 * returned. A vendor that cannot be reached or answers 5xx fails the attempt, and Bull retries it on
 * the job's backoff; after the last attempt, or at once on a definitive refusal, the failure is counted
 * (`failed`) and logged. The purge of the connection's data is its own job and does not wait for this.
 */
export function processConnectionRevoke(deps: ConnectionRevokeDeps) {
  const revoke = deps.revoke ?? revokeGrant;
  return async (job: Job<ConnectionRevokeJobData>): Promise<ConnectionRevokeResult> => {
    const { connectionId, crm, vendorUrls, credentials } = job.data;
    const finalAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    try {
      const credentialsPlain = deps.keyRing.decryptJson<Record<string, unknown>>(credentials, connectionId);
      const result = await revoke({
        connectionId,
        crm,
        vendorUrls: vendorUrls ?? {},
        credentials: credentialsPlain,
        policy: deps.policy,
        transport: deps.transport,
        oauthApp: deps.oauthApp?.(crm),
      });
      recordRevocation(crm, result.outcome);
      deps.logger.info(
        { connectionId, crm, outcome: result.outcome, detail: result.detail },
        'grant revocation',
      );
      return result;
    } catch (err) {
      const message = safeMessage(err);
      const retryable = err instanceof RevocationError && err.retryable;
      if (retryable && !finalAttempt) {
        deps.logger.warn(
          { connectionId, crm, attempt: job.attemptsMade + 1, reason: message },
          'grant revocation will be retried',
        );
        throw new RevocationError(message, true);
      }
      recordRevocation(crm, 'failed');
      deps.logger.warn(
        { connectionId, crm, attempts: job.attemptsMade + 1, reason: message },
        'grant revocation failed: the grant stays alive at the vendor until its admin removes it',
      );
      return { outcome: 'failed', detail: message };
    }
  };
}

/**
 * Only messages we wrote and know to hold no secret are logged: a vendor's or a transport's error could
 * carry the request URL, and a vendor may take the token in the path.
 */
function safeMessage(err: unknown): string {
  if (err instanceof RevocationError || err instanceof DecryptionError) return err.message;
  if (err instanceof AppError && !(err instanceof CrmError)) return err.message;
  return `unexpected ${err instanceof Error ? err.name : typeof err}`;
}
