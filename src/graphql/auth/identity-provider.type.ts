import { MaxLength } from 'class-validator';
import { Field, InputType, ObjectType } from 'type-graphql';
import { JSONObjectScalar } from '../scalars/json-object.scalar';

@InputType({ description: 'Which claims of the identity provider’s tokens hold what the gateway needs.' })
export class IdentityProviderClaimsInput {
  @Field({ description: 'The claim holding read or read_write.' })
  @MaxLength(100)
  scope!: string;

  @Field({ description: 'The claim holding the connection ids (a list, or space-separated).' })
  @MaxLength(100)
  connectionIds!: string;

  @Field(() => String, {
    nullable: true,
    description: 'The claim holding CONTACT and/or DEAL; without it, tokens reach both.',
  })
  @MaxLength(100)
  objects?: string | null;

  @Field(() => String, { nullable: true, description: 'The claim naming the end user; default sub.' })
  @MaxLength(100)
  subject?: string | null;
}

@InputType({
  description:
    'Your own identity provider, whose users’ JWTs the gateway then accepts as access tokens. Its public ' +
    'keys are given here (a JWKS document: the gateway never fetches one); each key needs kid and alg ' +
    '(RS256, ES256 or EdDSA), and it verifies only that algorithm.',
})
export class IdentityProviderInput {
  @Field({ description: 'The iss of its tokens (https://…); one tenant per issuer.' })
  @MaxLength(200)
  issuer!: string;

  @Field({ description: 'The aud its tokens carry for this gateway.' })
  @MaxLength(200)
  audience!: string;

  @Field(() => JSONObjectScalar, { description: 'A JWKS document: { "keys": [ …public JWKs… ] }.' })
  jwks!: Record<string, unknown>;

  @Field(() => IdentityProviderClaimsInput)
  claims!: IdentityProviderClaimsInput;
}

@ObjectType({
  description: 'A registered identity provider; its tokens act as the registering key, narrowed.',
})
export class IdentityProvider {
  @Field()
  issuer!: string;

  @Field()
  audience!: string;

  @Field(() => [String], { description: 'The kid of each key its tokens may be signed with.' })
  keyIds!: string[];
}
