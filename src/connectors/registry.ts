import { type CrmKind, crmDeclaration, isCrmKind, CRM_KINDS } from '../config/crms';
import { createHubSpotConnector } from './hubspot/hubspot.connector';
import { createSalesforceConnector } from './salesforce/salesforce.connector';
import { type ConnectorContext, type ConnectorFactory, type CrmConnector } from './types';

/**
 * crm kind → connector factory: the one registration point. Everything that needs "the connector of
 * this connection" comes here instead of switching on the kind.
 *
 * A connector issue adds one line, e.g. `salesforce: createSalesforceConnector,` (imported from
 * `./salesforce/salesforce.connector`). `test/unit/config/crms.test.ts` fails while a declared CRM has no
 * line here, and `test/integration/conformance/` runs the shared suite for every line.
 */
const FACTORIES: Partial<Record<CrmKind, ConnectorFactory>> = {
  salesforce: createSalesforceConnector,
  hubspot: createHubSpotConnector,
};

/** The CRMs that have a connector, in declaration order. */
export function registeredCrms(): CrmKind[] {
  return CRM_KINDS.filter((kind) => FACTORIES[kind] !== undefined);
}

export function hasConnector(kind: string): kind is CrmKind {
  return isCrmKind(kind) && FACTORIES[kind] !== undefined;
}

/** The factory for `kind`; throws naming the registered kinds when there is none. */
export function connectorFactory(kind: string): ConnectorFactory {
  crmDeclaration(kind);
  const factory = isCrmKind(kind) ? FACTORIES[kind] : undefined;
  if (!factory) {
    const known = registeredCrms();
    throw new Error(
      `no connector registered for CRM ${JSON.stringify(kind)}: registered are ${known.length ? known.join(', ') : '(none yet)'}`,
    );
  }
  return factory;
}

export function createConnector(ctx: ConnectorContext): CrmConnector {
  return connectorFactory(ctx.connection.crm)(ctx);
}
