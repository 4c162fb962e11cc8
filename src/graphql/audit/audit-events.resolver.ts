import { MaxLength, ValidateNested } from 'class-validator';
import { Args, ArgsType, Ctx, Field, ID, InputType, Query, Resolver } from 'type-graphql';
import { MAX_AUDIT_PAGE } from '../../audit/audit-log';
import { CurrentAuth } from '../auth/current-auth.decorator';
import { ForwardPageArgs } from '../forward-page';
import { ARG_BOUNDS } from '../records/list.args';
import { type Auth, type RequestContext } from '../request-context';
import { AuditEventPageView, toAuditEventView } from './audit-event.type';

const DEFAULT_AUDIT_PAGE = 20;

@InputType('AuditEventFilter', { description: "Filters of auditEvents, AND'd." })
export class AuditEventFilterInput {
  @Field(() => String, {
    nullable: true,
    description:
      'One action: a mutation’s name, oauthConnect, oauthReauthorize, createApiKey, revokeApiKey, setApiKeyScope.',
  })
  @MaxLength(ARG_BOUNDS.id)
  action?: string | null;

  @Field(() => ID, { nullable: true })
  @MaxLength(ARG_BOUNDS.id)
  connectionId?: string | null;

  @Field(() => ID, { nullable: true, description: 'What one API key (and the tokens it minted) did.' })
  @MaxLength(ARG_BOUNDS.id)
  keyId?: string | null;

  @Field(() => Date, { nullable: true, description: 'At or after this instant.' })
  since?: Date | null;
}

@ArgsType()
export class AuditEventsArgs extends ForwardPageArgs(MAX_AUDIT_PAGE, DEFAULT_AUDIT_PAGE) {
  @Field(() => AuditEventFilterInput, { nullable: true })
  @ValidateNested()
  filter?: AuditEventFilterInput | null;
}

/**
 * The tenant's audit log (src/audit/). Any API key reads it, a read key too (an operator who may change
 * nothing still sees who did); an access token does not — it is narrowed to some connections, and the
 * log is the whole tenant's.
 */
@Resolver()
export class AuditEventsResolver {
  @Query(() => AuditEventPageView, {
    description: 'What was changed on your tenant, by whom and when, newest first.',
  })
  async auditEvents(
    @Args() args: AuditEventsArgs,
    @CurrentAuth() auth: Auth,
    @Ctx() ctx: RequestContext,
  ): Promise<AuditEventPageView> {
    const f = args.filter ?? {};
    const page = await ctx.app.audit.list(
      auth.tenantId,
      {
        ...(f.action != null ? { action: f.action } : {}),
        ...(f.connectionId != null ? { connectionId: f.connectionId } : {}),
        ...(f.keyId != null ? { keyId: f.keyId } : {}),
        ...(f.since != null ? { since: f.since } : {}),
      },
      args.first,
      args.after ?? null,
    );
    return {
      nodes: page.nodes.map(toAuditEventView),
      pageInfo: {
        hasNextPage: page.hasNextPage,
        hasPreviousPage: args.after != null,
        endCursor: page.endCursor,
      },
    };
  }
}
