import { TokenAccess } from '../auth/token-access';
import { Ctx, Query, Resolver } from 'type-graphql';
import { UnauthenticatedError } from '../../errors';
import { CurrentAuth } from '../auth/current-auth.decorator';
import { type Auth, type RequestContext } from '../request-context';
import { Viewer } from './viewer.type';

@Resolver(() => Viewer)
export class ViewerResolver {
  @TokenAccess()
  @Query(() => Viewer, { description: 'The tenant and scope of the API key in use.' })
  async viewer(@CurrentAuth() auth: Auth, @Ctx() ctx: RequestContext): Promise<Viewer> {
    const tenant = await ctx.app.store.tenants.findById(auth.tenantId);
    // A key whose tenant is gone is as good as no key.
    if (!tenant) throw new UnauthenticatedError('the tenant of this API key no longer exists');
    return { tenant: { id: tenant.id, name: tenant.name }, scope: auth.scope };
  }
}
