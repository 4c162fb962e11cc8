import { type CrmDefinition } from '../definition';
import { dynamicsDeclaration } from './declaration';
import { dynamicsMapping } from './default-mapping';
import { createDynamicsConnector } from './dynamics.connector';
import { dynamicsHooks } from './hooks';
import { dynamicsOAuth, dynamicsTokens } from './tokens';
import { dynamicsWebhookDeliveries } from './webhook-deliveries';

/**
 * Dynamics 365 (Dataverse Web API), as the framework sees it (listed in `src/connectors/registry.ts`).
 * No `revocation`: Entra ID has no endpoint that revokes one grant (client credentials issue no refresh
 * token; a person's refresh tokens are revoked per user by an administrator), so a deleted connection
 * records `not_revocable`.
 */
export const dynamics: CrmDefinition = {
  declaration: dynamicsDeclaration,
  create: createDynamicsConnector,
  hooks: dynamicsHooks,
  defaultMapping: dynamicsMapping,
  tokens: dynamicsTokens,
  oauth: dynamicsOAuth,
  webhooks: dynamicsWebhookDeliveries,
};
