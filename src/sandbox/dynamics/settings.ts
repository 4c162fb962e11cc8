import { z } from 'zod';

/**
 * Per-org Dataverse settings (`OrgOptions.settings`, `PATCH /__sandbox/orgs/:org/settings`). Defaults
 * are Dataverse's documented figures (docs/vendors/dynamics.md); what the docs leave open is a switch
 * marked UNVERIFIED, so a test can flip it once the truth is known.
 */
export const dynamicsSettingsSchema = z
  .object({
    /** Service protection: requests per user per window. @defaultValue 6000 */
    requestsPerWindow: z.number().int().min(1).default(6000),
    /** Service protection: combined execution time (ms) per user per window. @defaultValue 1200000 */
    executionTimeMsPerWindow: z.number().int().min(1).default(1_200_000),
    /** Service protection: concurrent requests per user. @defaultValue 52 */
    concurrentRequests: z.number().int().min(1).default(52),
    /** The sliding window of the two counted limits. @defaultValue 300000 (5 minutes) */
    limitWindowMs: z.number().int().min(1000).default(300_000),
    /**
     * Seconds a refused request adds to Retry-After for every further request the client sends while
     * refused: Dataverse documents that the wait grows, not by how much (UNVERIFIED). @defaultValue 1
     */
    retryAfterGrowthSeconds: z.number().int().min(0).default(1),
    /** Organization.ExpireChangeTrackingInDays: delta tokens older than this are refused. @defaultValue 7 */
    changeTrackingExpiryDays: z.number().min(0).default(7),
    /** `expires_in` of Entra access tokens (and their `exp`). @defaultValue 3599 */
    accessTokenTtlSeconds: z.number().int().min(1).default(3599),
    /**
     * Top-level status of a `$batch` that stopped at a failed request (no continue-on-error):
     * 400 or 200 is UNVERIFIED ("$batch"). @defaultValue 400
     */
    batchStopStatus: z.union([z.literal(400), z.literal(200)]).default(400),
    /**
     * An update of a won or lost opportunity is refused as Dataverse documents closed opportunities
     * read-only; the error code is UNVERIFIED. @defaultValue true
     */
    closedOpportunitiesReadOnly: z.boolean().default(true),
    /** Delay before the one webhook retry (502/503/504), ms; Dataverse's is undocumented. @defaultValue 200 */
    webhookRetryDelayMs: z.number().int().min(0).default(200),
  })
  .strict();

export type DynamicsSettings = z.infer<typeof dynamicsSettingsSchema>;
