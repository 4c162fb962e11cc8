import { Query, Resolver } from 'type-graphql';
import { Public } from '../auth/public.decorator';

@Resolver()
export class HealthResolver {
  @Public()
  @Query(() => String, { description: 'Always "ok": the GraphQL endpoint answers. Needs no API key.' })
  health(): string {
    return 'ok';
  }
}
