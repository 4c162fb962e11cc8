import { z } from 'zod';
import { BASE_DAILY_TOKENS, OAUTH, PLANS, WEBHOOK, type PlanName } from './constants';

/**
 * Per-company settings (`OrgOptions.settings`, `PATCH /__sandbox/orgs/:org/settings`). Defaults are the
 * documented figures (docs/vendors/pipedrive.md); behaviours the docs leave open are switches marked
 * UNVERIFIED so a test can flip them once the truth is known.
 */
export const pipedriveSettingsSchema = z
  .object({
    /** Subscription plan: sets the budget multiplier and the burst limits. @defaultValue 'growth' */
    plan: z.enum(Object.keys(PLANS) as [PlanName, ...PlanName[]]).default('growth'),
    /** Paid seats; the daily token budget scales with them. @defaultValue 5 */
    seats: z.number().int().min(1).default(5),
    /** Overrides the computed daily token budget (bench, tests). @defaultValue null */
    dailyTokenBudget: z.number().int().min(1).nullable().default(null),
    /**
     * Length (ms) of the daily budget's period, which starts at multiples of it on the company's clock;
     * null: the UTC day, reset at midnight. A benchmark scales the day down to measure a daily ceiling in
     * minutes (with `dailyTokenBudget` set to the same allocation per period). @defaultValue null
     */
    dailyWindowMs: z.number().int().min(1000).nullable().default(null),
    /** Overrides the plan's burst limit for both token kinds (bench). @defaultValue null */
    burstLimit: z.number().int().min(1).nullable().default(null),
    /** Search calls per token per 2 s. @defaultValue 10 */
    searchBurst: z.number().int().min(1).default(10),
    /**
     * After this many 429s in a row on one token, answer the Cloudflare-style 403 HTML page instead
     * (UNVERIFIED, seen by some clients); null = never. @defaultValue null
     */
    forbiddenHtmlAfter429s: z.number().int().min(1).nullable().default(null),
    /** Shape of `/oauth/token` errors: Pipedrive's `{success,message,error}` or RFC 6749 (UNVERIFIED). @defaultValue 'pipedrive' */
    oauthErrorShape: z.enum(['pipedrive', 'rfc6749']).default('pipedrive'),
    /** `expires_in` of OAuth access tokens. @defaultValue 3599 */
    accessTokenTtlSeconds: z.number().int().min(1).default(OAUTH.accessTokenTtlSeconds),
    /** Webhook retry delays (ms): the documented 3/30/150 s, shortened by tests. */
    webhookRetryScheduleMs: z
      .array(z.number().int().min(0))
      .length(3)
      .default([...WEBHOOK.retryScheduleMs]),
    /**
     * A deal's contact person (`person_id`) is also one of its participants: setting it adds that person
     * to the participants (UNVERIFIED; the reference's sample deals with a contact person show
     * `participants_count: 1`). @defaultValue true
     */
    primaryIsParticipant: z.boolean().default(true),
    /**
     * Adding a person who already participates in the deal: refused with a 400 (`refuse`) or added a
     * second time (`add`) (UNVERIFIED; the reference says nothing). @defaultValue 'refuse'
     */
    duplicateParticipant: z.enum(['refuse', 'add']).default('refuse'),
    /** Payload version of the sandbox admin webhook target ('2.0' or the legacy '1.0'). @defaultValue '2.0' */
    adminWebhookVersion: z.enum(['1.0', '2.0']).default('2.0'),
  })
  .strict();

export type PipedriveSettings = z.infer<typeof pipedriveSettingsSchema>;

/** The company's daily token budget: 30,000 × plan multiplier × seats, unless overridden. */
export function dailyBudget(settings: PipedriveSettings): number {
  return settings.dailyTokenBudget ?? BASE_DAILY_TOKENS * PLANS[settings.plan].multiplier * settings.seats;
}
