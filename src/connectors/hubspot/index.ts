import { type CrmDefinition } from '../definition';
import { hubspotDeclaration } from './declaration';
import { hubspotMapping } from './default-mapping';
import { hubspotHooks } from './hooks';
import { createHubSpotConnector } from './hubspot.connector';
import { hubspotRevocation, hubspotTokens } from './tokens';
import { hubspotWebhookDeliveries } from './webhook-deliveries';

/** HubSpot, as the framework sees it (listed in `src/connectors/registry.ts`). */
export const hubspot: CrmDefinition = {
  declaration: hubspotDeclaration,
  create: createHubSpotConnector,
  hooks: hubspotHooks,
  defaultMapping: hubspotMapping,
  tokens: hubspotTokens,
  revocation: hubspotRevocation,
  webhooks: hubspotWebhookDeliveries,
};
