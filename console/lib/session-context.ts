import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { type Api, type ConsoleConfig } from './api';

/** Who is signed in: the API and what the key may do. */
export interface Session {
  api: Api;
  config: ConsoleConfig;
  scope: 'read' | 'read_write';
  tenant: { id: string; name: string };
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside a signed-in console');
  return s;
}
