import { dynamicsDeclaration } from './declaration';
import { dynamicsMapping } from './default-mapping';
import { dynamicsHooks } from './hooks';
import { dynamicsOAuth, dynamicsTokens } from './tokens';

/**
 * Dynamics 365 (Dataverse Web API), as the framework will see it. NOT registered in
 * `src/connectors/registry.ts` yet: registering makes every shared suite run against it, and the
 * connector does not yet implement the whole interface (issue 19). Until then its parts are exported
 * here for the connector's own tests; `dynamics.connector.ts` builds the connector from a context.
 */
export const dynamicsParts = {
  declaration: dynamicsDeclaration,
  hooks: dynamicsHooks,
  defaultMapping: dynamicsMapping,
  tokens: dynamicsTokens,
  oauth: dynamicsOAuth,
} as const;
