import { GraphQLJSON } from 'graphql-scalars';
import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { type CrmObject } from '../../connectors/types';
import { encodeRecordId } from '../../reads/ids';
import {
  CHANGE_KINDS,
  CHANGE_SOURCES,
  type ChangeKind,
  type ChangeSource,
} from '../../store/models/change-event.model';
import { type ChangeEvent } from '../../store/repositories/change-events.repo';
import { CrmObjectEnum } from '../records/crm-object.enum';

export const ChangeKindEnum = Object.fromEntries(CHANGE_KINDS.map((k) => [k, k])) as Record<
  ChangeKind,
  ChangeKind
>;
registerEnumType(ChangeKindEnum, {
  name: 'ChangeKind',
  description:
    'CREATED, UPDATED, DELETED (soft unless `hard`), RESTORED (a deleted record came back), CONFLICT (the CRM ' +
    'changed a field the app owns; the app value is written back).',
});

export const ChangeSourceEnum = Object.fromEntries(CHANGE_SOURCES.map((s) => [s, s])) as Record<
  ChangeSource,
  ChangeSource
>;
registerEnumType(ChangeSourceEnum, {
  name: 'ChangeSource',
  description:
    'How the change reached the gateway: MUTATION (a write through it), WEBHOOK, POLL or BACKFILL.',
});

@ObjectType('FieldChange', { description: 'One canonical field of a change, before and after.' })
export class FieldChangeView {
  @Field({ description: 'Canonical name; a custom field is customFields.<name>.' })
  field!: string;

  @Field(() => GraphQLJSON, { nullable: true })
  before!: unknown;

  @Field(() => GraphQLJSON, { nullable: true })
  after!: unknown;
}

@ObjectType('ChangeEvent', {
  description:
    'One change of one record, from the append-only change history. Every change of a tenant has a place ' +
    'in one order; `cursor` marks it (pass it as `after` to resume there).',
})
export class ChangeEventView {
  @Field(() => ID)
  id!: string;

  @Field({ description: 'Resume after this event: syncEvents(after:) / changeHistory(after:).' })
  cursor!: string;

  @Field(() => ID)
  connectionId!: string;

  @Field(() => CrmObjectEnum)
  object!: CrmObject;

  @Field({ description: "The record's id in its CRM." })
  remoteId!: string;

  @Field(() => ID, { description: 'The record, as contact(id:) / deal(id:) take it.' })
  recordId!: string;

  @Field(() => ChangeKindEnum)
  kind!: ChangeKind;

  @Field(() => ChangeSourceEnum)
  source!: ChangeSource;

  @Field(() => [FieldChangeView], { description: 'Fields that changed (empty for a deletion).' })
  changes!: FieldChangeView[];

  @Field({ description: 'When the change happened, as the CRM (or the write) reports it.' })
  occurredAt!: Date;

  @Field({ description: 'When the gateway learnt of it.' })
  observedAt!: Date;

  @Field({ description: 'DELETED: the record is gone for good (no restore).' })
  hard!: boolean;

  @Field(() => ID, { nullable: true, description: 'MUTATION: the write operation that made the change.' })
  writeOperationId!: string | null;
}

/** What a client sees of an event: picked field by field (the stored event also holds its lease). */
export function toChangeEventView(event: ChangeEvent, cursor: string): ChangeEventView {
  return {
    id: event.id,
    cursor,
    connectionId: event.connectionId,
    object: event.object,
    remoteId: event.remoteId,
    recordId: encodeRecordId({
      object: event.object,
      connectionId: event.connectionId,
      remoteId: event.remoteId,
    }),
    kind: event.kind,
    source: event.source,
    changes: event.changes.map((c) => ({ field: c.field, before: c.before ?? null, after: c.after ?? null })),
    occurredAt: event.occurredAt,
    observedAt: event.observedAt,
    hard: event.hard,
    writeOperationId: event.writeOperationId,
  };
}
