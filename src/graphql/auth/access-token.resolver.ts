import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import { BadUserInputError, ForbiddenError } from '../../errors';
import { checkGrant, mintAccessToken } from '../../security/access-tokens/access-token';
import { accessTokenKeysOf } from '../../security/access-tokens/signing-keys';
import { type Auth, type RequestContext } from '../request-context';
import { AccessToken, CreateAccessTokenInput } from './access-token.type';
import { CurrentAuth } from './current-auth.decorator';
import { ReadKeyMayCall } from './token-access';

@Resolver()
export class AccessTokenResolver {
  /*
   * No @TokenAccess(): only an API key mints (a token cannot extend or widen itself). A read key may
   * call it (@ReadKeyMayCall) for READ tokens only.
   */
  @ReadKeyMayCall()
  @Mutation(() => AccessToken, {
    description:
      'Mints a short-lived token for a browser: your API key narrowed to some connections and objects, ' +
      'a scope no wider than the key (a read key mints READ only), until expiresAt. Only an API key may ' +
      'call this. Revoking the key ends its tokens. Mint on your backend; never put the key in a page.',
  })
  async createAccessToken(
    @Arg('input') input: CreateAccessTokenInput,
    @CurrentAuth() auth: Auth,
    @Ctx() ctx: RequestContext,
  ): Promise<AccessToken> {
    if (input.scope === 'read_write' && auth.scope !== 'read_write') {
      throw new ForbiddenError(`a ${auth.scope} key mints READ access tokens only; got READ_WRITE`);
    }
    const max = ctx.app.env.ACCESS_TOKEN_MAX_TTL_SECONDS;
    const ttl = input.ttlSeconds ?? max;
    if (ttl < 1 || ttl > max) {
      throw new BadUserInputError(`input.ttlSeconds must be 1 to ${max}; got ${ttl}`);
    }
    const grant = {
      tenantId: auth.tenantId,
      keyId: auth.keyId,
      scope: input.scope,
      connectionIds: [...new Set(input.connectionIds)],
      objects: [...new Set(input.objects)],
      subject: input.subject,
    };
    const problem = checkGrant(grant);
    if (problem) throw new BadUserInputError(`input.${problem}`);
    // Each must be the tenant's: NOT_FOUND (the loader's) for any other, as on every other path.
    for (const found of await ctx.loaders.connection.loadMany(grant.connectionIds)) {
      if (found instanceof Error) throw found;
    }
    const minted = mintAccessToken(accessTokenKeysOf(ctx.app.keyRing), grant, ttl);
    // The subject and the minting key, never the token.
    ctx.logger.info(
      { subject: grant.subject, keyId: auth.keyId, kid: minted.kid, expiresAt: new Date(minted.expiresAt) },
      'access token minted',
    );
    return {
      token: minted.token,
      expiresAt: new Date(minted.expiresAt),
      scope: grant.scope,
      connectionIds: grant.connectionIds,
      objects: grant.objects,
      subject: grant.subject,
    };
  }
}
