import { Field, Int, ObjectType } from 'type-graphql';

@ObjectType('BudgetSample')
export class BudgetSampleView {
  @Field()
  at!: Date;

  @Field(() => Int)
  remaining!: number;
}

@ObjectType('ConnectionBudget', {
  description:
    'One of the API budgets this connection draws on, as the CRM counts it (shared with the other ' +
    'connections of the same org, portal or app where the CRM counts that way).',
})
export class ConnectionBudgetView {
  @Field({ description: 'The budget’s name in the CRM’s declaration (burst, daily, search…).' })
  name!: string;

  @Field(() => Int, {
    description:
      'Units per window: what the CRM’s own headers said, once they did; else the connection’s override or the CRM’s default.',
  })
  limit!: number;

  @Field(() => Int, { description: 'Units left now; 0 while a refusal from the CRM holds the budget.' })
  remaining!: number;

  @Field(() => Int)
  windowMs!: number;

  @Field(() => Int, { description: 'With nothing left: ms until one unit is free again (-1: never).' })
  retryAfterMs!: number;

  @Field(() => [BudgetSampleView], {
    description: 'What was left over the last hour, a sample a minute, oldest first (taken by the worker).',
  })
  samples!: BudgetSampleView[];
}
