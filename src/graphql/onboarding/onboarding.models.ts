import { Field, ID, InputType, Int, ObjectType, registerEnumType } from '@nestjs/graphql';

export enum BootstrapFormat {
  ENVOY = 'envoy',
  GRPC = 'grpc',
}
registerEnumType(BootstrapFormat, {
  name: 'BootstrapFormat',
  description: 'ENVOY: an Envoy bootstrap (YAML); GRPC: a proxyless gRPC client bootstrap (JSON).',
});

/**
 * The options of `GET /v1/meshes/{mesh}/virtualNodes/{name}/bootstrap`, with the same names and
 * rules (the same function validates them); every one is optional and defaults as there.
 */
@InputType({ isAbstract: true })
abstract class BootstrapOptionsInput {
  @Field(() => String)
  meshName!: string;

  @Field(() => BootstrapFormat, { nullable: true, description: 'ENVOY unless given.' })
  format?: BootstrapFormat;

  @Field(() => String, { nullable: true, description: '`node.locality.zone`: 1-128 letters, digits or . _ : / -.' })
  zone?: string;

  @Field(() => Int, { nullable: true, description: "Envoy's admin port (1-65535)." })
  adminPort?: number;

  @Field(() => String, {
    nullable: true,
    description: 'Where the proxy reaches the xDS fleet; the deployment default unless given.',
  })
  xdsHost?: string;

  @Field(() => Int, { nullable: true })
  xdsPort?: number;

  @Field(() => Boolean, { nullable: true, description: 'Whether the xDS fleet is reached over TLS.' })
  tls?: boolean;

  @Field(() => String, {
    nullable: true,
    description: 'The CA bundle (an absolute path) that verifies the xDS fleet, with TLS.',
  })
  caFile?: string;
}

@InputType()
export class VirtualNodeBootstrapInput extends BootstrapOptionsInput {
  @Field(() => String)
  virtualNodeName!: string;

  @Field(() => Int, { nullable: true, description: 'The inbound capture port (1-65535).' })
  ingressPort?: number;

  @Field(() => Int, { nullable: true, description: 'The outbound capture port (1-65535).' })
  egressPort?: number;

  @Field(() => String, {
    nullable: true,
    description: 'Where the proxy is reached: the endpoint it registers for its virtual node.',
  })
  address?: string;
}

@InputType({ description: "A gateway's listeners are its spec's: it takes no capture ports or address." })
export class VirtualGatewayBootstrapInput extends BootstrapOptionsInput {
  @Field(() => String)
  virtualGatewayName!: string;
}

@ObjectType({ description: 'A ready-to-run bootstrap, carrying a new proxy token.' })
export class Bootstrap {
  @Field(() => BootstrapFormat)
  format!: BootstrapFormat;

  @Field({ description: 'application/yaml (ENVOY) or application/json (GRPC).' })
  contentType!: string;

  @Field({ description: 'The file to start the proxy with. It holds the proxy token: shown here only, once.' })
  body!: string;

  @Field(() => ID, { description: 'The id of the proxy token inside it, to revoke it with revokeProxyToken.' })
  tokenId!: string;
}

@ObjectType({
  description: 'A proxy token, without its secret (the secret is only ever in the bootstrap that issued it).',
})
export class ProxyToken {
  @Field(() => ID)
  id!: string;

  @Field()
  meshName!: string;

  @Field({ description: 'virtualNode or virtualGateway.' })
  kind!: string;

  @Field({ description: 'The virtual node or gateway it stands for.' })
  name!: string;

  @Field({ description: 'The `node.id` a proxy using the token presents.' })
  arn!: string;

  @Field({ description: 'ISO 8601.' })
  createdAt!: string;

  @Field(() => String, {
    nullable: true,
    description: 'When a stream last presented it (ISO 8601; recorded coarsely, best effort).',
  })
  lastUsedAt!: string | null;
}
