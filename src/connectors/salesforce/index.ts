import { type CrmDefinition } from '../definition';
import { salesforceDeclaration } from './declaration';
import { salesforceMapping } from './default-mapping';
import { salesforceHooks } from './hooks';
import { createSalesforceConnector } from './salesforce.connector';
import { salesforceRevocation, salesforceTokens } from './tokens';

/** Salesforce, as the framework sees it (listed in `src/connectors/registry.ts`). */
export const salesforce: CrmDefinition = {
  declaration: salesforceDeclaration,
  create: createSalesforceConnector,
  hooks: salesforceHooks,
  defaultMapping: salesforceMapping,
  tokens: salesforceTokens,
  revocation: salesforceRevocation,
};
