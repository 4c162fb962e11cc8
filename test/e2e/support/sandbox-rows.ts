import { type ReadCrm, type ReadStack } from '../../support/read-stack';
import { CRM_SCENARIOS } from './crm-scenarios';

/**
 * The sandboxes' own records, read from their state (never through our code), to compute what a list or
 * a filter must return.
 */

/** The sandbox's own rows of an object, to compute what a filter must return. */
export interface SandboxRow {
  remoteId: string;
  firstName: string | null;
  lastName: string | null;
  email: string | null;
  name: string | null;
  /** Epoch ms of the record's last modification (what updatedAt reads). */
  updatedAt: number;
  deleted: boolean;
}

export function rowsOf(stack: ReadStack, crm: ReadCrm, object: 'contact' | 'deal'): SandboxRow[] {
  return CRM_SCENARIOS[crm].sandboxRows(stack.sandboxes.sandboxes[crm]!.server.org('default').state, object);
}

/** first, last and "first last", lower-cased: what a contact name prefix is matched against. */
export function namesOf(r: SandboxRow): string[] {
  const first = (r.firstName ?? '').toLowerCase();
  const last = (r.lastName ?? '').toLowerCase();
  return [first, last, `${first} ${last}`];
}
