import { type CacheFeed } from '../changes';
import { type ConnectionModel } from '../models/connection.model';
import { VersionedCache } from '../versioned-cache';

/** Connection ids by vendor account id, for one CRM kind. */
export type AccountIndex = ReadonlyMap<string, readonly string[]>;

/**
 * Which connections reach a vendor account: how a webhook delivery, which names accounts (portals),
 * finds its connections. Several connections may reach one account (several tenants connecting one
 * portal), and all of them get its events.
 *
 * FerretDB 1.x serves only `{_id}` filters from an index, so a lookup by `externalAccountId` would
 * decode every connection on every delivery. Instead the whole (account → ids) index of one CRM is read
 * once (ids and account ids only) and cached in this process until a connection changes anywhere
 * (the store change feed drops it) or the feed's trust bound passes. Disabled connections are left out:
 * they take no events.
 */
export class ConnectionAccountsRepository {
  private readonly cache?: VersionedCache<AccountIndex>;

  constructor(
    private readonly connections: ConnectionModel,
    changes?: CacheFeed,
  ) {
    if (!changes) return;
    const cache = new VersionedCache<AccountIndex>({ name: 'connection_accounts', feed: changes });
    this.cache = cache;
    // Any connection change may add, move or remove an account: the index is rebuilt on next use.
    changes.onChange((change) => {
      if (change === null || change.kind === 'connection') cache.clear();
    });
  }

  /** The connection ids of each of `accountIds` that some connection of `crm` reaches. */
  async connectionIdsOf(crm: string, accountIds: readonly string[]): Promise<Map<string, string[]>> {
    const index = this.cache ? await this.cache.get(crm, () => this.read(crm)) : await this.read(crm);
    const found = new Map<string, string[]>();
    for (const account of accountIds) {
      const ids = index.get(account);
      if (ids && ids.length > 0) found.set(account, [...ids]);
    }
    return found;
  }

  private async read(crm: string): Promise<AccountIndex> {
    const docs = await this.connections
      .find({ crm, externalAccountId: { $ne: null }, status: { $ne: 'DISABLED' } }, { externalAccountId: 1 })
      .lean();
    const index = new Map<string, string[]>();
    for (const doc of docs) {
      const account = doc.externalAccountId;
      if (!account) continue;
      const ids = index.get(account) ?? [];
      ids.push(doc._id.toString());
      index.set(account, ids);
    }
    return index;
  }
}
