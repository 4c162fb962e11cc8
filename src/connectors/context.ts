import { type RedisClient } from '../redis/client';
import { type Logger } from '../logger';
import { type BatchKind } from '../config/crms';
import {
  type BudgetHeadroom,
  type BudgetReading,
  RedisBudgetGate,
  scopeIdOf,
} from '../ratelimit/budget-gate';
import { type BudgetLeases } from '../ratelimit/budget-lease';
import { ConcurrencyGate } from '../ratelimit/concurrency-gate';
import { type OperationDeadline } from '../vendor-calls/deadline';
import { type CallPriority, type HttpTransport, type TokenAccess } from './http/http.types';
import { type RetryPolicyOptions } from './http/retry-policy';
import { budgetRefusalRecorder, budgetRemainingRecorder } from './metrics';
import { type VendorUrlPolicy } from './ssrf';
import {
  type ConnectionInfo,
  type ConnectorContext,
  type CrmConnector,
  type CrmObject,
  type ReadFields,
} from './types';
import { type VendorAccess, vendorAccess, vendorClient } from './vendor-access';

/** What every connector context of a process is built from (one per process). */
export interface ConnectorDeps {
  redis: RedisClient;
  /** REDIS_PREFIX. */
  prefix: string;
  /** Token access per connection (`TokenService.forConnection`). */
  tokensFor: (connectionId: string) => TokenAccess;
  policy: VendorUrlPolicy;
  logger: Logger;
  /** Tests point this at a sandbox or nock; default: fetch. */
  transport?: HttpTransport;
  retry?: Partial<RetryPolicyOptions>;
  /**
   * The process's budget leases (`ratelimit/budget-lease.ts`), spent by interactive calls: a read's
   * calls then pass the budget gate without a Redis round trip each. Background work, which does not
   * wait on a client, takes from the shared count call by call.
   * @defaultValue none: every call takes from the shared count
   */
  leases?: BudgetLeases;
}

/** What one caller adds to the process-wide deps. */
export interface ConnectorCallOptions {
  /** The GraphQL operation's deadline: reaches every vendor call of the connector (abort signal). */
  deadline?: OperationDeadline;
  /** Fields the read path needs read beyond the connector's own (`ConnectorContext.readFields`). */
  readFields?: ReadFields;
  /** Objects the request reads for identity alone (`ConnectorContext.identityOnly`). */
  identityOnly?: readonly CrmObject[];
}

/** A stored connection as the framework needs it (what `ConnectionsRepository` hands out fits). */
export type ConnectionLike = Omit<ConnectionInfo, 'crm'> & { crm: string };

/**
 * Everything a connector gets for one connection and one kind of work: the vendor hosts (overrides
 * re-checked by the SSRF guard at every use, so turning overrides off takes effect at once), the
 * budget gate, token access and the shared HTTP client with the vendor's hooks.
 */
export function createConnectorContext(
  connection: ConnectionLike,
  priority: CallPriority,
  deps: ConnectorDeps,
  call: ConnectorCallOptions = {},
): ConnectorContext {
  return contextFor(connectionAccess(connection, deps), connection, priority, deps, call);
}

/** The CRM of a stored connection (throws naming the declared kinds when it is none) and its checked hosts. */
function connectionAccess(connection: ConnectionLike, deps: ConnectorDeps): VendorAccess {
  return vendorAccess({
    crm: connection.crm,
    vendorUrls: connection.vendorUrls,
    policy: deps.policy,
    storedFor: connection.id,
  });
}

function contextFor(
  access: VendorAccess,
  connection: ConnectionLike,
  priority: CallPriority,
  deps: ConnectorDeps,
  call: ConnectorCallOptions,
): ConnectorContext {
  const info = { ...connection } as ConnectionInfo;
  const tokens = deps.tokensFor(info.id);
  const budget = budgetGateFor(access, info, priority, deps);
  const limit = access.declaration.concurrentRequests;
  // Keyed by whom the vendor counts (the connection unless the declaration says an account and app).
  const scope = access.declaration.concurrencyScope;
  const scopeId = scope ? scopeIdOf(info, scope) : info.id;
  const concurrency = limit
    ? new ConcurrencyGate({ redis: deps.redis, prefix: deps.prefix, crm: info.crm, scopeId, limit })
    : undefined;
  const http = vendorClient(access, {
    connectionId: info.id,
    transport: deps.transport,
    tokens,
    budget,
    concurrency,
    priority,
    retry: deps.retry,
    deadline: call.deadline,
  });
  return {
    connection: info,
    http,
    tokens,
    logger: deps.logger.child({ crm: info.crm, connectionId: info.id }),
    ...(call.readFields ? { readFields: call.readFields } : {}),
    ...(call.identityOnly?.length ? { identityOnly: call.identityOnly } : {}),
  };
}

/** The budget gate of one connection's calls at `priority` (leases for interactive calls only). */
function budgetGateFor(
  access: VendorAccess,
  info: ConnectionInfo,
  priority: CallPriority,
  deps: ConnectorDeps,
): RedisBudgetGate {
  return new RedisBudgetGate({
    redis: deps.redis,
    prefix: deps.prefix,
    connection: info,
    budgets: access.declaration.budgets,
    ...(priority === 'interactive' && deps.leases ? { leases: deps.leases } : {}),
    onRemaining: budgetRemainingRecorder(info.crm, info.id),
    onRefused: budgetRefusalRecorder(info.crm, info.id),
  });
}

/**
 * How many calls of a write batch kind the connection's budgets admit for background work now, priced
 * as the CRM declares that call (`batch.writeEndpoints`); nothing is taken. What the write engine sizes
 * a claim by (docs/writes.md "Budget-sized claims").
 */
export function writeHeadroom(
  connection: ConnectionLike,
  batchKind: BatchKind,
  deps: ConnectorDeps,
): Promise<BudgetHeadroom> {
  const access = connectionAccess(connection, deps);
  const gate = budgetGateFor(access, { ...connection } as ConnectionInfo, 'background', deps);
  return gate.headroom('background', 1, { endpoint: access.declaration.batch.writeEndpoints?.[batchKind] });
}

/** The connection's budgets as they stand now (nothing taken): `Connection.budgets`, budget samples. */
export function budgetReadings(connection: ConnectionLike, deps: ConnectorDeps): Promise<BudgetReading[]> {
  const access = connectionAccess(connection, deps);
  return budgetGateFor(access, { ...connection } as ConnectionInfo, 'background', deps).readings();
}

/** The connector of `connection` for one request or job. */
export function connectorFor(
  connection: ConnectionLike,
  priority: CallPriority,
  deps: ConnectorDeps,
  call: ConnectorCallOptions = {},
): CrmConnector {
  const access = connectionAccess(connection, deps);
  return access.definition.create(contextFor(access, connection, priority, deps, call));
}
