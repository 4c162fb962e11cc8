import { Field, Float, Int, ObjectType, registerEnumType } from 'type-graphql';

/** The names below are those of src/sync/sync-control.ts; listed here so the schema says what each means. */
export const SyncStateEnum = {
  PENDING: 'PENDING',
  BACKFILLING: 'BACKFILLING',
  POLLING: 'POLLING',
  PAUSED: 'PAUSED',
  ERROR: 'ERROR',
} as const;
registerEnumType(SyncStateEnum, {
  name: 'SyncState',
  description:
    'PENDING: not synced yet. BACKFILLING: the first full pull runs (changes are polled beside it). POLLING: ' +
    'kept up to date by webhooks and polls. PAUSED: the connection needs re-authorisation or is disabled. ' +
    'ERROR: the last poll failed (`lastError`); it is tried again on schedule.',
});

export const BackfillStateEnum = {
  NOT_STARTED: 'NOT_STARTED',
  RUNNING: 'RUNNING',
  DONE: 'DONE',
  FAILED: 'FAILED',
} as const;
registerEnumType(BackfillStateEnum, { name: 'BackfillState' });

@ObjectType('BackfillProgress', { description: "The connection's full pull, summed over its objects." })
export class BackfillProgressView {
  @Field(() => BackfillStateEnum)
  state!: keyof typeof BackfillStateEnum;

  @Field(() => Int, { description: 'Records pulled so far.' })
  done!: number;

  @Field(() => Int, { nullable: true, description: 'Records to pull, where the CRM can count them.' })
  total!: number | null;
}

@ObjectType('WebhookActivity', { description: "Deliveries of the connection's CRM webhooks." })
export class WebhookActivityView {
  @Field(() => Date, {
    nullable: true,
    description: 'When a delivery that verified for this connection last arrived (kept 90 days).',
  })
  lastReceivedAt!: Date | null;

  @Field(() => Int, {
    description:
      "Deliveries naming this connection's CRM account whose signature did not verify: forged, or signed " +
      'with a secret other than the one the connection was set up with.',
  })
  rejected!: number;
}

@ObjectType('NotificationChannel', {
  description:
    "The connection's CRM notification channel, for CRMs whose webhooks are channels subscribed by API that " +
    'lapse: the worker subscribes it when the connection is made and renews it before it expires.',
})
export class NotificationChannelView {
  @Field(() => Date, {
    nullable: true,
    description: 'Until when the CRM delivers; null before the first subscription succeeded.',
  })
  expiresAt!: Date | null;

  @Field(() => Date, { nullable: true, description: 'When it was last subscribed or renewed.' })
  renewedAt!: Date | null;

  @Field(() => Date, {
    nullable: true,
    description: 'When the worker renews it next (or retries a failure).',
  })
  renewAt!: Date | null;

  @Field(() => String, {
    nullable: true,
    description: 'Why the last subscription or renewal failed; null after a success.',
  })
  lastError!: string | null;
}

@ObjectType('ConnectionSync', {
  description: 'How far the change history of a connection is behind its CRM.',
})
export class ConnectionSyncView {
  @Field(() => SyncStateEnum)
  state!: keyof typeof SyncStateEnum;

  @Field(() => Date, { nullable: true, description: 'When the last poll finished.' })
  lastPollAt!: Date | null;

  @Field(() => Float, {
    nullable: true,
    description:
      'Milliseconds between now and the newest CRM change the polls have fully read (the object furthest ' +
      'behind); null before the first poll.',
  })
  lagMs!: number | null;

  @Field(() => String, { nullable: true, description: 'Why the last poll or backfill failed, if it did.' })
  lastError!: string | null;

  @Field(() => BackfillProgressView)
  backfill!: BackfillProgressView;

  @Field(() => WebhookActivityView)
  webhooks!: WebhookActivityView;

  @Field(() => NotificationChannelView, {
    nullable: true,
    description: 'The CRM notification channel; null for CRMs without one, and before the first attempt.',
  })
  notifications!: NotificationChannelView | null;
}
