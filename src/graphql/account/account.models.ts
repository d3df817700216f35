import { Field, ID, InputType, ObjectType } from '@nestjs/graphql';

@ObjectType({ description: 'An access key (SigV4), without its secret.' })
export class AccessKey {
  @Field()
  accessKeyId!: string;

  @Field(() => String, { nullable: true })
  description!: string | null;

  @Field({ description: 'active or revoked.' })
  status!: string;

  @Field({ description: 'ISO 8601.' })
  createdAt!: string;

  @Field(() => String, { nullable: true, description: 'ISO 8601; recorded coarsely, best effort.' })
  lastUsedAt!: string | null;

  @Field(() => String, { nullable: true })
  revokedAt!: string | null;
}

@ObjectType({ description: 'An API token (bearer), without its secret.' })
export class ApiToken {
  @Field(() => ID)
  id!: string;

  @Field()
  name!: string;

  @Field({ description: "The token's first characters, to tell tokens apart." })
  prefix!: string;

  @Field({ description: 'active or revoked.' })
  status!: string;

  @Field({ description: 'ISO 8601.' })
  createdAt!: string;

  @Field(() => String, { nullable: true, description: 'ISO 8601; recorded coarsely, best effort.' })
  lastUsedAt!: string | null;

  @Field(() => String, { nullable: true })
  revokedAt!: string | null;
}

@ObjectType({ description: "The caller's account (GET /v1/account); its credentials never with their secrets." })
export class Account {
  @Field({ description: 'The 12-digit account id in every ARN.' })
  accountId!: string;

  @Field()
  name!: string;

  @Field()
  plan!: string;

  @Field({ description: 'active or suspended.' })
  status!: string;

  @Field({ description: 'ISO 8601.' })
  createdAt!: string;
}

@ObjectType({ description: 'A new access key: the only time its secret is shown.' })
export class CreatedAccessKey extends AccessKey {
  @Field()
  secretAccessKey!: string;
}

@ObjectType({ description: 'A new API token: the only time the token is shown.' })
export class CreatedApiToken extends ApiToken {
  @Field()
  token!: string;
}

@InputType()
export class CreateAccessKeyInput {
  @Field(() => String, { nullable: true })
  description?: string;
}

@InputType()
export class CreateApiTokenInput {
  @Field(() => String)
  name!: string;
}
