import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { enumOf } from '../enum-of';
import { forwardPageInfo } from '../forward-page';
import { type CrmObject } from '../../connectors/types';
import { type StatefulWriteOperationEvent, writeOperationEvent } from '../../events/write-operation-events';
import { encodeRecordId } from '../../reads/ids';
import {
  WRITE_FAILURE_CODES,
  WRITE_KINDS,
  WRITE_STATUSES,
  type WriteFailureCode,
  type WriteKind,
  type WriteOperation,
  type WriteStatus,
} from '../../writes/write-operation.types';
import { CrmObjectEnum } from '../records/crm-object.enum';
import { JSONObjectScalar } from '../scalars/json-object.scalar';

export const WriteStatusEnum = enumOf(WRITE_STATUSES);
registerEnumType(WriteStatusEnum, {
  name: 'WriteStatus',
  description:
    'QUEUED → RUNNING → SUCCEEDED | FAILED | DEAD; CANCELLED while QUEUED. retryWriteOperation queues a DEAD ' +
    'or retryable FAILED operation again.',
});

export const WriteKindEnum = enumOf(WRITE_KINDS);
registerEnumType(WriteKindEnum, { name: 'WriteKind', description: 'What the client asked for.' });

export const WriteFailureCodeEnum = enumOf(WRITE_FAILURE_CODES);
registerEnumType(WriteFailureCodeEnum, {
  name: 'WriteFailureCode',
  description: 'Why an operation ended FAILED or DEAD.',
});

@ObjectType({ description: "One of the CRM's complaints about a value it refused." })
export class WriteFieldErrorView {
  @Field(() => String, { nullable: true, description: 'The native field, where the CRM names one.' })
  field!: string | null;

  @Field()
  message!: string;

  @Field(() => String, { nullable: true, description: "The CRM's own error code, where it gives one." })
  code!: string | null;
}

@ObjectType('WriteFailure', { description: 'Why an operation ended FAILED or DEAD.' })
export class WriteFailureView {
  @Field(() => WriteFailureCodeEnum)
  code!: WriteFailureCode;

  @Field()
  message!: string;

  @Field({ description: 'Whether retryWriteOperation may queue it again.' })
  retryable!: boolean;

  @Field(() => [WriteFieldErrorView], {
    description: "The CRM's field errors (VALIDATION); empty otherwise.",
  })
  fieldErrors!: WriteFieldErrorView[];
}

@ObjectType('WriteOperation', {
  description:
    'A write as the gateway accepted it: queued, then sent to the CRM by a worker in bulk. Subscribe to ' +
    'writeOperationUpdated, or read it again, to learn how it ended.',
})
export class WriteOperationView {
  @Field(() => ID, {
    description: 'wop_…; usable as the id of a later update, delete or link of the record it creates.',
  })
  id!: string;

  @Field(() => ID)
  connectionId!: string;

  @Field(() => CrmObjectEnum)
  object!: CrmObject;

  @Field(() => WriteKindEnum)
  kind!: WriteKind;

  @Field(() => WriteStatusEnum)
  status!: WriteStatus;

  @Field(() => ID, {
    nullable: true,
    description: 'The record written, as contact(id:) / deal(id:) take it, once its CRM id is known.',
  })
  recordId!: string | null;

  @Field(() => ID, {
    nullable: true,
    description: 'LINK/UNLINK: the deal linked or unlinked, once its CRM id is known; null otherwise.',
  })
  targetId!: string | null;

  @Field(() => Boolean, {
    nullable: true,
    description: 'SUCCEEDED: whether the CRM made a new record (an upsert may update one).',
  })
  created!: boolean | null;

  @Field(() => JSONObjectScalar, {
    nullable: true,
    description:
      'SUCCEEDED: the record as the CRM stored it, in canonical fields (null when it could not be read back).',
  })
  record!: Record<string, unknown> | null;

  @Field(() => WriteFailureView, { nullable: true })
  failure!: WriteFailureView | null;

  @Field(() => Int, { description: 'Attempts the CRM refused transiently (rate limits are not counted).' })
  attempts!: number;

  @Field()
  acceptedAt!: Date;

  @Field()
  updatedAt!: Date;

  @Field(() => Date, { nullable: true })
  finishedAt!: Date | null;
}

export const WriteOperationPageInfo = forwardPageInfo('WriteOperationPageInfo');
export type WriteOperationPageInfo = InstanceType<typeof WriteOperationPageInfo>;

@ObjectType('WriteOperationPage', { description: 'A page of write operations, newest first.' })
export class WriteOperationPageView {
  @Field(() => [WriteOperationView])
  nodes!: WriteOperationView[];

  @Field(() => WriteOperationPageInfo)
  pageInfo!: WriteOperationPageInfo;
}

/**
 * What a client may see of an operation. Picked field by field, never spread: the stored operation
 * also holds the tenant, the native fields, the claim token and the input hash, none of which leave
 * the gateway.
 */
export function toWriteOperationView(op: WriteOperation): WriteOperationView {
  const record = op.result?.record;
  return {
    ...writeOperationViewOfEvent(writeOperationEvent(op)),
    record: record && typeof record === 'object' && !Array.isArray(record) ? record : null,
    failure: op.failure
      ? {
          code: op.failure.code,
          message: op.failure.message,
          retryable: op.failure.retryable,
          fieldErrors: (op.failure.fieldErrors ?? []).map((e) => ({
            field: e.field ?? null,
            message: e.message,
            code: e.code ?? null,
          })),
        }
      : null,
  };
}

/**
 * The operation as an event tells it (src/events/write-operation-events.ts), `record` and `failure`
 * null: the event carries neither.
 */
export function writeOperationViewOfEvent(event: StatefulWriteOperationEvent): WriteOperationView {
  const { connectionId, state } = event;
  return {
    id: event.operationId,
    connectionId,
    object: state.object,
    kind: state.kind,
    status: event.status,
    recordId: state.remoteId
      ? encodeRecordId({ object: state.object, connectionId, remoteId: state.remoteId })
      : null,
    targetId: state.target?.remoteId
      ? encodeRecordId({ object: state.target.object, connectionId, remoteId: state.target.remoteId })
      : null,
    created: state.created,
    record: null,
    failure: null,
    attempts: state.attempts,
    acceptedAt: state.acceptedAt,
    updatedAt: state.updatedAt,
    finishedAt: state.finishedAt,
  };
}
