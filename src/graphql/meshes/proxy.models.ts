import { Field, ObjectType } from '@nestjs/graphql';

@ObjectType({ description: 'A resource a proxy rejected.' })
export class NackedResource {
  @Field()
  name!: string;

  @Field(() => String, { nullable: true })
  arn?: string;
}

@ObjectType({ description: "A proxy's last NACK: the configuration it refused, and why." })
export class ProxyNack {
  @Field()
  typeUrl!: string;

  @Field({ description: 'The rejected version (SotW) or nonce (Delta).' })
  version!: string;

  @Field()
  message!: string;

  @Field({ description: 'When (ISO 8601).' })
  at!: string;

  @Field(() => [NackedResource])
  resources!: NackedResource[];
}

@ObjectType('Proxy', {
  description: 'A connected Envoy or proxyless gRPC client (the same as GET /v1/meshes/{name}/proxies).',
})
export class ConnectedProxy {
  @Field()
  sessionId!: string;

  @Field({ description: 'virtualNode or virtualGateway.' })
  kind!: string;

  @Field({ description: 'The virtual node or virtual gateway the proxy runs as.' })
  name!: string;

  @Field()
  nodeId!: string;

  @Field({ description: 'sotw or delta.' })
  protocol!: string;

  @Field()
  userAgent!: string;

  @Field({ description: 'When the stream opened (ISO 8601).' })
  connectedAt!: string;

  @Field(() => String, { nullable: true, description: 'The compiled mesh version the proxy fully holds.' })
  syncedVersion?: string;

  @Field(() => String, { nullable: true })
  syncedAt?: string;

  @Field({ description: "Whether the proxy holds the mesh's latest compiled configuration." })
  inSync!: boolean;

  @Field(() => ProxyNack, { nullable: true })
  lastNack?: ProxyNack;
}
