import { JSONObjectScalar } from '../scalars/json-object.scalar';
import { MaxJsonBytes } from '../validation/max-json-bytes';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { Field, InputType } from 'type-graphql';

/** Largest credentials object accepted, serialized: tokens and secrets are small; more is a mistake. */
export const MAX_CREDENTIALS_BYTES = 8192;
/** Largest vendorUrls object: a handful of URLs. */
export const MAX_VENDOR_URLS_BYTES = 4096;
/** Largest settings object: budgets and a few lists of field names (which go into every vendor read). */
export const MAX_SETTINGS_BYTES = 16_384;
/** Longest CRM kind: the declared kinds are short words; the error lists them. */
const MAX_CRM_KIND_LENGTH = 32;

@InputType({
  description: 'Connects a CRM with credentials the operator already has (API token, client credentials).',
})
export class CreateConnectionInput {
  @Field({ description: 'CRM kind; the error for an unknown one lists the supported kinds.' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(MAX_CRM_KIND_LENGTH)
  crm!: string;

  @Field({ description: 'A name for people, e.g. "Acme production org". At most 120 characters.' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(120)
  displayName!: string;

  @Field(() => JSONObjectScalar, {
    description:
      'Write-only: tokens and secrets, in the shape the CRM kind needs. Stored encrypted; never returned, never logged.',
  })
  credentials!: Record<string, unknown>;

  @Field(() => JSONObjectScalar, {
    nullable: true,
    description:
      'Vendor URLs of this connection, `{ "auth": "…", "api": "…" }` (a custom domain of the account, a sandbox). Only hosts of the vendor, or hosts the operator allowlisted.',
  })
  @MaxJsonBytes(MAX_VENDOR_URLS_BYTES)
  vendorUrls?: Record<string, string> | null;

  @Field(() => JSONObjectScalar, {
    nullable: true,
    description:
      'Connector settings (e.g. budgets, extra fields to read); see the README section of the CRM.',
  })
  @MaxJsonBytes(MAX_SETTINGS_BYTES)
  settings?: Record<string, unknown> | null;
}
