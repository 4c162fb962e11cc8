import { type ConcurrencyGate } from '../ratelimit/concurrency-gate';
import { type BudgetDeclaration, type CrmDeclaration } from '../config/crms';
import { type CrmDefinition } from './definition';
import { type OperationDeadline } from '../vendor-calls/deadline';
import { type VendorHooks, defaultHooks } from './http/hooks';
import { type BudgetGate, type CallPriority, type HttpTransport, type TokenAccess } from './http/http.types';
import { type RetryPolicyOptions } from './http/retry-policy';
import { VendorHttpClient } from './http/vendor-client';
import { recordVendorCall } from './metrics';
import { type CrmKind, crmDefinition } from './registry';
import { type VendorUrlPolicy, resolveVendorHosts } from './ssrf';
import { type OAuthApp, OAuth2Client } from './tokens/oauth2-client';

/**
 * "Look up the CRM → check the connection's vendor hosts → build a client" in one place: the connector
 * context, identify, connect, the OAuth routes and the token refresher all reach a vendor through here.
 */
export interface VendorAccess {
  kind: CrmKind;
  definition: CrmDefinition;
  declaration: CrmDeclaration;
  /** The connection's vendor hosts, checked by the SSRF guard. */
  hosts: { auth: string; api: string | null };
  /** The vendor URL overrides the hosts were resolved from. */
  vendorUrls: Readonly<Record<string, string>>;
}

export interface VendorAccessRequest {
  crm: string;
  vendorUrls: Readonly<Record<string, string>>;
  policy: VendorUrlPolicy;
  /**
   * The connection whose stored URLs these are: a refusal is then the operator's (the policy changed
   * since), not the caller's (`resolveVendorHosts`).
   */
  storedFor?: string;
}

/** The CRM's definition and the connection's checked hosts; throws naming the known kinds on an unknown one. */
export function vendorAccess(request: VendorAccessRequest): VendorAccess {
  const definition = crmDefinition(request.crm);
  const declaration = definition.declaration;
  const hosts = resolveVendorHosts(declaration, request.vendorUrls, request.policy, request.storedFor);
  return { kind: request.crm as CrmKind, definition, declaration, hosts, vendorUrls: request.vendorUrls };
}

/**
 * The shared client's hooks for a CRM: the defaults for its auth scheme and request-id header, with its
 * own overrides on top. `budgets` (the declaration's) let `isRateLimited` read how long a refusal lasts.
 */
export function vendorHooks(definition: CrmDefinition, budgets?: readonly BudgetDeclaration[]): VendorHooks {
  const decl = definition.declaration;
  return {
    ...defaultHooks({
      authScheme: decl.authScheme,
      requestIdHeader: decl.requestIdHeader,
      budgets,
      isBudgetExhausted: definition.hooks?.isBudgetExhausted,
    }),
    ...definition.hooks,
  };
}

export interface VendorClientOptions {
  tokens: TokenAccess;
  priority: CallPriority;
  connectionId?: string;
  /** Absent: unmetered (learning the account a credential belongs to, before the connection exists). */
  budget?: BudgetGate;
  /** The vendor's concurrent-request limit (`declaration.concurrentRequests`), where it has one. */
  concurrency?: ConcurrencyGate;
  transport?: HttpTransport;
  retry?: Partial<RetryPolicyOptions>;
  deadline?: OperationDeadline;
  timeoutMs?: number;
}

/** The shared HTTP client for one connection of the CRM, at its checked API host. */
export function vendorClient(access: VendorAccess, options: VendorClientOptions): VendorHttpClient {
  const decl = access.declaration;
  return new VendorHttpClient({
    crm: decl.kind,
    connectionId: options.connectionId,
    baseUrl: access.hosts.api ?? undefined,
    transport: options.transport,
    // A metered client reads its budgets' reset headers to tell how long a refusal lasts.
    hooks: vendorHooks(access.definition, options.budget ? decl.budgets : undefined),
    tokens: options.tokens,
    budget: options.budget,
    concurrency: options.concurrency,
    priority: options.priority,
    retry: options.retry,
    deadline: options.deadline,
    timeoutMs: options.timeoutMs,
    onCall: recordVendorCall,
  });
}

/** The OAuth client of the CRM for one connection (its checked hosts and stored URLs) and one app. */
export function oauthClient(
  access: VendorAccess,
  app: OAuthApp,
  options: { policy: VendorUrlPolicy; transport?: HttpTransport },
): OAuth2Client {
  return new OAuth2Client({
    definition: access.definition,
    hosts: access.hosts,
    vendorUrls: access.vendorUrls,
    app,
    policy: options.policy,
    transport: options.transport,
  });
}
