import { type WriteService } from '../../writes/write-service.types';
import { type RequestContext } from '../request-context';

/**
 * The accept side of writes (src/writes/write-service.ts) as the app context holds it. Read through
 * this one function so the resolvers depend on the contract (`WriteService`), not on how the context
 * builds it.
 */
export function writeServiceOf(ctx: Pick<RequestContext, 'app'>): WriteService {
  return ctx.app.writes;
}
