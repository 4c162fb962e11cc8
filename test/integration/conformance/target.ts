import { type CrmKind } from '../../../src/connectors/registry';
import { type CallPriority } from '../../../src/connectors/http/http.types';
import { type RetryPolicyOptions } from '../../../src/connectors/http/retry-policy';
import { type CrmConnector, type CrmObject, type NativeValue } from '../../../src/connectors/types';
import { type RequestLogEntry } from '../../../src/sandbox/core';

/**
 * What a connector supplies so that the one conformance suite (`suite.ts`, `describeConformance`) runs
 * against its vendor's sandbox: how to start the sandbox with a connection on it, how to seed, inspect
 * and count through the sandbox (its admin API and store, never our own code), and the few knobs where
 * vendors differ. Each CRM's conformance test file calls `describeConformance(itsTarget)` and keeps its
 * vendor-only cases next to it; `targets.ts` lists the targets and `conformance.test.ts` fails when a
 * registered connector has none.
 */
export interface ConformanceTarget<S extends ConformanceSandbox = ConformanceSandbox> {
  crm: CrmKind;
  /** Starts a sandbox account seeded with `counts`, and a connection on it built the way production builds one. */
  start(options: ConformanceStart): Promise<S>;
  /** `METHOD route` keys, as the sandbox request log writes them. */
  routes: {
    /** The bulk read by id (`getRecords`). */
    bulkRead(obj: CrmObject): RegExp;
    /** The bulk write (`upsertRecords`). */
    bulkWrite(obj: CrmObject): RegExp;
    /** The batched association read (`getAssociations`). */
    associations(from: CrmObject, to: CrmObject): RegExp;
    /** The token endpoint (refresh, client credentials). */
    token: RegExp;
    /**
     * The call an upsert by external id makes first to find an earlier attempt's record, for a vendor
     * with no upsert of its own (Pipedrive searches the key). Absent: the upsert is the write alone.
     */
    keyLookup?: RegExp;
  };
  /**
   * Vendor calls one page of a filtered list takes where the filter goes through a search that
   * answers ids, and a read by ids then fetches the records (Pipedrive).
   * @defaultValue 1
   */
  filteredPageCalls?: number;
  /**
   * Vendor calls `getAssociations(from, n ids, to)` takes, where the vendor has no batch read that
   * direction (Pipedrive lists the deals of one person per call).
   * @defaultValue ⌈n / readBatch⌉
   */
  associationCalls?(from: CrmObject, to: CrmObject, n: number, readBatch: number): number;
  /**
   * A deal has one contact at most (Pipedrive's `person_id`): the association cases link each deal
   * to one contact instead of many.
   * @defaultValue false
   */
  oneContactPerDeal?: boolean;
  samples: ConformanceSamples;
  /**
   * How far before `since` a change feed may legitimately reach (Salesforce compares whole seconds,
   * HubSpot's search overlaps the previous poll for index lag). What `listChanges(since)` returns must
   * lie between "everything changed after `since`" and "everything changed after `since − lookbackMs`".
   */
  changesLookbackMs: number;
  /**
   * How long the vendor keeps deleted records visible to a change feed (Salesforce's Recycle Bin 15
   * days, HubSpot's recycling bin 90): `listChanges` since further back must ask for a full reconcile.
   */
  changesWindowMs: number;
  /**
   * The resolution of the vendor's modification stamps: a change made at `t` reads as made at `t`
   * rounded down to it. Dataverse's `modifiedon` carries whole seconds (1000).
   * @defaultValue 1 (milliseconds, as Salesforce and HubSpot report them)
   */
  stampResolutionMs?: number;
  /** Limit storms the connector must survive; each runs as its own case. */
  storms: readonly StormCase<S>[];
  /**
   * The ways `exportRecords` can run, each selected by connection settings (a bulk export job from a
   * size on, made small here so a small sandbox reaches it); the export case runs once per entry.
   * Absent: once, with the target's own settings.
   */
  exportPaths?: readonly { name: string; settings: Record<string, unknown> }[];
  /** Lifts every limit the sandbox account enforces, for cases about something else (paging one by one). */
  unthrottle(sb: S): Promise<void>;
  /** The vendor budget whose size the response headers report, and how to make the sandbox report a smaller one. */
  allocation: {
    /** Name of the declared budget (`CRMS[crm].budgets`) the headers correct. */
    budget: string;
    /** Makes the sandbox account's allocation `perWindow` calls for that budget's window. */
    set(sb: S, perWindow: number): Promise<void>;
    /**
     * Whether the headers state the allocation's size as well as what is left of it. Dataverse's state
     * only what is left (`x-ms-ratelimit-burst-remaining-xrm-requests`) of an allocation it documents as
     * fixed, so no header can teach the budget a smaller one: the case then starts the connection with a
     * figure of its own (`settings.budgets`, as an operator sets it) larger than the sandbox's, and the
     * remaining header must bring the budget down to what the vendor has left.
     * @defaultValue true
     */
    limitStated?: boolean;
    /**
     * Whether any header states the allocation at all. A vendor whose headers say nothing (Zoho's
     * credits): the case starts the connection with the operator's figure (`settings.budgets`) equal to
     * the sandbox's allocation, and the budget must keep the connection under it.
     * @defaultValue true
     */
    headers?: boolean;
  };
}

