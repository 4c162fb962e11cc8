// What every Web API handler gets: the org, who calls, and the request (HTTP or a `$batch` part).
import { type DynamicsOrg } from './state';
import { type DvStore, type WriteContext } from './store';
import { parsePrefer, serviceRoot, type Preferences, type WebApiRequest } from './webapi-types';

export interface DvContext {
  org: DynamicsOrg;
  store: DvStore;
  /** systemuserid the request runs as. */
  userId: string;
  req: WebApiRequest;
  prefs: Preferences;
  /** `https://host/api/data/v9.2/` of this request. */
  root: string;
}

export function contextFor(org: DynamicsOrg, userId: string, req: WebApiRequest): DvContext {
  return {
    org,
    store: org.state.store,
    userId,
    req,
    prefs: parsePrefer(req.headers.prefer),
    root: serviceRoot(req.origin),
  };
}

export function writeContext(ctx: DvContext): WriteContext {
  return { userId: ctx.userId, now: ctx.org.now() };
}
