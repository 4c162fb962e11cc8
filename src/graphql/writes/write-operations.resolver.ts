import { TokenAccess } from '../auth/token-access';
import { MaxLength, ValidateNested } from 'class-validator';
import { Arg, Args, ArgsType, Ctx, Field, ID, InputType, Mutation, Query, Resolver } from 'type-graphql';
import { type WriteStatus } from '../../writes/write-operation.types';
import { CurrentAuth } from '../auth/current-auth.decorator';
import {
  assertOperationReachable,
  NO_CONNECTION,
  permittedListConnection,
  permittedOperation,
} from '../auth/write-access';
import { ForwardPageArgs } from '../forward-page';
import { ARG_BOUNDS } from '../records/list.args';
import { type Auth, type RequestContext } from '../request-context';
import { acceptWrites, checkIdArg } from './record-writes.resolver';
import {
  toWriteOperationView,
  WriteOperationPageView,
  WriteOperationView,
  WriteStatusEnum,
} from './write-operation.type';
import { writeServiceOf } from './write-service-of';
import { IDEMPOTENCY_DESCRIPTION } from './write.inputs';

/** Reading, retrying and cancelling write operations, and the contact–deal association writes. */

export const MAX_WRITE_PAGE = 100;
const DEFAULT_WRITE_PAGE = 20;

@InputType('WriteOperationFilter', { description: "Filters of writeOperations, AND'd." })
export class WriteOperationFilterInput {
  @Field(() => ID, { nullable: true })
  @MaxLength(ARG_BOUNDS.id)
  connectionId?: string | null;

  @Field(() => WriteStatusEnum, { nullable: true })
  status?: WriteStatus | null;

  @Field(() => Date, { nullable: true, description: 'Accepted at or after this instant.' })
  since?: Date | null;
}

@ArgsType()
export class WriteOperationsArgs extends ForwardPageArgs(MAX_WRITE_PAGE, DEFAULT_WRITE_PAGE) {
  @Field(() => WriteOperationFilterInput, { nullable: true })
  @ValidateNested()
  filter?: WriteOperationFilterInput | null;
}

const WRITE_COST = 10;

@Resolver()
export class WriteOperationsResolver {
  @TokenAccess()
  @Query(() => WriteOperationView, {
    nullable: true,
    description: 'One of your write operations; null for an id your tenant does not have.',
  })
  async writeOperation(
    @Arg('id', () => ID) id: string,
    @CurrentAuth() auth: Auth,
    @Ctx() ctx: RequestContext,
  ): Promise<WriteOperationView | null> {
    checkIdArg(id, 'id');
    const op = permittedOperation(auth, await writeServiceOf(ctx).get(auth.tenantId, id));
    return op ? toWriteOperationView(op) : null;
  }

  @TokenAccess()
  @Query(() => WriteOperationPageView, {
    description: 'Your write operations, newest first.',
    complexity: ({ args, childComplexity }) =>
      (typeof args.first === 'number' ? args.first : DEFAULT_WRITE_PAGE) + childComplexity,
  })
  async writeOperations(
    @Args(() => WriteOperationsArgs) args: WriteOperationsArgs,
    @CurrentAuth() auth: Auth,
    @Ctx() ctx: RequestContext,
  ): Promise<WriteOperationPageView> {
    const f = { ...args.filter, connectionId: permittedListConnection(auth, args.filter?.connectionId) };
    if (f.connectionId === NO_CONNECTION) {
      return { nodes: [], pageInfo: { hasNextPage: false, hasPreviousPage: false, endCursor: null } };
    }
    const page = await writeServiceOf(ctx).list(
      auth.tenantId,
      {
        ...(f.connectionId != null ? { connectionId: f.connectionId } : {}),
        ...(f.status != null ? { status: f.status } : {}),
        ...(f.since != null ? { since: f.since } : {}),
      },
      args.first,
      args.after ?? null,
    );
    return {
      nodes: page.nodes.map(toWriteOperationView),
      pageInfo: {
        hasNextPage: page.hasNextPage,
        hasPreviousPage: args.after != null,
        endCursor: page.endCursor,
      },
    };
  }

