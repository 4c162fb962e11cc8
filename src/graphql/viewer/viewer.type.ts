import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { API_KEY_SCOPES, type ApiKeyScope } from '../../security/api-keys';

export const ApiKeyScopeEnum = Object.fromEntries(API_KEY_SCOPES.map((s) => [s, s])) as {
  [K in ApiKeyScope]: K;
};
registerEnumType(ApiKeyScopeEnum, {
  name: 'ApiKeyScope',
  description: 'read: queries and subscriptions. read_write: mutations too.',
});

@ObjectType()
export class Tenant {
  @Field(() => ID)
  id!: string;

  @Field()
  name!: string;
}

@ObjectType({ description: 'Who is calling: the tenant and scope of the API key.' })
export class Viewer {
  @Field(() => Tenant)
  tenant!: Tenant;

  @Field(() => ApiKeyScopeEnum)
  scope!: ApiKeyScope;
}
