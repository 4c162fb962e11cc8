import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { BudgetSamples } from '../../ratelimit/budget-samples';
import { type RequestContext } from '../request-context';
import { ConnectionBudgetView } from './connection-budget.type';
import { Connection } from './connection.type';

/** A dry run of the budget script per budget and one read of the samples. */
const BUDGETS_COST = 5;

/** `connection { budgets }`: what is left of each budget now, and over the last hour. */
@Resolver(() => Connection)
export class ConnectionBudgetsResolver {
  @FieldResolver(() => [ConnectionBudgetView], {
    description:
      'The API budgets the gateway keeps for this connection: limit, what is left, and the last hour.',
    complexity: BUDGETS_COST,
  })
  async budgets(@Root() connection: Connection, @Ctx() ctx: RequestContext): Promise<ConnectionBudgetView[]> {
    // The loader finds the caller's connections only; the view carries the settings budgets read.
    const view = await ctx.loaders.connection.load(connection.id);
    const [readings, samples] = await Promise.all([
      ctx.app.crm.budgetReadings(view),
      new BudgetSamples(ctx.app.redis, ctx.app.redisPrefix).read(view.id),
    ]);
    return readings.map((b) => ({
      ...b,
      samples: samples.flatMap((s) => {
        const remaining = s.remaining[b.name];
        return remaining === undefined ? [] : [{ at: s.at, remaining }];
      }),
    }));
  }
}
