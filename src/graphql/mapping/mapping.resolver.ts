import { assertObject, TokenAccess } from '../auth/token-access';
import { Arg, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { type CrmObject } from '../../connectors/types';
import { parseOverrides } from '../../mapping/schema';
import {
  type DescribedObject,
  mappingProblems,
  validateAgainstDescribe,
} from '../../reads/mapping-validation';
import { type EffectiveMapping, effectiveMapping } from '../../reads/mappings';
import { type ReadMetadata } from '../../reads/read-metadata';
import { CurrentAuth } from '../auth/current-auth.decorator';
import { CrmObjectEnum } from '../records/crm-object.enum';
import { type Auth, type RequestContext } from '../request-context';
import { JSONObjectScalar } from '../scalars/json-object.scalar';
import { FieldMappingView } from './mapping.type';

/** An update reads the CRM's field metadata and writes the store. */
const MAPPING_WRITE_COST = 20;
/** A check reads the CRM's field metadata (one call per object a relationship path walks through). */
const MAPPING_CHECK_COST = 10;

@Resolver(() => FieldMappingView)
export class MappingResolver {
  @TokenAccess()
  @Query(() => FieldMappingView, {
    description: "A connection's effective field mapping for CONTACT or DEAL.",
  })
  async fieldMapping(
    @Arg('connectionId', () => ID) connectionId: string,
    @Arg('object', () => CrmObjectEnum) object: CrmObject,
    @Ctx() ctx: RequestContext,
  ): Promise<FieldMappingView> {
    assertObject(ctx.auth, object);
    const connection = await ctx.loaders.connection.load(connectionId);
    const effective = await effectiveMapping(
      ctx.app.store.fieldMappings,
      connection.crm,
      connection.id,
      object,
    );
    return toFieldMappingView(connection.id, effective);
  }

  @Mutation(() => FieldMappingView, {
    description:
      "Replaces a connection's overrides for CONTACT or DEAL (read_write keys only). Each override replaces the " +
      'default entry with the same canonical name, or adds one; {"canonical": …, "remove": true} drops one. ' +
      "Checked against the CRM's field metadata before anything is saved: an unknown native field, a relationship " +
      "path with a hop the CRM does not have or deeper than the CRM's limit (a number of dot-separated " +
      "segments, e.g. Account.Owner.Email has three), a transform that cannot read the field's type, a " +
      'picklist value the CRM ' +
      'does not have, or a key such as __proto__ is BAD_USER_INPUT naming it. Mapped custom fields appear in ' +
      '`customFields` under their canonical key.',
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
    await validateAgainstDescribe(parsed, await describedObject(reader.metadata, object));
    const stored = ctx.app.store.fieldMappings;
    await stored.replace(auth.tenantId, reader.connection.id, object, parsed);
    ctx.logger.info({ connectionId, object, overrides: parsed.length }, 'field mapping updated');
    return toFieldMappingView(
      reader.connection.id,
      await effectiveMapping(stored, reader.connection.crm, reader.connection.id, object),
    );
  }

  @FieldResolver(() => [String], {
    description:
      "What is wrong with this mapping now, checked against the CRM's field metadata when asked: overrides " +
      'whose field or relationship the CRM no longer has (deleted, or hidden from the integration user, after ' +
      "the mapping was saved), and stored overrides that fail today's rules and are ignored. Reads go on " +
      'meanwhile: such a field reads null and each record lists it in mappingIssues. Empty when the mapping is sound.',
    complexity: MAPPING_CHECK_COST,
  })
  async problems(@Root() view: FieldMappingView, @Ctx() ctx: RequestContext): Promise<string[]> {
    const reader = await ctx.loaders.reads.reader(view.connectionId);
    const object = view.object as CrmObject;
    const current = await mappingProblems(view.entries, await describedObject(reader.metadata, object));
    return [...view.ignored, ...current];
  }
}

async function describedObject(metadata: ReadMetadata, object: CrmObject): Promise<DescribedObject> {
  const { mapping } = await metadata.mapping(object);
  return {
    object,
    nativeObject: mapping.nativeObject,
    fields: await metadata.describe(object),
    relationships: metadata.connector.relationships,
  };
}

/**
 * The API's view of an effective mapping (also what `bench:reads`' bare server returns). All but the
 * connection id is a function of the effective mapping alone, which is shared while its version stands
 * (src/reads/mappings.ts): that part is built once per mapping, not per request.
 */
export function toFieldMappingView(connectionId: string, e: EffectiveMapping): FieldMappingView {
  let shared = views.get(e);
  if (!shared) {
    shared = mappingView(e);
    views.set(e, shared);
  }
  return { connectionId, ...shared };
}

const views = new WeakMap<EffectiveMapping, Omit<FieldMappingView, 'connectionId'>>();

function mappingView(e: EffectiveMapping): Omit<FieldMappingView, 'connectionId'> {
  const overridden = new Set(e.overrides.flatMap((o) => ('remove' in o ? [] : [o.canonical])));
  return {
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
    entries: e.overrides,
    ignored: e.ignored ?? [],
  };
}
