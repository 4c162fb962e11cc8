// Types shared by the Dataverse sandbox's API areas. One org = one Dataverse environment in its own
// Entra tenant, with one app registration (client id/secret) whose application user calls the API.
import crypto from 'node:crypto';
import { type SandboxOrg, type SandboxServer } from '../core';
import { DEMO } from './constants';
import { type DynamicsSettings } from './settings';
import { type DvStore } from './store';
import { type WebhookDispatcher } from '../core';

export interface DynamicsOrgState {
  tenantId: string;
  /** Unique name: the environment host is `<orgName>.crm.dynamics.com`. */
  orgName: string;
  organizationId: string;
  businessUnitId: string;
  clientId: string;
  clientSecret: string;
  /** systemuserid of the app registration's application user (client-credentials calls run as it). */
  applicationUserId: string;
  /** systemuserid delegated (authorization-code) tokens act for. */
  interactiveUserId: string;
  store: DvStore;
  settings: DynamicsSettings;
  /** One delivery queue per registered service endpoint (by its id and delivery settings). */
  endpointQueues: Map<string, WebhookDispatcher<DynamicsWebhookEvent>>;
}

/** A queued webhook delivery: one serialized RemoteExecutionContext and the headers it travels with. */
export interface DynamicsWebhookEvent {
  /** The RemoteExecutionContext, built when the change happened. */
  context: Record<string, unknown>;
  /** The `x-ms-dynamics-organization` header: the environment host. */
  organization: string;
  entityName: string;
  messageName: string;
  correlationId: string;
}

export type DynamicsServer = SandboxServer<DynamicsOrgState, DynamicsWebhookEvent>;
export type DynamicsOrg = SandboxOrg<DynamicsOrgState, DynamicsWebhookEvent>;

/** A stable GUID from a label: ids of an org's fixed rows (tenant, users) survive resets. */
export function stableGuid(label: string): string {
  const h = crypto.createHash('sha256').update(label).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function tenantIdFor(orgId: string): string {
  return orgId === 'default' ? DEMO.tenantId : stableGuid(`tenant:${orgId}`);
}

export function orgNameFor(orgId: string): string {
  return orgId === 'default' ? DEMO.orgName : orgId.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** The environment URL a connector is configured with (and the resource of its token scope). */
export function environmentUrl(state: Pick<DynamicsOrgState, 'orgName'>): string {
  return `https://${state.orgName}.crm.dynamics.com`;
}
