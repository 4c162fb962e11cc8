import { type CrmDefinition } from '../definition';
import { zohoDeclaration } from './declaration';
import { zohoMapping } from './default-mapping';
import { zohoHooks } from './hooks';
import { zohoOAuth, zohoTokens } from './oauth';
import { zohoRevocation } from './revocation';
import { zohoWebhookDeliveries } from './webhook-deliveries';
import { createZohoConnector } from './zoho.connector';

/**
 * Zoho CRM, as the framework sees it (listed in `src/connectors/registry.ts`). OAuth per data centre:
 * the callback names the account's DC, whose accounts server and API domain the connection keeps
 * (`oauth.ts`); token errors come as HTTP 200 bodies (`zohoTokens`). Revocation on the DC's accounts
 * server (`revocation.ts`); notifications routed by the org their channel token names.
 */
export const zoho: CrmDefinition = {
  declaration: zohoDeclaration,
  create: createZohoConnector,
  hooks: zohoHooks,
  defaultMapping: zohoMapping,
  tokens: zohoTokens,
  oauth: zohoOAuth,
  revocation: zohoRevocation,
  webhooks: zohoWebhookDeliveries,
};
