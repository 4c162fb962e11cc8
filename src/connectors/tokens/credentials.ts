import { z } from 'zod';
import { type AuthKind } from '../../config/crms';

/**
 * What a connection's encrypted `credentials` hold for the token service. Other keys (a connector's
 * own secrets) pass through untouched: the schema is not strict.
 */
export const storedTokensSchema = z
  .object({
    authKind: z.enum(['oauth2_code', 'oauth2_client_credentials', 'static_token']),
    accessToken: z.string().min(1),
    refreshToken: z.string().min(1).optional(),
    /** Epoch ms; null when the vendor did not say (a session that lasts while it is used). */
    expiresAt: z.number().nullable().default(null),
    /** Checked API base the token response named (an `instance_url`). */
    apiBaseUrl: z.string().optional(),
    /** For client-credentials connections that bring their own app. */
    clientId: z.string().optional(),
    clientSecret: z.string().optional(),
  })
  .passthrough();

export type StoredTokens = z.infer<typeof storedTokensSchema> & { authKind: AuthKind };

/** Parses stored credentials; a message says which key is wrong, never its value. */
export function parseStoredTokens(raw: Record<string, unknown>, connectionId: string): StoredTokens {
  const parsed = storedTokensSchema.safeParse(raw);
  if (!parsed.success) {
    const keys = parsed.error.issues.map((i) => i.path.join('.')).join(', ');
    throw new Error(`connection ${connectionId} has unusable credentials (bad or missing: ${keys})`);
  }
  return parsed.data as StoredTokens;
}

/** What a grant (code exchange, refresh, client credentials) returned, normalized across vendors. */
export interface TokenGrant {
  accessToken: string;
  /** Present when the vendor issued (or rotated) a refresh token. */
  refreshToken?: string;
  /** Epoch ms, or null when the vendor did not say. */
  expiresAt: number | null;
  /** Checked API base (an `instance_url` or `api_domain` of the token response). */
  apiBaseUrl?: string;
  /** The vendor's account id when the response names it (an org id in an identity URL, a portal id). */
  externalAccountId?: string;
}

/** The stored credentials after a grant: a rotated refresh token replaces the old one, else it is kept. */
export function applyGrant(stored: StoredTokens, grant: TokenGrant): StoredTokens {
  return {
    ...stored,
    accessToken: grant.accessToken,
    refreshToken: grant.refreshToken ?? stored.refreshToken,
    expiresAt: grant.expiresAt,
    apiBaseUrl: grant.apiBaseUrl ?? stored.apiBaseUrl,
  };
}

/** Credentials of a token-based connection (a private-app or personal API token): never refreshed. */
export function staticTokenCredentials(token: string): StoredTokens {
  if (token.trim() === '') throw new Error('the API token is empty');
  return { authKind: 'static_token', accessToken: token.trim(), expiresAt: null };
}