  @TokenAccess()
  @Mutation(() => WriteOperationView, {
    description:
      'Queues a DEAD operation, or a FAILED one whose failure is retryable, again (its attempts start over); ' +
      'CONFLICT for any other status.',
    complexity: ({ childComplexity }) => WRITE_COST + childComplexity,
  })
  async retryWriteOperation(
    @Arg('id', () => ID) id: string,
    @CurrentAuth() auth: Auth,
    @Ctx() ctx: RequestContext,
  ): Promise<WriteOperationView> {
    checkIdArg(id, 'id');
    await assertOperationReachable(ctx, auth, id);
    return toWriteOperationView(await writeServiceOf(ctx).retry(auth.tenantId, id));
  }

  @TokenAccess()
  @Mutation(() => WriteOperationView, {
    description:
      'Cancels an operation still QUEUED; CONFLICT once it is RUNNING (with retryAfterMs) or final.',
    complexity: ({ childComplexity }) => WRITE_COST + childComplexity,
  })
  async cancelWriteOperation(
    @Arg('id', () => ID) id: string,
    @CurrentAuth() auth: Auth,
    @Ctx() ctx: RequestContext,
  ): Promise<WriteOperationView> {
    checkIdArg(id, 'id');
    await assertOperationReachable(ctx, auth, id);
    return toWriteOperationView(await writeServiceOf(ctx).cancel(auth.tenantId, id));
  }

  @TokenAccess()
  @Mutation(() => WriteOperationView, {
    description:
      'Queues associating a contact with a deal (kind LINK, object CONTACT). Either id may be the wop_… id of ' +
      'a pending create: the link waits for it.',
    complexity: ({ childComplexity }) => WRITE_COST + childComplexity,
  })
  async linkContactToDeal(
    @Arg('contactId', () => ID) contactId: string,
    @Arg('dealId', () => ID) dealId: string,
    @Arg('idempotencyKey', () => String, { nullable: true, description: IDEMPOTENCY_DESCRIPTION })
    idempotencyKey: string | null | undefined,
    @CurrentAuth() auth: Auth,
    @Ctx() ctx: RequestContext,
  ): Promise<WriteOperationView> {
    return this.association('LINK', contactId, dealId, idempotencyKey, auth, ctx);
  }

  @TokenAccess()
  @Mutation(() => WriteOperationView, {
    description: 'Queues removing the association of a contact with a deal (kind UNLINK, object CONTACT).',
    complexity: ({ childComplexity }) => WRITE_COST + childComplexity,
  })
  async unlinkContactFromDeal(
    @Arg('contactId', () => ID) contactId: string,
    @Arg('dealId', () => ID) dealId: string,
    @Arg('idempotencyKey', () => String, { nullable: true, description: IDEMPOTENCY_DESCRIPTION })
    idempotencyKey: string | null | undefined,
    @CurrentAuth() auth: Auth,
    @Ctx() ctx: RequestContext,
  ): Promise<WriteOperationView> {
    return this.association('UNLINK', contactId, dealId, idempotencyKey, auth, ctx);
  }

  private async association(
    kind: 'LINK' | 'UNLINK',
    contactId: string,
    dealId: string,
    idempotencyKey: string | null | undefined,
    auth: Auth,
    ctx: RequestContext,
  ): Promise<WriteOperationView> {
    checkIdArg(contactId, 'contactId');
    checkIdArg(dealId, 'dealId');
    const [op] = await acceptWrites(
      ctx,
      auth,
      [{ kind, object: 'contact', id: contactId, targetId: dealId }],
      idempotencyKey,
    );
    if (!op) throw new Error('the write service returned no operation for one item');
    return op;
  }
}
