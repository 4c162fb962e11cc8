import { z } from 'zod';
import { BULK_WRITE, DC_IDS, EDITIONS, OAUTH, type DcId, type Edition } from './constants';

/**
 * Per-org settings (`OrgOptions.settings`, `PATCH /__sandbox/orgs/:org/settings`). Defaults are the
 * documented figures (docs/vendors/zoho.md); behaviours the docs leave open are switches marked
 * UNVERIFIED so a test can flip them once the truth is known.
 */
export const zohoSettingsSchema = z
  .object({
    /**
     * The data centre the org's account lives in. The default is the EU, not the US: a client that
     * assumes the US data centre fails against the sandbox at once. @defaultValue 'eu'
     */
    dc: z.enum(DC_IDS as [DcId, ...DcId[]]).default('eu'),
    /** CRM edition: sets the credit formula and the concurrency limit. @defaultValue 'enterprise' */
    edition: z.enum(Object.keys(EDITIONS) as [Edition, ...Edition[]]).default('enterprise'),
    /** Paid user licences; the 24-hour credit allowance grows with them. @defaultValue 10 */
    licences: z.number().int().min(1).default(10),
    /** Purchased add-on credits, on top of the edition's allowance (still capped). @defaultValue 0 */
    addOnCredits: z.number().int().min(0).default(0),
    /** Overrides the computed 24-hour credit allowance (bench, tests). @defaultValue null */
    creditLimit: z.number().int().min(1).nullable().default(null),
    /** Overrides the edition's concurrency limit (tests). @defaultValue null */
    concurrencyLimit: z.number().int().min(1).nullable().default(null),
    /** `expires_in` of access tokens, in seconds. @defaultValue 3600 */
    accessTokenTtlSeconds: z.number().int().min(1).default(OAUTH.accessTokenTtlSeconds),
    /**
     * How long a `page_token` stays usable (UNVERIFIED: the responses carry `page_token_expiry`, the
     * docs seen give no figure; one day is assumed). @defaultValue 86_400_000
     */
    pageTokenTtlMs: z
      .number()
      .int()
      .min(1000)
      .default(24 * 3600_000),
    /**
     * The `error` a code exchanged at another DC's accounts server gets (UNVERIFIED; third-party reports
     * show `invalid_client`). @defaultValue 'invalid_client'
     */
    wrongDcCodeError: z.enum(['invalid_client', 'invalid_code']).default('invalid_client'),
    /**
     * `channel_expiry` of a watch channel subscribed without one, in ms (the docs say one hour; issue 21
     * asks for one day). @defaultValue 86_400_000
     */
    channelExpiryMs: z
      .number()
      .int()
      .min(1000)
      .default(24 * 3600_000),
    /**
     * The furthest `channel_expiry` a subscription may ask for, in ms (the docs differ by version: one
     * day or one week; the sandbox takes the longer). @defaultValue 604_800_000
     */
    channelMaxExpiryMs: z
      .number()
      .int()
      .min(1000)
      .default(7 * 24 * 3600_000),
    /**
     * Sends `X-RATELIMIT-LIMIT`, `-REMAINING` and `-RESET` (seconds) on every API answer. UNVERIFIED:
     * only third-party specs list these headers, Zoho's v8 pages do not, so they are off and the
     * connector reads none (docs/vendors/zoho.md "Rate limits"). @defaultValue false
     */
    rateLimitHeaders: z.boolean().default(false),
    /**
     * How long a Bulk Read job takes on the org's clock before it is COMPLETED (0: at once). UNVERIFIED:
     * real jobs take seconds to minutes. @defaultValue 1000
     */
    bulkReadMs: z.number().int().min(0).default(1000),
    /**
     * How long a Bulk Write job takes on the org's clock: ADDED for the first half, IN PROGRESS for the
     * second, then COMPLETED (0: at once). UNVERIFIED: real jobs take seconds to minutes. @defaultValue 2000
     */
    bulkWriteMs: z.number().int().min(0).default(2000),
    /** Records one Bulk Write file may hold (docs/vendors/zoho.md "Bulk Write"). @defaultValue 25_000 */
    bulkWriteMaxRows: z.number().int().min(1).default(BULK_WRITE.maxRows),
    /**
     * Bytes a Bulk Write upload, and the CSV inside it, may hold (docs/vendors/zoho.md "Bulk Write": 25 MB).
     * @defaultValue 26_214_400
     */
    bulkWriteMaxFileBytes: z
      .number()
      .int()
      .min(1)
      .max(BULK_WRITE.maxFileBytes)
      .default(BULK_WRITE.maxFileBytes),
  })
  .strict();

export type ZohoSettings = z.infer<typeof zohoSettingsSchema>;

/** The org's credits per rolling 24 hours: base + licences × per-licence + add-ons, capped by the edition. */
export function creditAllowance(settings: ZohoSettings): number {
  if (settings.creditLimit !== null) return settings.creditLimit;
  const e = EDITIONS[settings.edition];
  return Math.min(e.max, e.base + settings.licences * e.perLicence + settings.addOnCredits);
}

export function concurrencyLimit(settings: ZohoSettings): number {
  return settings.concurrencyLimit ?? EDITIONS[settings.edition].concurrency;
}
