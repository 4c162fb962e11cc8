import { TokenAccess } from '../auth/token-access';
import { Arg, Args, Ctx, ID, Mutation, Resolver } from 'type-graphql';
import { type CrmObject } from '../../connectors/types';
import { BadUserInputError } from '../../errors';
import { type WriteOperation } from '../../writes/write-operation.types';
import { type WriteItem } from '../../writes/write-service.types';
import { CurrentAuth } from '../auth/current-auth.decorator';
import { assertWritable } from '../auth/write-access';
import { ARG_BOUNDS } from '../records/list.args';
import { type Auth, type RequestContext } from '../request-context';
import {
  listWriteItems,
  type ListItemInput,
  type RecordInput,
  resolveIdempotencyKey,
  throwProblems,
  toCanonicalPatch,
  type WriteProblem,
} from './write-items';
import { toWriteOperationView, WriteOperationView } from './write-operation.type';
import { writeServiceOf } from './write-service-of';
import {
  ContactInput,
  DealInput,
  ExternalIdInput,
  IDEMPOTENCY_DESCRIPTION,
  UpsertContactsArgs,
  UpsertDealsArgs,
} from './write.inputs';

/**
 * The write mutations of contacts and deals. Each validates (the write service: the connection's
 * mapping, source of truth, ids), stores QUEUED operations, asks for their flush and returns them: no
 * vendor call happens in the request. Every mutation needs a read_write key (authorize-root-fields.ts).
 */

/** A write touches the store and Redis: more than a read of one object. */
const WRITE_COST = 10;
const listCost = ({ args, childComplexity }: { args: Record<string, unknown>; childComplexity: number }) =>
  WRITE_COST + (Array.isArray(args.items) ? args.items.length : 1) + childComplexity;
const singleCost = ({ childComplexity }: { childComplexity: number }) => WRITE_COST + childComplexity;

/** An id argument: bounded like every id this API takes (what it names is the service's to check). */
export function checkIdArg(id: string, name: string): void {
  if (id.length === 0 || id.length > ARG_BOUNDS.id) {
    throw new BadUserInputError(`${name} must be 1 to ${ARG_BOUNDS.id} characters; got ${id.length}`);
  }
}

/** Hands `items` to the write service under the request's idempotency key; the operations as clients see them. */
export async function acceptWrites(
  ctx: RequestContext,
  auth: Auth,
  items: WriteItem[],
  idempotencyKey: string | null | undefined,
): Promise<WriteOperationView[]> {
  const key = resolveIdempotencyKey(ctx.idempotencyKey, idempotencyKey);
  await assertWritable(ctx, auth, items);
  const ops: WriteOperation[] = await writeServiceOf(ctx).accept({
    tenantId: auth.tenantId,
    idempotencyKey: key,
    items,
  });
  return ops.map(toWriteOperationView);
}

function patchOf(input: RecordInput) {
  const problems: WriteProblem[] = [];
  const patch = toCanonicalPatch(input, 'input', problems);
  throwProblems(problems);
  return patch;
}

async function one(
  ctx: RequestContext,
  auth: Auth,
  item: WriteItem,
  idempotencyKey: string | null | undefined,
): Promise<WriteOperationView> {
  const [op] = await acceptWrites(ctx, auth, [item], idempotencyKey);
  if (!op) throw new Error('the write service returned no operation for one item');
  return op;
}

function create(object: CrmObject, connectionId: string, input: RecordInput): WriteItem {
  checkIdArg(connectionId, 'connectionId');
  return { kind: 'CREATE', object, connectionId, input: patchOf(input) };
}

function update(object: CrmObject, id: string, input: RecordInput): WriteItem {
  checkIdArg(id, 'id');
  return { kind: 'UPDATE', object, id, input: patchOf(input) };
}

function upsert(
  object: CrmObject,
  connectionId: string,
  externalId: ExternalIdInput,
  input: RecordInput,
): WriteItem {
  checkIdArg(connectionId, 'connectionId');
  return {
    kind: 'UPSERT',
    object,
    connectionId,
    externalId: { field: externalId.field, value: externalId.value },
    input: patchOf(input),
  };
}

function remove(object: CrmObject, id: string): WriteItem {
  checkIdArg(id, 'id');
  return { kind: 'DELETE', object, id };
}

const KEY_ARG = { nullable: true, description: IDEMPOTENCY_DESCRIPTION } as const;

@Resolver()
export class RecordWritesResolver {
  @TokenAccess()
  @Mutation(() => WriteOperationView, {
    description: 'Queues the creation of a contact in one connection.',
    complexity: singleCost,
  })
  async createContact(
    @Arg('connectionId', () => ID) connectionId: string,
    @Arg('input', () => ContactInput) input: ContactInput,
    @Arg('idempotencyKey', () => String, KEY_ARG) idempotencyKey: string | null | undefined,
    @CurrentAuth() auth: Auth,
    @Ctx() ctx: RequestContext,
  ): Promise<WriteOperationView> {
    return one(ctx, auth, create('contact', connectionId, input as RecordInput), idempotencyKey);
  }

  @TokenAccess()
  @Mutation(() => WriteOperationView, {
    description:
      'Queues an update of a contact: an id from this API, or the wop_… id of its pending or succeeded create ' +
      '(the update then waits for it).',
    complexity: singleCost,
  })
  async updateContact(
    @Arg('id', () => ID) id: string,
    @Arg('input', () => ContactInput) input: ContactInput,
    @Arg('idempotencyKey', () => String, KEY_ARG) idempotencyKey: string | null | undefined,
    @CurrentAuth() auth: Auth,
    @Ctx() ctx: RequestContext,
  ): Promise<WriteOperationView> {
    return one(ctx, auth, update('contact', id, input as RecordInput), idempotencyKey);
  }

