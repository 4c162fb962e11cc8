import { type ReadCrm, type ReadStack } from '../../support/read-stack';

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

interface SandboxStates {
  salesforce: { store: { table(name: string): Map<string, Record<string, unknown>> } };
  hubspot: {
    store: {
      order: Record<'contacts' | 'deals', string[]>;
      get(
        type: 'contacts' | 'deals',
        id: string,
      ): { archived: boolean; updatedAt: number; properties: Record<string, string> } | undefined;
    };
  };
}

export function rowsOf(stack: ReadStack, crm: ReadCrm, object: 'contact' | 'deal'): SandboxRow[] {
  const state = stack.sandboxes.sandboxes[crm]!.server.org('default').state as SandboxStates[ReadCrm];
  const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
  const ms = (v: unknown): number => (typeof v === 'number' ? v : Date.parse(String(v)));
  if (crm === 'salesforce') {
    const table = (state as SandboxStates['salesforce']).store.table(
      object === 'contact' ? 'Contact' : 'Opportunity',
    );
    return [...table.values()]
      .map((r) => ({
        remoteId: String(r.Id),
        firstName: str(r.FirstName),
        lastName: str(r.LastName),
        email: str(r.Email),
        name: str(r.Name),
        updatedAt: ms(r.LastModifiedDate),
        deleted: r.IsDeleted === true,
      }))
      .sort((a, b) => (a.remoteId < b.remoteId ? -1 : a.remoteId > b.remoteId ? 1 : 0));
  }
  const store = (state as SandboxStates['hubspot']).store;
  const type = object === 'contact' ? 'contacts' : 'deals';
  return store.order[type].map((id) => {
    const r = store.get(type, id)!;
    return {
      remoteId: id,
      firstName: str(r.properties.firstname),
      lastName: str(r.properties.lastname),
      email: str(r.properties.email),
      name: str(r.properties.dealname),
      updatedAt: r.updatedAt,
      deleted: r.archived,
    };
  });
}

/** first, last and "first last", lower-cased: what a contact name prefix is matched against. */
export function namesOf(r: SandboxRow): string[] {
  const first = (r.firstName ?? '').toLowerCase();
  const last = (r.lastName ?? '').toLowerCase();
  return [first, last, `${first} ${last}`];
}
