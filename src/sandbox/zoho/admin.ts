// Seeding and inspecting an org "as a CRM user" at chosen instants, for tests and the conformance
// target (and the core admin API's record routes): the same validation and change feed as the API,
// the org's admin user as the author, and exact instants kept beside the whole seconds Zoho shows.
import { SandboxAdminError } from '../core';
import { type ModuleName } from './constants';
import { type RecordOutcome } from './errors';
import { moduleOf } from './modules';
import { fieldValue, renderRecord } from './render';
import { type ZohoOrg } from './state';
import { type ZohoRecord } from './store';
import { createRecord, deleteRecord, updateRecord, type Writer } from './writes';

function asAdmin(org: ZohoOrg, at?: number): Writer {
  return { store: org.state.store, userId: org.state.userId, at };
}

/** A failed outcome as an admin error (400, with Zoho's code and details in the message). */
function ensure(outcome: RecordOutcome): RecordOutcome {
  if (outcome.status === 'error')
    throw new SandboxAdminError(
      400,
      `${outcome.code}: ${outcome.message} ${JSON.stringify(outcome.details)}`,
    );
  return outcome;
}

export function adminModule(object: string): ModuleName {
  try {
    return moduleOf(object);
  } catch {
    throw new SandboxAdminError(404, `unknown Zoho module ${object}; modules: Contacts, Deals`);
  }
}

function existing(org: ZohoOrg, module: ModuleName, id: string): ZohoRecord {
  const record = org.state.store.get(module, id);
  if (!record) throw new SandboxAdminError(404, `no ${module} record ${id}`);
  return record;
}

/** Creates a record from API-shaped values (`{Last_Name, Email, Contact_Name: {id}, …}`) at `at`. */
export function createAt(
  org: ZohoOrg,
  module: ModuleName,
  values: Record<string, unknown>,
  at?: number,
): ZohoRecord {
  const outcome = ensure(createRecord(asAdmin(org, at), module, values));
  return existing(org, module, String(outcome.details.id));
}

export function updateAt(
  org: ZohoOrg,
  module: ModuleName,
  id: string,
  values: Record<string, unknown>,
  at?: number,
): ZohoRecord {
  ensure(updateRecord(asAdmin(org, at), existing(org, module, id), values));
  return existing(org, module, id);
}

/** Moves a record to the recycle bin at `at` (its contact roles end with it). */
export function deleteAt(org: ZohoOrg, module: ModuleName, id: string, at?: number): void {
  existing(org, module, id);
  ensure(deleteRecord(asAdmin(org, at), module, id));
}

/** Gives a contact a role on a deal (by role name or id); null removes the contact from the deal's roles. */
export function setContactRole(org: ZohoOrg, dealId: string, contactId: string, role: string | null): void {
  const store = org.state.store;
  existing(org, 'Deals', dealId);
  existing(org, 'Contacts', contactId);
  const roles = store.contactRoles.get(dealId) ?? new Map<string, string>();
  if (role === null) roles.delete(contactId);
  else {
    const def = store.roleDefs.find((r) => r.id === role || r.name === role);
    if (!def)
      throw new SandboxAdminError(
        400,
        `no contact role ${role}; roles: ${store.roleDefs.map((r) => r.name).join(', ')}`,
      );
    roles.set(contactId, def.id);
  }
  store.contactRoles.set(dealId, roles);
}

/** A deal's contacts with roles: contact id → role name. */
export function contactRolesOf(org: ZohoOrg, dealId: string): Record<string, string> {
  const store = org.state.store;
  const out: Record<string, string> = {};
  for (const [contactId, roleId] of store.contactRoles.get(dealId) ?? [])
    out[contactId] = store.roleDefs.find((r) => r.id === roleId)?.name ?? roleId;
  return out;
}

export function liveIds(org: ZohoOrg, module: ModuleName): string[] {
  return org.state.store.all(module).map((r) => r.id);
}

export function deletedIds(org: ZohoOrg, module: ModuleName): string[] {
  return org.state.store.deleted.filter((d) => d.module === module).map((d) => d.id);
}

/** Records changed (created or edited) and deleted strictly after `after` (exact instants, ms). */
export function changedAfter(
  org: ZohoOrg,
  module: ModuleName,
  after: number,
): { upserted: string[]; deleted: string[] } {
  const store = org.state.store;
  return {
    upserted: store.all(module).flatMap((r) => (r.changedAt > after ? [r.id] : [])),
    deleted: store.deleted.flatMap((d) => (d.module === module && d.deletedAt > after ? [d.id] : [])),
  };
}

/** One field of a live record as the API would return it (lookups `{name, id}`), or undefined. */
export function fieldOfRecord(org: ZohoOrg, module: ModuleName, id: string, apiName: string): unknown {
  const record = org.state.store.get(module, id);
  return record ? fieldValue(org.state.store, record, apiName) : undefined;
}

/** The whole record as the API renders it (every field), or undefined. */
export function recordOf(org: ZohoOrg, module: ModuleName, id: string): Record<string, unknown> | undefined {
  const record = org.state.store.get(module, id);
  return record ? renderRecord(org.state.store, record) : undefined;
}
