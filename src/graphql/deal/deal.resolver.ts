import { TokenAccess } from '../auth/token-access';
import { Arg, Args, Ctx, FieldResolver, ID, Query, Resolver, Root } from 'type-graphql';
import { type RequestContext } from '../request-context';
import { Contact, toContact } from '../contact/contact.type';
import { RecordListArgs, RemoteIdsArgs, listComplexity } from '../records/list.args';
import { associated, recordById, recordList, recordsByRemoteIds } from '../records/record-reads';
import { Deal, DealConnection, toDeal } from './deal.type';

@Resolver(() => Deal)
export class DealResolver {
  @TokenAccess()
  @Query(() => Deal, {
    nullable: true,
    description: 'One deal by its id. NOT_FOUND when the CRM has no such record.',
  })
  async deal(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext): Promise<Deal> {
    return toDeal(await recordById(ctx, 'deal', id));
  }

  @TokenAccess()
  @Query(() => [Deal], {
    nullable: 'itemsAndList',
    description:
      "Deals of one connection by the CRM's ids, in the order asked; null for an id the CRM does not have. " +
      "Batched onto the CRM's bulk read: N ids cost ⌈N / batch⌉ calls.",
    complexity: ({ args, childComplexity }) =>
      (Array.isArray(args.remoteIds) ? args.remoteIds.length : 1) + childComplexity,
  })
  async dealsByRemoteIds(@Args() args: RemoteIdsArgs, @Ctx() ctx: RequestContext): Promise<(Deal | null)[]> {
    const records = await recordsByRemoteIds(ctx, 'deal', args.connectionId, args.remoteIds);
    return records.map((r) => (r ? toDeal(r) : null));
  }

  @TokenAccess()
  @Query(() => DealConnection, {
    nullable: true,
    description: "A page of one connection's deals, in the CRM's list order.",
    complexity: listComplexity,
  })
  async deals(@Args() args: RecordListArgs, @Ctx() ctx: RequestContext): Promise<DealConnection> {
    return recordList(ctx, 'deal', args, toDeal);
  }

  @FieldResolver(() => [Contact], {
    nullable: true,
    description: "The deal's contacts; batched across every deal of the response.",
  })
  async contacts(@Root() deal: Deal, @Ctx() ctx: RequestContext): Promise<Contact[]> {
    return (await associated(ctx, 'deal', deal, 'contact')).map(toContact);
  }
}
