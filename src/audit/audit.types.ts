/**
 * The audit log's vocabulary (docs/audit.md): who did what to which of the tenant's things, when, and
 * whether it was allowed and went through. What was written is never kept — record values, credentials
 * and tokens stay out of it; the ids of what was touched are enough to find it.
 */

/** Who acted: an API key, an access token minted from one (with its subject), or the admin CLI. */
export const AUDIT_ACTOR_KINDS = ['API_KEY', 'ACCESS_TOKEN', 'ADMIN_CLI'] as const;
export type AuditActorKind = (typeof AUDIT_ACTOR_KINDS)[number];

export interface AuditActor {
  kind: AuditActorKind;
  /** The API key (for an access token, the key it was minted from); null for the admin CLI. */
  keyId: string | null;
  /** An access token's subject (the end user it was minted for); null otherwise. */
  subject: string | null;
}

export const AUDIT_OUTCOMES = ['SUCCEEDED', 'FAILED'] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

/** The most ids one event keeps of what it touched (a 500-item upsert keeps the first ones and the count). */
export const MAX_AUDIT_TARGET_IDS = 50;

export interface AuditEntry {
  tenantId: string;
  actor: AuditActor;
  /** The mutation's name (`createConnection`, `upsertContacts`…), `oauthConnect`/`oauthReauthorize`, or the admin CLI's key commands. */
  action: string;
  /** The connection acted on, where there is one. */
  connectionId: string | null;
  /** Ids the action named or made: records, operations, connections, keys (at most {@link MAX_AUDIT_TARGET_IDS}). */
  targetIds: string[];
  /** How many things it touched (items of a list mutation), whatever `targetIds` kept. */
  targetCount: number;
  outcome: AuditOutcome;
  /** The error code of a FAILED action (`FORBIDDEN`, `BAD_USER_INPUT`…). */
  errorCode: string | null;
}

export interface AuditEvent extends AuditEntry {
  /** `aud_…` (random): ties at one instant list in id order. */
  id: string;
  at: Date;
}

export interface AuditFilter {
  action?: string;
  connectionId?: string;
  keyId?: string;
  since?: Date;
}
