// Module names in URLs (docs/vendors/zoho.md "Records"): the API names `Contacts` and `Deals`; any
// other name is Zoho's INVALID_MODULE, naming the path segment at fault.
import { MODULES, type ModuleName } from './constants';
import { invalidModule } from './errors';

export function moduleOf(raw: string | undefined, pathIndex = 0): ModuleName {
  const found = MODULES.find((m) => m.toLowerCase() === (raw ?? '').toLowerCase());
  if (!found) throw invalidModule(pathIndex);
  return found;
}
