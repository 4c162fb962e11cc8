import { ArrayMaxSize, ArrayMinSize, Max, MaxLength, Min } from 'class-validator';
import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { type CrmObject } from '../../connectors/types';
import { MAX_TOKEN_CONNECTIONS } from '../../security/access-tokens/access-token';
import { type ApiKeyScope } from '../../security/api-keys';
import { CrmObjectEnum } from '../records/crm-object.enum';

export const AccessTokenScopeEnum: Readonly<Record<'READ' | 'READ_WRITE', ApiKeyScope>> = {
  READ: 'read',
  READ_WRITE: 'read_write',
};
registerEnumType(AccessTokenScopeEnum, {
  name: 'AccessTokenScope',
  description: 'READ: queries and subscriptions. READ_WRITE: the record writes too (a read_write key only).',
});

@InputType({ description: 'What an access token may reach, for whom, and for how long.' })
export class CreateAccessTokenInput {
  @Field(() => AccessTokenScopeEnum)
  scope!: ApiKeyScope;

  @Field(() => [ID], { description: `1 to ${MAX_TOKEN_CONNECTIONS} of your connections.` })
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_TOKEN_CONNECTIONS)
  connectionIds!: string[];

  @Field(() => [CrmObjectEnum])
  @ArrayMinSize(1)
  @ArrayMaxSize(2)
  objects!: CrmObject[];

  @Field(() => Int, {
    nullable: true,
    description: 'Lifetime in seconds; at most (and by default) ACCESS_TOKEN_MAX_TTL_SECONDS.',
  })
  @Min(1)
  @Max(86400)
  ttlSeconds?: number | null;

  @Field({
    description:
      'Who the token is for (your user id): logged with each request, never interpreted. 1-128 of [A-Za-z0-9._:@|+=/-].',
  })
  @MaxLength(128)
  subject!: string;
}

@ObjectType({ description: 'A signed access token (a JWT) and what it grants.' })
export class AccessToken {
  @Field({
    description:
      'Send it as "Authorization: Bearer <token>" (HTTP) or connectionParams.authorization (WebSocket).',
  })
  token!: string;

  @Field(() => Date)
  expiresAt!: Date;

  @Field(() => AccessTokenScopeEnum)
  scope!: ApiKeyScope;

  @Field(() => [ID])
  connectionIds!: string[];

  @Field(() => [CrmObjectEnum])
  objects!: CrmObject[];

  @Field()
  subject!: string;
}
