import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import { BadUserInputError } from '../../errors';
import {
  type IdentityProviderConfig,
  identityProviderProblems,
} from '../../security/access-tokens/identity-provider';
import { type Auth, type RequestContext } from '../request-context';
import { CurrentAuth } from './current-auth.decorator';
import { IdentityProvider, IdentityProviderInput } from './identity-provider.type';

/**
 * Registering a tenant's identity provider: read_write API keys only (a mutation without
 * @TokenAccess). The registering key is what the provider's tokens narrow: its tenant, at most its
 * scope, and they end when it is revoked.
 */
@Resolver()
export class IdentityProviderResolver {
  @Mutation(() => IdentityProvider, {
    description:
      "Registers (or replaces) your identity provider: its users' JWTs are then accepted like access tokens " +
      'minted by this key, narrowed by their claims. CONFLICT when another tenant registered the issuer.',
  })
  async registerIdentityProvider(
    @Arg('input') input: IdentityProviderInput,
    @CurrentAuth() auth: Auth,
    @Ctx() ctx: RequestContext,
  ): Promise<IdentityProvider> {
    const config: IdentityProviderConfig = {
      tenantId: auth.tenantId,
      keyId: auth.keyId,
      issuer: input.issuer,
      audience: input.audience,
      jwks: input.jwks as IdentityProviderConfig['jwks'],
      claims: {
        scope: input.claims.scope,
        connectionIds: input.claims.connectionIds,
        ...(input.claims.objects ? { objects: input.claims.objects } : {}),
        ...(input.claims.subject ? { subject: input.claims.subject } : {}),
      },
    };
    const problems = identityProviderProblems(config);
    if (problems.length > 0) {
      throw new BadUserInputError(`input: ${problems.join('; ')}`, { details: { problems } });
    }
    // Only what was checked is stored: the public members of each key.
    await ctx.app.store.identityProviders.put(config);
    ctx.logger.info({ issuer: config.issuer, keyId: auth.keyId }, 'identity provider registered');
    return {
      issuer: config.issuer,
      audience: config.audience,
      keyIds: config.jwks.keys.map((k) => String(k.kid)),
    };
  }

  @Mutation(() => Boolean, {
    description: 'Removes your identity provider of `issuer`; false if there was none.',
  })
  async removeIdentityProvider(
    @Arg('issuer') issuer: string,
    @CurrentAuth() auth: Auth,
    @Ctx() ctx: RequestContext,
  ): Promise<boolean> {
    return ctx.app.store.identityProviders.remove(auth.tenantId, issuer.slice(0, 200));
  }
}
