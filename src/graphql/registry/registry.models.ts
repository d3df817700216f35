import { Field, InputType, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { JsonScalar } from '../scalars/json.scalar.js';
import { ConnectionOf } from '../pagination/connection.js';

export enum RegistryHealthStatus {
  HEALTHY = 'HEALTHY',
  UNHEALTHY = 'UNHEALTHY',
  UNKNOWN = 'UNKNOWN',
}
registerEnumType(RegistryHealthStatus, {
  name: 'RegistryHealthStatus',
  description: "An instance's health, as Envoy sees it: UNHEALTHY endpoints take no traffic.",
});

export enum RegistryCustomHealthStatus {
  HEALTHY = 'HEALTHY',
  UNHEALTHY = 'UNHEALTHY',
}
registerEnumType(RegistryCustomHealthStatus, {
  name: 'RegistryCustomHealthStatus',
  description: "The health status a client sets (Cloud Map's UpdateInstanceCustomHealthStatus).",
});

export enum RegistrySource {
  api = 'api',
  ec2 = 'ec2',
  proxy = 'proxy',
}
registerEnumType(RegistrySource, {
  name: 'RegistrySource',
  description: 'Who keeps an instance: the API, an EC2 sync source (read-only here), or a connected proxy.',
});

@ObjectType({ description: 'An instance of a registry service (a Cloud Map instance).' })
export class RegistryInstance {
  @Field({ description: "Cloud Map's InstanceId." })
  instanceId!: string;

  @Field(() => JsonScalar, {
    description: 'The string map registered (AWS_INSTANCE_IPV4, AWS_INSTANCE_PORT, custom keys).',
  })
  attributes!: Record<string, string>;

  @Field(() => RegistryHealthStatus)
  healthStatus!: RegistryHealthStatus;

  @Field(() => RegistrySource)
  source!: RegistrySource;

  @Field(() => String, { nullable: true })
  ipv4!: string | null;

  @Field(() => String, { nullable: true })
  ipv6!: string | null;

  @Field(() => Int, { nullable: true, description: "Absent: the selecting node's listener port." })
  port!: number | null;

  @Field(() => String, { nullable: true, description: 'The locality zone of its endpoint.' })
  zone!: string | null;

  @Field(() => String, { nullable: true, description: 'ISO 8601.' })
  updatedAt!: string | null;
}

@ObjectType()
export class RegistryInstanceConnection extends ConnectionOf(RegistryInstance) {}

@ObjectType({ description: 'A registry service: what a virtual node with awsCloudMap discovery selects.' })
export class RegistryService {
  @Field()
  namespaceName!: string;

  @Field()
  name!: string;

  @Field(() => String, { nullable: true })
  description!: string | null;

  @Field({ description: 'ISO 8601.' })
  createdAt!: string;

  @Field({ description: 'ISO 8601; moves with every change of its instances.' })
  updatedAt!: string;
}

@ObjectType()
export class RegistryServiceConnection extends ConnectionOf(RegistryService) {}

@ObjectType({ description: 'A registry namespace (a Cloud Map namespace).' })
export class RegistryNamespace {
  @Field()
  name!: string;

  @Field(() => String, { nullable: true })
  description!: string | null;

  @Field({ description: 'ISO 8601.' })
  createdAt!: string;

  @Field({ description: 'ISO 8601.' })
  updatedAt!: string;
}

@ObjectType()
export class RegistryNamespaceConnection extends ConnectionOf(RegistryNamespace) {}

@InputType({ description: 'Names one registry namespace.' })
export class RegistryNamespaceRef {
  @Field()
  namespaceName!: string;
}

@InputType({ description: 'Names one registry service of one namespace.' })
export class RegistryServiceRef extends RegistryNamespaceRef {
  @Field()
  serviceName!: string;
}

@InputType({ description: 'Names one instance of one registry service.' })
export class RegistryInstanceRef extends RegistryServiceRef {
  @Field()
  instanceId!: string;
}

@InputType({ description: "POST /v1/registry/namespaces, with the same rules (Cloud Map's CreateHttpNamespace)." })
export class CreateRegistryNamespaceInput extends RegistryNamespaceRef {
  @Field(() => String, { nullable: true, description: 'At most 1024 characters.' })
  description?: string | null;
}

@InputType({
  description: "POST /v1/registry/namespaces/{ns}/services, with the same rules (Cloud Map's CreateService).",
})
export class CreateRegistryServiceInput extends RegistryServiceRef {
  @Field(() => String, { nullable: true, description: 'At most 1024 characters.' })
  description?: string | null;
}

@InputType({ description: "Cloud Map's RegisterInstance: creates the instance, or replaces its attributes." })
export class RegisterRegistryInstanceInput extends RegistryInstanceRef {
  @Field(() => JsonScalar, { description: 'A map of strings: AWS_INSTANCE_IPV4 and/or AWS_INSTANCE_IPV6 required.' })
  attributes!: unknown;
}

@InputType({ description: "Cloud Map's UpdateInstanceCustomHealthStatus." })
export class UpdateRegistryInstanceHealthInput extends RegistryInstanceRef {
  @Field(() => RegistryCustomHealthStatus)
  status!: RegistryCustomHealthStatus;
}
