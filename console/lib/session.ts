/**
 * What the console keeps in the tab's sessionStorage (gone when the tab closes; never localStorage,
 * so a key does not outlive the session): the API key, and the live feed's last cursor.
 */
const KEY = 'crm-gateway:console-key';
const CURSOR = 'crm-gateway:console-events-cursor';

function get(name: string): string | null {
  try {
    return sessionStorage.getItem(name);
  } catch {
    return null;
  }
}

function set(name: string, value: string | null): void {
  try {
    if (value === null) sessionStorage.removeItem(name);
    else sessionStorage.setItem(name, value);
  } catch {
    // Storage refused (a private mode): the console still works for this page's life.
  }
}

export const savedKey = (): string | null => get(KEY);
export const saveKey = (key: string | null): void => set(KEY, key);
export const savedCursor = (): string | null => get(CURSOR);
export const saveCursor = (cursor: string | null): void => set(CURSOR, cursor);
