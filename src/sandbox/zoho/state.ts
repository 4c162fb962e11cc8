// Types shared by the Zoho sandbox's API areas: one org = one Zoho CRM organization living in one data
// centre (a setting), with its own users, records, credits and watch channels. The OAuth client is one
// for the whole server (a multi-DC client), installed in every org.
import crypto from 'node:crypto';
import { type SandboxOrg, type SandboxServer } from '../core';
import { type BulkReadJob } from './bulk-read';
import { type BulkFile, type BulkWriteJob } from './bulk-write';
import { type OrgLimits } from './limits';
import { type WatchChannels } from './notifications';
import { type PageTokens } from './paging';
import { type ZohoSettings } from './settings';
import { type OrgStore } from './store';

export interface ZohoOrgState {
  /** The CRM org id (`GET /org` → `id`), a numeric string. */
  orgId: string;
  /**
   * A never-expiring access token of the admin user on the org's own DC (demo credentials, bench): the
   * sandbox's stand-in for a self-client token. OAuth-issued tokens work alongside it.
   */
  demoToken: string;
  /** The admin user every sandbox token acts as. */
  userId: string;
  store: OrgStore;
  settings: ZohoSettings;
  limits: OrgLimits;
  pageTokens: PageTokens;
  watch: WatchChannels;
  bulkReads: Map<string, BulkReadJob>;
  /** Bulk Write uploads by `file_id`, and the jobs made of them: the org's own. */
  bulkFiles: Map<string, BulkFile>;
  bulkWrites: Map<string, BulkWriteJob>;
}

export type ZohoOrg = SandboxOrg<ZohoOrgState, never>;
export type ZohoServer = SandboxServer<ZohoOrgState, never>;

function digest(text: string): Buffer {
  return crypto.createHash('sha256').update(text).digest();
}

/** Seven digits (no leading zero) stable per org: the first part of every id the org hands out. */
export function idPrefixFor(orgId: string): string {
  return String(1_000_000 + (digest(`zoho-org:${orgId}`).readUInt32BE(0) % 8_999_999));
}

/** The org's CRM id: its prefix and a fixed tail, like Zoho's own org ids. */
export function crmOrgIdFor(orgId: string): string {
  return `${idPrefixFor(orgId)}00`;
}

/** The org's demo access token, stable per org so printed credentials survive restarts. */
export function demoTokenFor(orgId: string): string {
  const hex = digest(`zoho-demo-token:${orgId}`).toString('hex');
  return `1000.${hex.slice(0, 32)}.${hex.slice(32, 64)}`;
}
