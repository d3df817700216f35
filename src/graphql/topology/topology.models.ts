import { Field, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';

/** The kinds of resources a topology draws (a mesh's resources; the mesh is the whole graph). */
export enum TopologyNodeKind {
  VIRTUAL_GATEWAY = 'VIRTUAL_GATEWAY',
  GATEWAY_ROUTE = 'GATEWAY_ROUTE',
  VIRTUAL_SERVICE = 'VIRTUAL_SERVICE',
  VIRTUAL_ROUTER = 'VIRTUAL_ROUTER',
  ROUTE = 'ROUTE',
  VIRTUAL_NODE = 'VIRTUAL_NODE',
}
registerEnumType(TopologyNodeKind, { name: 'TopologyNodeKind', description: 'What a topology node stands for.' });

/** What an edge of a topology means; each goes the way traffic does. */
export enum TopologyEdgeKind {
  GATEWAY_ROUTE = 'GATEWAY_ROUTE',
  TARGET = 'TARGET',
  PROVIDER = 'PROVIDER',
  ROUTE = 'ROUTE',
  WEIGHTED_TARGET = 'WEIGHTED_TARGET',
  BACKEND = 'BACKEND',
}
registerEnumType(TopologyEdgeKind, {
  name: 'TopologyEdgeKind',
  description: 'What a topology edge means, in the direction traffic flows.',
  valuesMap: {
    GATEWAY_ROUTE: { description: 'A virtual gateway to one of its gateway routes.' },
    TARGET: { description: "A gateway route to its target virtual service (the route's action)." },
    PROVIDER: { description: 'A virtual service to its provider, a virtual router or a virtual node.' },
    ROUTE: { description: 'A virtual router to one of its routes.' },
    WEIGHTED_TARGET: { description: 'A route to a virtual node of its action, with its weight.' },
    BACKEND: { description: 'A virtual node to a virtual service it calls (one of its backends).' },
  },
});

@ObjectType({ description: 'One resource of a mesh topology.' })
export class TopologyNode {
  @Field(() => ID, { description: 'Unique in the topology; edges name nodes by it.' })
  id!: string;

  @Field(() => TopologyNodeKind)
  kind!: TopologyNodeKind;

  @Field({ description: 'The resource name (a route or gateway route: its own name, without its parent).' })
  name!: string;

  @Field()
  arn!: string;

  @Field(() => Int, {
    nullable: true,
    description: 'Proxies connected now as this virtual node or virtual gateway; null for other kinds.',
  })
  proxies?: number | null;
}

@ObjectType({ description: 'A relation between two topology nodes, from `from` to `to`, as traffic flows.' })
export class TopologyEdge {
  @Field(() => ID)
  from!: string;

  @Field(() => ID)
  to!: string;

  @Field(() => TopologyEdgeKind)
  kind!: TopologyEdgeKind;

  @Field(() => Int, { nullable: true, description: "A weighted target's relative weight (WEIGHTED_TARGET only)." })
  weight!: number | null;
}

@ObjectType({
  description:
    'A mesh as a graph ready to draw: gateways → gateway routes → virtual services → routers → routes → virtual nodes → their backends, from one consistent read of the mesh.',
})
export class MeshTopology {
  @Field(() => [TopologyNode])
  nodes!: TopologyNode[];

  @Field(() => [TopologyEdge])
  edges!: TopologyEdge[];
}
