import type { Type } from '@nestjs/common';
import { Field, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import type { ResourceKind } from '../../generated/prisma/client.js';
import type { ResourceStatus as ServiceResourceStatus } from '../../meshes/resources/resource-views.js';
import type { Tag } from '../../meshes/resources/tags.js';
import { ConnectionOf } from '../pagination/connection.js';
import { specObjectType } from '../specs/spec-types.js';

export enum ResourceStatus {
  ACTIVE = 'ACTIVE',
  INACTIVE = 'INACTIVE',
  DELETED = 'DELETED',
}
registerEnumType(ResourceStatus, { name: 'ResourceStatus', description: "App Mesh's status of a resource." });

/**
 * What every mesh and mesh resource shows. The spec (`spec`, typed, and `specJson`) has its own
 * field resolvers, which use the spec the service returned with the view (`loadedSpec`) when
 * there is one.
 */
@ObjectType({ isAbstract: true })
export abstract class ResourceFields {
  @Field()
  name!: string;

  @Field()
  arn!: string;

  @Field(() => Int, { description: 'Increases with every update of the resource.' })
  version!: number;

  @Field()
  createdAt!: Date;

  @Field()
  lastUpdatedAt!: Date;

  @Field(() => ResourceStatus)
  status!: ServiceResourceStatus;

  @Field(() => [specObjectType('TagRef')], {
    description: "The resource's tags (App Mesh's ListTagsForResource), in the order they were added.",
  })
  tags!: readonly Tag[];

  /** Not in the schema: where the resource lives, to read its spec and children. */
  meshName!: string;
  kind!: ResourceKind | 'mesh';
  parentName!: string;
  /** The spec, when the service call that produced this view returned it. */
  loadedSpec?: unknown;
}

@ObjectType({ description: 'A service mesh: the boundary of every resource below.' })
export class Mesh extends ResourceFields {}

@ObjectType()
export class VirtualNode extends ResourceFields {}

@ObjectType()
export class VirtualService extends ResourceFields {}

@ObjectType({ description: 'A virtual router; its routes are the `routes` connection.' })
export class VirtualRouter extends ResourceFields {}

@ObjectType({ description: 'A route of a virtual router.' })
export class Route extends ResourceFields {
  @Field({ description: 'The virtual router this route belongs to.' })
  virtualRouterName!: string;
}

@ObjectType({ description: 'A virtual gateway; its gateway routes are the `gatewayRoutes` connection.' })
export class VirtualGateway extends ResourceFields {}

@ObjectType({ description: 'A gateway route of a virtual gateway.' })
export class GatewayRoute extends ResourceFields {
  @Field({ description: 'The virtual gateway this gateway route belongs to.' })
  virtualGatewayName!: string;
}

/** The GraphQL type of every kind inside a mesh: what per-kind resolvers are built for. */
export const KIND_TYPES: readonly (readonly [ResourceKind, Type<ResourceFields>])[] = [
  ['virtualNode', VirtualNode],
  ['virtualService', VirtualService],
  ['virtualRouter', VirtualRouter],
  ['route', Route],
  ['virtualGateway', VirtualGateway],
  ['gatewayRoute', GatewayRoute],
];

@ObjectType()
export class MeshConnection extends ConnectionOf(Mesh) {}
@ObjectType()
export class VirtualNodeConnection extends ConnectionOf(VirtualNode) {}
@ObjectType()
export class VirtualServiceConnection extends ConnectionOf(VirtualService) {}
@ObjectType()
export class VirtualRouterConnection extends ConnectionOf(VirtualRouter) {}
@ObjectType()
export class RouteConnection extends ConnectionOf(Route) {}
@ObjectType()
export class VirtualGatewayConnection extends ConnectionOf(VirtualGateway) {}
@ObjectType()
export class GatewayRouteConnection extends ConnectionOf(GatewayRoute) {}
