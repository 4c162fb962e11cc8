import { type Connection } from 'mongoose';

/**
 * MongoDB commands a mongoose connection has started, from the driver's command monitoring. The
 * driver only emits for connections opened with `monitorCommands` on: open the store with
 * {@link withCommandMonitoring}'s URI. (Once the gateway counts its own store round trips, read that
 * counter instead.)
 */
export function countStoreCommands(conn: Connection): () => number {
  let started = 0;
  conn.getClient().on('commandStarted', () => {
    started += 1;
  });
  return () => started;
}

/** `uri` with the driver's command monitoring on. */
export function withCommandMonitoring(uri: string): string {
  const url = new URL(uri);
  url.searchParams.set('monitorCommands', 'true');
  return url.toString();
}