  @TokenAccess()
  @Mutation(() => WriteOperationView, {
    description:
      'Queues a create-or-update of the contact whose field `externalId.field` holds `externalId.value`.',
    complexity: singleCost,
  })
  async upsertContact(
    @Arg('connectionId', () => ID) connectionId: string,
    @Arg('externalId', () => ExternalIdInput) externalId: ExternalIdInput,
    @Arg('input', () => ContactInput) input: ContactInput,
    @Arg('idempotencyKey', () => String, KEY_ARG) idempotencyKey: string | null | undefined,
    @CurrentAuth() auth: Auth,
    @Ctx() ctx: RequestContext,
  ): Promise<WriteOperationView> {
    return one(ctx, auth, upsert('contact', connectionId, externalId, input as RecordInput), idempotencyKey);
  }

  @TokenAccess()
  @Mutation(() => WriteOperationView, {
    description: 'Queues the deletion of a contact.',
    complexity: singleCost,
  })
  async deleteContact(
    @Arg('id', () => ID) id: string,
    @Arg('idempotencyKey', () => String, KEY_ARG) idempotencyKey: string | null | undefined,
    @CurrentAuth() auth: Auth,
    @Ctx() ctx: RequestContext,
  ): Promise<WriteOperationView> {
    return one(ctx, auth, remove('contact', id), idempotencyKey);
  }

  @TokenAccess()
  @Mutation(() => [WriteOperationView], {
    description:
      'Queues up to 500 contact writes of one connection, one operation each, in item order: an item with `id` ' +
      'is an update, with `externalId` an upsert, with neither a create. Every item is validated before any is ' +
      'stored (BAD_USER_INPUT with details.problems naming items[i]).',
    complexity: listCost,
  })
  async upsertContacts(
    @Args(() => UpsertContactsArgs) args: UpsertContactsArgs,
    @CurrentAuth() auth: Auth,
    @Ctx() ctx: RequestContext,
  ): Promise<WriteOperationView[]> {
    const items = listWriteItems('contact', args.connectionId, args.items as ListItemInput[]);
    return acceptWrites(ctx, auth, items, args.idempotencyKey);
  }

  @TokenAccess()
  @Mutation(() => WriteOperationView, {
    description: 'Queues the creation of a deal in one connection.',
    complexity: singleCost,
  })
  async createDeal(
    @Arg('connectionId', () => ID) connectionId: string,
    @Arg('input', () => DealInput) input: DealInput,
    @Arg('idempotencyKey', () => String, KEY_ARG) idempotencyKey: string | null | undefined,
    @CurrentAuth() auth: Auth,
    @Ctx() ctx: RequestContext,
  ): Promise<WriteOperationView> {
    return one(ctx, auth, create('deal', connectionId, input as RecordInput), idempotencyKey);
  }

  @TokenAccess()
  @Mutation(() => WriteOperationView, {
    description:
      'Queues an update of a deal: an id from this API, or the wop_… id of its pending or succeeded create.',
    complexity: singleCost,
  })
  async updateDeal(
    @Arg('id', () => ID) id: string,
    @Arg('input', () => DealInput) input: DealInput,
    @Arg('idempotencyKey', () => String, KEY_ARG) idempotencyKey: string | null | undefined,
    @CurrentAuth() auth: Auth,
    @Ctx() ctx: RequestContext,
  ): Promise<WriteOperationView> {
    return one(ctx, auth, update('deal', id, input as RecordInput), idempotencyKey);
  }

  @TokenAccess()
  @Mutation(() => WriteOperationView, {
    description:
      'Queues a create-or-update of the deal whose field `externalId.field` holds `externalId.value`.',
    complexity: singleCost,
  })
  async upsertDeal(
    @Arg('connectionId', () => ID) connectionId: string,
    @Arg('externalId', () => ExternalIdInput) externalId: ExternalIdInput,
    @Arg('input', () => DealInput) input: DealInput,
    @Arg('idempotencyKey', () => String, KEY_ARG) idempotencyKey: string | null | undefined,
    @CurrentAuth() auth: Auth,
    @Ctx() ctx: RequestContext,
  ): Promise<WriteOperationView> {
    return one(ctx, auth, upsert('deal', connectionId, externalId, input as RecordInput), idempotencyKey);
  }

  @TokenAccess()
  @Mutation(() => WriteOperationView, {
    description: 'Queues the deletion of a deal.',
    complexity: singleCost,
  })
  async deleteDeal(
    @Arg('id', () => ID) id: string,
    @Arg('idempotencyKey', () => String, KEY_ARG) idempotencyKey: string | null | undefined,
    @CurrentAuth() auth: Auth,
    @Ctx() ctx: RequestContext,
  ): Promise<WriteOperationView> {
    return one(ctx, auth, remove('deal', id), idempotencyKey);
  }

  @TokenAccess()
  @Mutation(() => [WriteOperationView], {
    description:
      'Queues up to 500 deal writes of one connection, one operation each, in item order (see upsertContacts).',
    complexity: listCost,
  })
  async upsertDeals(
    @Args(() => UpsertDealsArgs) args: UpsertDealsArgs,
    @CurrentAuth() auth: Auth,
    @Ctx() ctx: RequestContext,
  ): Promise<WriteOperationView[]> {
    const items = listWriteItems('deal', args.connectionId, args.items as ListItemInput[]);
    return acceptWrites(ctx, auth, items, args.idempotencyKey);
  }
}
