// Types shared by the Pipedrive sandbox's API areas: one org = one Pipedrive company (its own domain,
// budget, custom field keys and users). The OAuth app is one for the whole server, installed in every company.
import crypto from 'node:crypto';
import { type SandboxOrg, type SandboxServer } from '../core';
import { type CompanyLimits } from './limits';
import { type PipedriveSettings } from './settings';
import { type CompanyStore } from './store';
import { type WebhookRegistry } from './webhook-registry';

export interface PipedriveOrgState {
  companyId: number;
  /** `<domain>.pipedrive.com`; in the sandbox the path prefix `/c/<domain>`. */
  companyDomain: string;
  /** The admin user's API token (`x-api-token`), printed by `npm run sandbox`. */
  apiToken: string;
  /** The user the API token belongs to. */
  userId: number;
  store: CompanyStore;
  settings: PipedriveSettings;
  limits: CompanyLimits;
  webhooks: WebhookRegistry;
}

/** One payload, ready but for its attempt counter (set per delivery attempt). */
export interface PipedriveWebhookEvent {
  version: '1.0' | '2.0';
  payload: Record<string, unknown>;
}

export type PipedriveOrg = SandboxOrg<PipedriveOrgState, PipedriveWebhookEvent>;
export type PipedriveServer = SandboxServer<PipedriveOrgState, PipedriveWebhookEvent>;

function digest(text: string): Buffer {
  return crypto.createHash('sha256').update(text).digest();
}

export function companyIdFor(orgId: string): number {
  return 10_000_000 + (digest(`company:${orgId}`).readUInt32BE(0) % 89_999_999);
}

export function companyDomainFor(orgId: string): string {
  const slug = orgId
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 30);
  return `${slug || 'company'}-sandbox`;
}

/** A 40-hex API token, stable per org so demo credentials survive restarts. */
export function apiTokenFor(orgId: string): string {
  return digest(`api-token:${orgId}`).toString('hex').slice(0, 40);
}
