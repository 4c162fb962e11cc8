import { TokenAccess } from '../auth/token-access';
import { Arg, Args, Ctx, FieldResolver, ID, Query, Resolver, Root } from 'type-graphql';
import { type RequestContext } from '../request-context';
import { Deal, toDeal } from '../deal/deal.type';
import { RecordListArgs, RemoteIdsArgs, listComplexity } from '../records/list.args';
import { associated, recordById, recordList, recordsByRemoteIds } from '../records/record-reads';
import { Contact, ContactConnection, toContact } from './contact.type';

@Resolver(() => Contact)
export class ContactResolver {
  @TokenAccess()
  @Query(() => Contact, {
    nullable: true,
    description: 'One contact by its id. NOT_FOUND when the CRM has no such record.',
  })
  async contact(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext): Promise<Contact> {
    return toContact(await recordById(ctx, 'contact', id));
  }

  @TokenAccess()
  @Query(() => [Contact], {
    nullable: 'itemsAndList',
    description:
      "Contacts of one connection by the CRM's ids, in the order asked; null for an id the CRM does not have. " +
      "Batched onto the CRM's bulk read: N ids cost ⌈N / batch⌉ calls.",
    complexity: ({ args, childComplexity }) =>
      (Array.isArray(args.remoteIds) ? args.remoteIds.length : 1) + childComplexity,
  })
  async contactsByRemoteIds(
    @Args() args: RemoteIdsArgs,
    @Ctx() ctx: RequestContext,
  ): Promise<(Contact | null)[]> {
    const records = await recordsByRemoteIds(ctx, 'contact', args.connectionId, args.remoteIds);
    return records.map((r) => (r ? toContact(r) : null));
  }

  @TokenAccess()
  @Query(() => ContactConnection, {
    nullable: true,
    description: "A page of one connection's contacts, in the CRM's list order.",
    complexity: listComplexity,
  })
  async contacts(@Args() args: RecordListArgs, @Ctx() ctx: RequestContext): Promise<ContactConnection> {
    return recordList(ctx, 'contact', args, toContact);
  }

  @FieldResolver(() => [Deal], {
    nullable: true,
    description: "The contact's deals; batched across every contact of the response.",
  })
  async deals(@Root() contact: Contact, @Ctx() ctx: RequestContext): Promise<Deal[]> {
    return (await associated(ctx, 'contact', contact, 'deal')).map(toDeal);
  }
}