export interface ConformanceStart {
  counts: Record<CrmObject, number>;
  /** Retry-policy overrides for the connection's HTTP client (short waits in tests). */
  retry?: Partial<RetryPolicyOptions>;
  /** Connection settings (budget overrides…) on top of what the target sets. */
  settings?: Record<string, unknown>;
}

export interface ConformanceSamples {
  /** Native fields of a valid new record; `n` makes values unique. */
  newRecord(obj: CrmObject, n: number): Record<string, NativeValue>;
  /** Native fields the vendor rejects per record (VALIDATION); `undefined`: the vendor has no such case here. */
  invalidRecord(obj: CrmObject, n: number): Record<string, NativeValue> | undefined;
  /** The vendor's error code for `invalidRecord('contact')` (an invalid email). */
  invalidContactCode: string;
  /** A native field and value for the update round trip. */
  update(obj: CrmObject): { field: string; value: NativeValue };
  /** A well-formed id that names no record. */
  unknownId(obj: CrmObject): string;
  /** The contact's email field (native name) and the type `describeFields` reports for it. */
  email: { field: string; type: string };
  /** A unique custom contact field upserts are keyed by (an external id). */
  contactExternalId: string;
  /** A custom number field of contacts, its described type and a value it takes, and a custom picklist. */
  custom: { field: string; type: string; value: NativeValue; picklist: string };
}

/** One way of making the vendor refuse calls for a while. */
export interface StormCase<S extends ConformanceSandbox = ConformanceSandbox> {
  name: string;
  /** HTTP status of the vendor's refusals (Salesforce 403 REQUEST_LIMIT_EXCEEDED, HubSpot 429). */
  status: number;
  /**
   * Whether every refusal tells the caller a wait (a `Retry-After`, or a budget signal the retry policy
   * attaches its wait to): then `retryAfterMs` must be > 0, not merely present.
   */
  waitTold: boolean;
  retry?: Partial<RetryPolicyOptions>;
  /** Starts the storm; it must end by itself within about `ms`. */
  start(sb: S, ms: number): Promise<void>;
}

/** A running sandbox account with a connection on it. */
export interface ConformanceSandbox {
  /** A connector on the sandbox connection through the registry; one per request or job, as in production. */
  connector(priority?: CallPriority): CrmConnector;
  /** Vendor calls logged by the sandbox since the last `clearLog` whose `METHOD route` matches. */
  calls(route: RegExp): number;
  clearLog(): void;
  /** The sandbox's request log since the last `clearLog`, oldest first. */
  log(): RequestLogEntry[];
  /** Vendor truth: ids of live records, in the vendor's order. */
  liveIds(obj: CrmObject): string[];
  /** Vendor truth: ids of soft-deleted/archived records the vendor still lists when asked for them. */
  deletedIds(obj: CrmObject): string[];
  /** Creates records as a CRM user, every one stamped at the instant `at` (sandbox epoch ms). */
  createAt(obj: CrmObject, rows: Record<string, NativeValue>[], at: number): string[];
  /** Deletes a record as a CRM user at `at`. */
  deleteAt(obj: CrmObject, id: string, at: number): void;
  /** Vendor truth: live records last modified, and records deleted, strictly after `after` (epoch ms). */
  changedAfter(obj: CrmObject, after: number): { upserted: string[]; deleted: string[] };
  /** Associates a contact with a deal as a CRM user. */
  associate(contactId: string, dealId: string): void;
  /** Vendor truth: the ids of `to` records associated with `id`. */
  associated(from: CrmObject, id: string, to: CrmObject): string[];
  /** Vendor truth: a field's stored value. */
  field(obj: CrmObject, id: string, name: string): unknown;
  /** The sandbox clock (epoch ms). */
  now(): number;
  setFaults(patch: Record<string, unknown>): Promise<void>;
  /** Sandbox account settings (allocations, limits…), through the admin API. */
  setSettings(patch: Record<string, unknown>): Promise<void>;
  /** Every access token of the account expires now. */
  expireAccessTokens(): Promise<void>;
  /** Every refresh token of the account is revoked. */
  revokeRefreshTokens(): Promise<void>;
  /** The connection's status in the gateway's store. */
  connectionStatus(): Promise<string>;
  /** The connection's id in the gateway's store. */
  connectionId: string;
  /** `connectionEvents` the token service published. */
  events: { connectionId: string; status: string }[];
  close(): Promise<void>;
}
