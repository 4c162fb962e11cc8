// The company's webhooks (docs/vendors/pipedrive.md "Webhooks"): rows created through `POST /v1/webhooks`
// plus the sandbox admin target, each with its own delivery queue, retry schedule and ban counter:
// every failed first attempt counts, and the tenth bans the webhook for 30 minutes (events meanwhile
// are lost) and starts the count again.
import { WebhookDispatcher, type WebhookTarget } from '../core';
import { WEBHOOK } from './constants';
import { type PipedriveOrg, type PipedriveWebhookEvent } from './state';
import { webhookTransport } from './webhook-transport';

export interface WebhookRow {
  id: number;
  company_id: number;
  owner_id: number;
  user_id: number;
  event_action: string;
  event_object: string;
  subscription_url: string;
  version: '1.0' | '2.0';
  is_active: number;
  add_time: string;
  remove_time: string | null;
  type: 'general';
  http_auth_user: string | null;
  http_auth_password: string | null;
  remove_reason: string | null;
  last_delivery_time: string | null;
  last_http_status: number | null;
  admin_id: number;
  name: string;
}

export interface HookEntry {
  row: WebhookRow;
  dispatcher: WebhookDispatcher<PipedriveWebhookEvent>;
  firstAttemptFailures: number;
  bannedUntil: number;
}

/** Id of the pseudo-webhook the sandbox admin target stands for. */
export const ADMIN_HOOK_ID = 0;

export class WebhookRegistry {
  readonly hooks = new Map<number, HookEntry>();
  private nextId = 1;

  constructor(private readonly org: () => PipedriveOrg) {}

  add(row: Omit<WebhookRow, 'id'>): HookEntry {
    const org = this.org();
    const full = { ...row, id: this.nextId++ };
    const dispatcher = new WebhookDispatcher(webhookTransport(), org.faults, () => org.now());
    dispatcher.target = targetOf(full);
    const entry: HookEntry = { row: full, dispatcher, firstAttemptFailures: 0, bannedUntil: 0 };
    applyPolicy(dispatcher, org, entry);
    this.hooks.set(full.id, entry);
    return entry;
  }

  remove(id: number): boolean {
    const entry = this.hooks.get(id);
    if (!entry) return false;
    this.hooks.delete(id);
    // A deleted webhook gets nothing more, retries included.
    void entry.dispatcher.cancel();
    return true;
  }

  /** Every entry events go to: the rows, and the admin target while one is set. */
  entries(): HookEntry[] {
    const org = this.org();
    const out = [...this.hooks.values()];
    if (org.webhooks?.target) out.push(this.adminEntry(org));
    return out;
  }

  private admin: HookEntry | null = null;

  private adminEntry(org: PipedriveOrg): HookEntry {
    const dispatcher = org.webhooks as WebhookDispatcher<PipedriveWebhookEvent>;
    const target = dispatcher.target as WebhookTarget;
    const version = org.state.settings.adminWebhookVersion;
    if (!this.admin || this.admin.dispatcher !== dispatcher) {
      this.admin = {
        row: adminRow(org, target.url, version),
        dispatcher,
        firstAttemptFailures: 0,
        bannedUntil: 0,
      };
      applyPolicy(dispatcher, org, this.admin);
    }
    this.admin.row.subscription_url = target.url;
    this.admin.row.version = version;
    return this.admin;
  }

  async settle(cancel: boolean): Promise<void> {
    await Promise.all(
      [...this.hooks.values()].map((e) => (cancel ? e.dispatcher.cancel() : e.dispatcher.idle())),
    );
  }
}

function adminRow(org: PipedriveOrg, url: string, version: '1.0' | '2.0'): WebhookRow {
  return {
    id: ADMIN_HOOK_ID,
    company_id: org.state.companyId,
    owner_id: org.state.userId,
    user_id: org.state.userId,
    event_action: '*',
    event_object: '*',
    subscription_url: url,
    version,
    is_active: 1,
    add_time: new Date(org.now()).toISOString(),
    remove_time: null,
    type: 'general',
    http_auth_user: null,
    http_auth_password: null,
    remove_reason: null,
    last_delivery_time: null,
    last_http_status: null,
    admin_id: org.state.userId,
    name: 'sandbox admin target',
  };
}

export function targetOf(row: WebhookRow): WebhookTarget {
  return {
    url: row.subscription_url,
    settings: row.http_auth_user
      ? { basicAuth: { user: row.http_auth_user, password: row.http_auth_password ?? '' } }
      : {},
  };
}

/** The documented schedule (or the org's shortened one) and the ban counter, per webhook. */
function applyPolicy(
  dispatcher: WebhookDispatcher<PipedriveWebhookEvent>,
  org: PipedriveOrg,
  entry: HookEntry,
): void {
  dispatcher.retryPolicy = {
    retries: WEBHOOK.retryScheduleMs.length,
    retryDelay: (retry) => org.state.settings.webhookRetryScheduleMs[retry - 1] ?? 0,
  };
  dispatcher.onAttempt = (attempt, status) => {
    const now = org.now();
    entry.row.last_delivery_time = new Date(now).toISOString();
    entry.row.last_http_status = status;
    if (attempt !== 1 || (status >= 200 && status < 300)) return;
    entry.firstAttemptFailures++;
    if (entry.firstAttemptFailures >= WEBHOOK.banAfterFirstAttemptFailures) {
      entry.bannedUntil = now + WEBHOOK.banMs;
      entry.firstAttemptFailures = 0;
    }
  };
}
