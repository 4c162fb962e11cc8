import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { enumOf } from '../enum-of';
import { forwardPageInfo } from '../forward-page';
import {
  AUDIT_ACTOR_KINDS,
  AUDIT_OUTCOMES,
  type AuditActorKind,
  type AuditEvent,
  type AuditOutcome,
} from '../../audit/audit.types';

export const AuditActorKindEnum = enumOf(AUDIT_ACTOR_KINDS);
registerEnumType(AuditActorKindEnum, {
  name: 'AuditActorKind',
  description: 'An API key, an access token minted from one, or the admin CLI.',
});

export const AuditOutcomeEnum = enumOf(AUDIT_OUTCOMES);
registerEnumType(AuditOutcomeEnum, {
  name: 'AuditOutcome',
  description: 'SUCCEEDED, or FAILED with errorCode (a refused attempt is FAILED FORBIDDEN).',
});

@ObjectType('AuditActor')
export class AuditActorView {
  @Field(() => AuditActorKindEnum)
  kind!: AuditActorKind;

  @Field(() => ID, {
    nullable: true,
    description: 'The API key (an access token’s: the key that minted it).',
  })
  keyId!: string | null;

  @Field(() => String, { nullable: true, description: 'An access token’s subject.' })
  subject!: string | null;
}

@ObjectType('AuditEvent', {
  description:
    'One state-changing action on your tenant: who, when, what it touched (ids, never values) and how it ended.',
})
export class AuditEventView {
  @Field(() => ID)
  id!: string;

  @Field()
  at!: Date;

  @Field(() => AuditActorView)
  actor!: AuditActorView;

  @Field({
    description:
      'The mutation (createConnection, upsertContacts…), oauthConnect or oauthReauthorize, or the admin CLI’s createApiKey, revokeApiKey and setApiKeyScope.',
  })
  action!: string;

  @Field(() => ID, { nullable: true })
  connectionId!: string | null;

  @Field(() => [ID], { description: 'Ids the action named or made, at most 50.' })
  targetIds!: string[];

  @Field(() => Int, { description: 'How many things it touched (the items of a list mutation).' })
  targetCount!: number;

  @Field(() => AuditOutcomeEnum)
  outcome!: AuditOutcome;

  @Field(() => String, { nullable: true })
  errorCode!: string | null;
}

export const AuditEventPageInfo = forwardPageInfo('AuditEventPageInfo');
export type AuditEventPageInfo = InstanceType<typeof AuditEventPageInfo>;

@ObjectType('AuditEventPage', { description: 'A page of audit events, newest first.' })
export class AuditEventPageView {
  @Field(() => [AuditEventView])
  nodes!: AuditEventView[];

  @Field(() => AuditEventPageInfo)
  pageInfo!: AuditEventPageInfo;
}

/** Picked field by field: the stored event also holds the tenant. */
export function toAuditEventView(e: AuditEvent): AuditEventView {
  return {
    id: e.id,
    at: e.at,
    actor: { kind: e.actor.kind, keyId: e.actor.keyId, subject: e.actor.subject },
    action: e.action,
    connectionId: e.connectionId,
    targetIds: e.targetIds,
    targetCount: e.targetCount,
    outcome: e.outcome,
    errorCode: e.errorCode,
  };
}
