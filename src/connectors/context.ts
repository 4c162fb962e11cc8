import type Redis from 'ioredis';
import { crmDeclaration } from '../config/crms';
import { type Logger } from '../logger';
import { RedisBudgetGate } from '../ratelimit/budget-gate';
import { type OperationDeadline } from './http/deadline';
import { defaultHooks } from './http/hooks';
import { type CallPriority, type HttpTransport, type TokenAccess } from './http/http.types';
import { type RetryPolicyOptions } from './http/retry-policy';
import { VendorHttpClient } from './http/vendor-client';
import { budgetRefusalRecorder, budgetRemainingRecorder, recordVendorCall } from './metrics';
import { connectorRegistration, createConnector } from './registry';
import { type VendorUrlPolicy, resolveVendorHosts } from './ssrf';
import { type ConnectionInfo, type ConnectorContext, type CrmConnector, type ReadFields } from './types';

/** What every connector context of a process is built from (the lead builds one per process). */
export interface ConnectorDeps {
  redis: Redis;
  /** REDIS_PREFIX. */
  prefix: string;
  /** Token access per connection (`TokenService.forConnection`). */
  tokensFor: (connectionId: string) => TokenAccess;
  policy: VendorUrlPolicy;
  logger: Logger;
  /** Tests point this at a sandbox or nock; default: fetch. */
  transport?: HttpTransport;
  retry?: Partial<RetryPolicyOptions>;
}

/** What one caller adds to the process-wide deps. */
export interface ConnectorCallOptions {
  /** The GraphQL operation's deadline: reaches every vendor call of the connector (abort signal). */
  deadline?: OperationDeadline;
  /** Fields the read path needs read beyond the connector's own (`ConnectorContext.readFields`). */
  readFields?: ReadFields;
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
  // Throws naming the declared kinds when the stored kind is not one of them.
  const decl = crmDeclaration(connection.crm);
  const info = { ...connection } as ConnectionInfo;
  const hosts = resolveVendorHosts(decl, info.vendorUrls, deps.policy, info.id);
  const tokens = deps.tokensFor(info.id);
  const budget = new RedisBudgetGate({
    redis: deps.redis,
    prefix: deps.prefix,
    connection: info,
    budgets: decl.budgets,
    onRemaining: budgetRemainingRecorder(info.crm, info.id),
    onRefused: budgetRefusalRecorder(info.crm, info.id),
  });
  const http = new VendorHttpClient({
    crm: info.crm,
    connectionId: info.id,
    baseUrl: hosts.api ?? undefined,
    transport: deps.transport,
    hooks: {
      // The budgets' reset headers tell `isRateLimited` how long a refusal lasts.
      ...defaultHooks({
        authScheme: decl.authScheme,
        requestIdHeader: decl.requestIdHeader,
        budgets: decl.budgets,
      }),
      ...connectorRegistration(info.crm).hooks,
    },
    tokens,
    budget,
    priority,
    retry: deps.retry,
    deadline: call.deadline,
    onCall: recordVendorCall,
  });
  return {
    connection: info,
    http,
    tokens,
    budget,
    logger: deps.logger.child({ crm: info.crm, connectionId: info.id }),
    priority,
    ...(call.readFields ? { readFields: call.readFields } : {}),
  };
}

/** The connector of `connection` for one request or job. */
export function connectorFor(
  connection: ConnectionLike,
  priority: CallPriority,
  deps: ConnectorDeps,
  call: ConnectorCallOptions = {},
): CrmConnector {
  return createConnector(createConnectorContext(connection, priority, deps, call));
}
