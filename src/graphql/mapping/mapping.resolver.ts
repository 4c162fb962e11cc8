import { Arg, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import { type CrmObject } from '../../connectors/types';
import { parseOverrides } from '../../mapping/schema';
import { type EffectiveMapping, MappingStore, validateAgainstDescribe } from '../../reads/mappings';
import { CurrentAuth } from '../auth/current-auth.decorator';
import { CrmObjectEnum } from '../records/crm-object.enum';
import { type Auth, type RequestContext } from '../request-context';
import { JSONObjectScalar } from '../scalars/json-object.scalar';
import { FieldMappingView } from './mapping.type';

/** An update reads the CRM's field metadata and writes the store. */
const MAPPING_WRITE_COST = 20;

@Resolver()
export class MappingResolver {
  @Query(() => FieldMappingView, {
    description: "A connection's effective field mapping for CONTACT or DEAL.",
  })
  async fieldMapping(
    @Arg('connectionId', () => ID) connectionId: string,
    @Arg('object', () => CrmObjectEnum) object: CrmObject,
    @Ctx() ctx: RequestContext,
  ): Promise<FieldMappingView> {
    const connection = await ctx.loaders.connection.load(connectionId);
    const effective = await new MappingStore(ctx.app.store).effective(connection.crm, connection.id, object);
    return toFieldMappingView(connection.id, effective);
  }

  @Mutation(() => FieldMappingView, {
    description:
      "Replaces a connection's overrides for CONTACT or DEAL (read_write keys only). Each override replaces the " +
      'default entry with the same canonical name, or adds one; {"canonical": …, "remove": true} drops one. ' +
      "Checked against the CRM's field metadata: an unknown native field, a transform that cannot read the " +
      "field's type, or a picklist value the CRM does not have is BAD_USER_INPUT naming it. Mapped custom fields " +
      'appear in `customFields` under their canonical key.',
    complexity: ({ childComplexity }) => MAPPING_WRITE_COST + childComplexity,
  })
  async updateFieldMapping(
    @Arg('connectionId', () => ID) connectionId: string,
    @Arg('object', () => CrmObjectEnum) object: CrmObject,
    @Arg('overrides', () => [JSONObjectScalar]) overrides: Record<string, unknown>[],
    @CurrentAuth() auth: Auth,
    @Ctx() ctx: RequestContext,
  ): Promise<FieldMappingView> {
    const parsed = parseOverrides(overrides);
    const reader = await ctx.loaders.reads.reader(connectionId);
    validateAgainstDescribe(object, parsed, await reader.describe(object));
    const mappings = new MappingStore(ctx.app.store);
    await mappings.replace(auth.tenantId, reader.connection.id, object, parsed);
    ctx.logger.info({ connectionId, object, overrides: parsed.length }, 'field mapping updated');
    return toFieldMappingView(
      reader.connection.id,
      await mappings.effective(reader.connection.crm, reader.connection.id, object),
    );
  }
}

/** The API's view of an effective mapping (also what `bench:reads`' bare server returns). */
export function toFieldMappingView(connectionId: string, e: EffectiveMapping): FieldMappingView {
  const overridden = new Set(e.overrides.flatMap((o) => ('remove' in o ? [] : [o.canonical])));
  return {
    connectionId,
    object: e.mapping.object,
    nativeObject: e.mapping.nativeObject,
    version: e.version,
    fields: e.mapping.fields.map((f) => ({
      canonical: f.canonical,
      native: f.native,
      transform: { ...f.transform },
      source: f.source,
      writable: f.writable,
      overridden: overridden.has(f.canonical),
    })),
    overrides: e.overrides.map((o) => ({ ...o })),
  };
}
