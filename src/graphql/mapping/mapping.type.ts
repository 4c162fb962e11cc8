import { Field, Int, ObjectType } from 'type-graphql';
import { type FieldMappingOverride } from '../../mapping/mapper';
import { JSONObjectScalar } from '../scalars/json-object.scalar';

@ObjectType({ description: 'One canonical field and the native field it comes from.' })
export class MappedField {
  @Field({ description: 'Canonical name, or customFields.<key> for a custom field.' })
  canonical!: string;

  @Field({ description: 'Native field name (a dotted path reads a related record).' })
  native!: string;

  @Field(() => JSONObjectScalar, {
    description: 'How the value is converted, e.g. {"kind": "decimal", "native": "number"}.',
  })
  transform!: Record<string, unknown>;

  @Field({ description: 'CRM or APP: who owns the value.' })
  source!: string;

  @Field()
  writable!: boolean;

  @Field({
    description: "True when this entry comes from the connection's overrides, not the CRM's defaults.",
  })
  overridden!: boolean;
}

@ObjectType({
  description: "A connection's effective field mapping for one object: defaults plus overrides.",
})
export class FieldMappingView {
  @Field()
  connectionId!: string;

  @Field({ description: 'contact or deal.' })
  object!: string;

  @Field({ description: "The CRM's object name (Contact, Opportunity, contacts, deals…)." })
  nativeObject!: string;

  @Field(() => Int, { description: 'Bumped on every update; 0 while the defaults are used unchanged.' })
  version!: number;

  @Field(() => [MappedField])
  fields!: MappedField[];

  @Field(() => [JSONObjectScalar], { description: 'The stored overrides, as given to updateFieldMapping.' })
  overrides!: Record<string, unknown>[];

  /** The stored overrides as parsed (for `problems`; not a GraphQL field). */
  entries!: readonly FieldMappingOverride[];

  /** Stored overrides left out because they fail today's rules, with why (not a GraphQL field). */
  ignored!: readonly string[];
}
