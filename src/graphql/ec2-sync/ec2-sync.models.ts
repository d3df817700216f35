import { Field, ID, InputType, Int, ObjectType, registerEnumType } from '@nestjs/graphql';

export enum Ec2SyncStatus {
  PENDING = 'PENDING',
  OK = 'OK',
  STALE = 'STALE',
  THROTTLED = 'THROTTLED',
}
registerEnumType(Ec2SyncStatus, {
  name: 'Ec2SyncStatus',
  description:
    'PENDING: not run since created or changed; OK: the last run applied; STALE: the last run failed (lastError) and the instances are as the last success left them; THROTTLED: AWS throttled it, no run before backoffUntil, instances kept.',
});

@ObjectType({ description: 'An EC2 tag filter: the tag must have one of the values (every filter must match).' })
export class Ec2TagFilter {
  @Field()
  key!: string;

  @Field(() => [String])
  values!: string[];
}

@ObjectType({ description: 'How a source authenticates to AWS, never with a secret.' })
export class Ec2SyncCredentials {
  @Field({ description: 'accessKey or role.' })
  type!: string;

  @Field(() => String, { nullable: true })
  accessKeyId?: string | null;

  @Field(() => String, { nullable: true, description: 'The role the worker assumes (ExternalId: your account id).' })
  roleArn?: string | null;
}

@ObjectType({ description: 'An EC2 inventory feeding a registry service (/v1/ec2-sync-sources, docs/ec2-sync.md).' })
export class Ec2SyncSource {
  @Field(() => ID)
  id!: string;

  @Field()
  name!: string;

  @Field()
  region!: string;

  @Field(() => String, { nullable: true, description: 'Endpoint override (an origin the operator allows).' })
  endpoint!: string | null;

  @Field(() => [Ec2TagFilter])
  tagFilters!: Ec2TagFilter[];

  @Field(() => String, { nullable: true, description: 'Null when the registry service was deleted since.' })
  namespaceName!: string | null;

  @Field(() => String, { nullable: true })
  serviceName!: string | null;

  @Field(() => [String], { description: 'Tag keys copied onto each instance as attributes.' })
  attributeTags!: string[];

  @Field(() => Int)
  port!: number;

  @Field(() => Int)
  intervalSeconds!: number;

  @Field(() => Ec2SyncCredentials)
  credentials!: Ec2SyncCredentials;

  @Field(() => Ec2SyncStatus)
  status!: Ec2SyncStatus;

  @Field(() => String, { nullable: true, description: 'ISO 8601: when the last run ended.' })
  lastSyncAt!: string | null;

  @Field(() => String, { nullable: true, description: 'ISO 8601: when a run last applied.' })
  lastSuccessAt!: string | null;

  @Field(() => String, { nullable: true, description: '`<kind>: <AWS error>: <message>` of the last failed run.' })
  lastError!: string | null;

  @Field(() => String, { nullable: true, description: 'Instances the last success skipped, and why.' })
  lastWarning!: string | null;

  @Field(() => Int)
  instanceCount!: number;

  @Field(() => Int)
  skippedCount!: number;

  @Field(() => String, { nullable: true, description: 'ISO 8601; while THROTTLED.' })
  backoffUntil!: string | null;

  @Field()
  createdAt!: string;

  @Field()
  updatedAt!: string;
}

@InputType()
export class Ec2TagFilterInput {
  @Field()
  key!: string;

  @Field(() => [String])
  values!: string[];
}

@InputType({ description: 'Either accessKeyId and secretAccessKey (sealed at rest, never shown again), or roleArn.' })
export class Ec2SyncCredentialsInput {
  @Field(() => String, { nullable: true })
  accessKeyId?: string;

  @Field(() => String, { nullable: true })
  secretAccessKey?: string;

  @Field(() => String, { nullable: true })
  roleArn?: string;
}

@InputType({ description: 'The body of POST /v1/ec2-sync-sources, with the same rules.' })
export class CreateEc2SyncSourceInput {
  @Field()
  name!: string;

  @Field()
  region!: string;

  @Field(() => String, { nullable: true })
  endpoint?: string;

  @Field(() => [Ec2TagFilterInput], { nullable: true })
  tagFilters?: Ec2TagFilterInput[];

  @Field()
  namespaceName!: string;

  @Field()
  serviceName!: string;

  @Field(() => [String], { nullable: true })
  attributeTags?: string[];

  @Field(() => Int)
  port!: number;

  @Field(() => Int, { nullable: true, description: '10-86400; 60 unless given.' })
  intervalSeconds?: number;

  @Field(() => Ec2SyncCredentialsInput)
  credentials!: Ec2SyncCredentialsInput;
}

@InputType({
  description: 'PATCH /v1/ec2-sync-sources/{id}: members given replace; endpoint: null removes the override.',
})
export class UpdateEc2SyncSourceInput {
  @Field(() => String, { nullable: true })
  name?: string;

  @Field(() => String, { nullable: true })
  region?: string;

  @Field(() => String, { nullable: true })
  endpoint?: string | null;

  @Field(() => [Ec2TagFilterInput], { nullable: true })
  tagFilters?: Ec2TagFilterInput[];

  @Field(() => String, { nullable: true })
  namespaceName?: string;

  @Field(() => String, { nullable: true })
  serviceName?: string;

  @Field(() => [String], { nullable: true })
  attributeTags?: string[];

  @Field(() => Int, { nullable: true })
  port?: number;

  @Field(() => Int, { nullable: true })
  intervalSeconds?: number;

  @Field(() => Ec2SyncCredentialsInput, { nullable: true })
  credentials?: Ec2SyncCredentialsInput;
}
