import { type CrmKind, crmDeclaration, isCrmKind, CRM_KINDS } from '../config/crms';
import { type VendorHooks } from './http/hooks';
import { createHubSpotConnector } from './hubspot/hubspot.connector';
import { salesforceHooks } from './salesforce/auth';
import { createSalesforceConnector } from './salesforce/salesforce.connector';
import { type ConnectorContext, type ConnectorFactory, type CrmConnector } from './types';

/**
 * crm kind → connector: the one registration point. Everything that needs "the connector of this
 * connection" comes here (through `context.ts`) instead of switching on the kind.
 *
 * A connector issue adds one entry, e.g.
 *   salesforce: { create: createSalesforceConnector, hooks: salesforceHooks },
 * `test/unit/config/crms.test.ts` fails while a declared CRM has no entry, and
 * `test/integration/conformance/` runs the shared suite for every entry.
 */
export interface ConnectorRegistration {
  create: ConnectorFactory;
  /** Where this vendor's HTTP differs from the defaults (`http/hooks.ts`): only those hooks. */
  hooks?: Partial<VendorHooks>;
}

const REGISTRY: Partial<Record<CrmKind, ConnectorRegistration>> = {
  salesforce: { create: createSalesforceConnector, hooks: salesforceHooks },
  // HubSpot speaks plain HTTP statuses and the default 429 handling fits it: no hook overrides.
  hubspot: { create: createHubSpotConnector },
};

/** The CRMs that have a connector, in declaration order. */
export function registeredCrms(): CrmKind[] {
  return CRM_KINDS.filter((kind) => REGISTRY[kind] !== undefined);
}

export function hasConnector(kind: string): kind is CrmKind {
  return isCrmKind(kind) && REGISTRY[kind] !== undefined;
}

/** The registration of `kind`; throws naming the registered kinds when there is none. */
export function connectorRegistration(kind: string): ConnectorRegistration {
  crmDeclaration(kind);
  const entry = isCrmKind(kind) ? REGISTRY[kind] : undefined;
  if (!entry) {
    const known = registeredCrms();
    throw new Error(
      `no connector registered for CRM ${JSON.stringify(kind)}: registered are ${known.length ? known.join(', ') : '(none yet)'}`,
    );
  }
  return entry;
}

export function createConnector(ctx: ConnectorContext): CrmConnector {
  return connectorRegistration(ctx.connection.crm).create(ctx);
}
