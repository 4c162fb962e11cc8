import { assertObject, TokenAccess } from '../auth/token-access';
import { Arg, Ctx, ID, Query, Resolver } from 'type-graphql';
import { type CrmObject } from '../../connectors/types';
import { CrmObjectEnum } from '../records/crm-object.enum';
import { type RequestContext } from '../request-context';
import { DealStage, FieldMetadata } from './metadata.type';

/** Metadata costs a vendor call per connection; a list of it is priced like a small page. */
const METADATA_COST = 10;

@Resolver()
export class MetadataResolver {
  @TokenAccess()
  @Query(() => [DealStage], {
    nullable: true,
    description: "The deal stages of a connection's CRM (pipelines where the CRM has them).",
    complexity: ({ childComplexity }) => METADATA_COST + childComplexity,
  })
  async dealStages(
    @Arg('connectionId', () => ID) connectionId: string,
    @Ctx() ctx: RequestContext,
  ): Promise<DealStage[]> {
    assertObject(ctx.auth, 'deal');
    const reader = await ctx.loaders.reads.reader(connectionId);
    return reader.metadata.dealStages();
  }

  @TokenAccess()
  @Query(() => [FieldMetadata], {
    nullable: true,
    description:
      "The fields of the CRM's object behind CONTACT or DEAL, with the canonical field each one feeds.",
    complexity: ({ childComplexity }) => METADATA_COST + childComplexity,
  })
  async fieldMetadata(
    @Arg('connectionId', () => ID) connectionId: string,
    @Arg('object', () => CrmObjectEnum) object: CrmObject,
    @Ctx() ctx: RequestContext,
  ): Promise<FieldMetadata[]> {
    assertObject(ctx.auth, object);
    const reader = await ctx.loaders.reads.reader(connectionId);
    const [fields, { mapping, skipped = {} }] = await Promise.all([
      reader.metadata.describe(object),
      reader.metadata.mapping(object),
    ]);
    const canonicalOf = new Map<string, string>();
    for (const e of mapping.fields) if (!canonicalOf.has(e.native)) canonicalOf.set(e.native, e.canonical);
    return fields.map((f) => ({
      name: f.name,
      label: f.label,
      type: f.type,
      custom: f.custom,
      required: f.required,
      readOnly: f.readOnly,
      picklistValues: f.picklistValues ?? null,
      referenceTo: f.referenceTo ?? null,
      canonical: canonicalOf.get(f.name) ?? null,
      skipped: Object.prototype.hasOwnProperty.call(skipped, f.name) ? skipped[f.name]! : null,
    }));
  }
}
