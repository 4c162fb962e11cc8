import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { CONNECTION_STATUSES, type ConnectionStatus } from '../../store/models/connection.model';

/** GraphQL enums need an object; this one is derived from the store's list so the two cannot drift. */
export const ConnectionStatusEnum = Object.fromEntries(CONNECTION_STATUSES.map((s) => [s, s])) as {
  [K in ConnectionStatus]: K;
};
registerEnumType(ConnectionStatusEnum, {
  name: 'ConnectionStatus',
  description:
    'ACTIVE: syncing. NEEDS_REAUTH: the CRM refused our tokens; connect again. DISABLED: paused by an operator.',
});

/** A tenant's link to one CRM account. Credentials are write-only: no field of this type exposes them. */
@ObjectType({ description: "A tenant's link to one CRM account. Credentials are never returned." })
export class Connection {
  @Field(() => ID)
  id!: string;

  @Field({ description: 'CRM kind: the registry name of the CRM this connection reaches.' })
  crm!: string;

  @Field()
  displayName!: string;

  @Field(() => ConnectionStatusEnum)
  status!: ConnectionStatus;

  @Field(() => String, { nullable: true, description: 'Why the status is what it is, when not ACTIVE.' })
  statusReason!: string | null;

  @Field(() => String, {
    nullable: true,
    description: "The CRM's own account id (org, portal…), once known.",
  })
  externalAccountId!: string | null;

  @Field()
  createdAt!: Date;

  @Field()
  updatedAt!: Date;
}
