import { Field, ObjectType, registerEnumType } from '@nestjs/graphql';
import { ProxyNack } from '../meshes/proxy.models.js';

export enum ProxyEventType {
  CONNECTED = 'CONNECTED',
  DISCONNECTED = 'DISCONNECTED',
  NACKED = 'NACKED',
  ACKED = 'ACKED',
}
registerEnumType(ProxyEventType, {
  name: 'ProxyEventType',
  description:
    "What a proxy did: its stream opened or ended; it refused a response (NACK); it ACKed all of the mesh's compiled version it needs.",
});

@ObjectType({ description: "Something a proxy of one of the caller's meshes did, as the xDS shard serving it saw it." })
export class ProxyEvent {
  @Field(() => ProxyEventType)
  type!: ProxyEventType;

  @Field()
  meshName!: string;

  @Field({ description: 'The stream (as Proxy.sessionId).' })
  sessionId!: string;

  @Field({ description: 'virtualNode or virtualGateway.' })
  kind!: string;

  @Field({ description: 'The virtual node or virtual gateway the proxy runs as.' })
  name!: string;

  @Field()
  nodeId!: string;

  @Field({ description: 'sotw or delta.' })
  protocol!: string;

  @Field({ description: 'When it happened (ISO 8601).' })
  at!: string;

  @Field(() => String, { nullable: true, description: 'ACKED: the compiled mesh version the proxy now fully holds.' })
  version?: string;

  @Field(() => ProxyNack, { nullable: true, description: "NACKED: what it refused, with Envoy's error text." })
  nack?: ProxyNack;
}

@ObjectType({ description: 'A problem of a rejected compile.' })
export class RejectionProblem {
  @Field({ description: 'The resource at fault.' })
  arn!: string;

  @Field()
  message!: string;

  @Field({
    description:
      'The problem stopped the compile: publishing would take configuration away from the proxies on this resource.',
  })
  regression!: boolean;
}

@ObjectType({
  description:
    "A change of one of the caller's meshes that was compiled and not published (ADR 0006): the proxies keep the last good configuration.",
})
export class RejectedChange {
  @Field()
  meshName!: string;

  @Field({ description: 'The mesh generation that was compiled (a decimal integer).' })
  generation!: string;

  @Field({ description: 'When it was rejected (ISO 8601).' })
  at!: string;

  @Field()
  reason!: string;

  @Field(() => [RejectionProblem])
  problems!: RejectionProblem[];
}
