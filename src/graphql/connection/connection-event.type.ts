import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { CONNECTION_EVENT_TYPES, type ConnectionEventType } from '../../events/connection-events';
import { type ConnectionStatus } from '../../store/models/connection.model';
import { ConnectionStatusEnum } from './connection.type';

export const ConnectionEventTypeEnum = Object.fromEntries(CONNECTION_EVENT_TYPES.map((t) => [t, t])) as {
  [K in ConnectionEventType]: K;
};
registerEnumType(ConnectionEventTypeEnum, { name: 'ConnectionEventType' });

@ObjectType('ConnectionEvent', { description: 'Something happened to one of your connections.' })
export class ConnectionEventPayload {
  @Field(() => ConnectionEventTypeEnum)
  type!: ConnectionEventType;

  @Field(() => ID)
  connectionId!: string;

  @Field()
  crm!: string;

  @Field(() => ConnectionStatusEnum, { description: 'The status after the event.' })
  status!: ConnectionStatus;

  @Field(() => String, { nullable: true })
  reason!: string | null;

  @Field()
  occurredAt!: Date;
}
