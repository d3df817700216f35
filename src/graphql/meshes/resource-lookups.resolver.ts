import { Args, Query, Resolver } from '@nestjs/graphql';
import type { ResourceKind } from '../../generated/prisma/client.js';
import { Authenticate } from '../../tenants/auth/auth-policy.decorators.js';
import { Loaders } from '../loaders/loaders.decorator.js';
import type { TenantLoaders } from '../loaders/request-loaders.js';
import { nameArg } from './name-args.js';
import {
  GatewayRoute,
  Route,
  VirtualGateway,
  VirtualNode,
  VirtualRouter,
  VirtualService,
  type ResourceFields,
} from './resource.models.js';
import { resourceView } from './resource-view.js';

const notFoundNote = 'a NOT_FOUND error when the mesh or it does not exist, as with `mesh(name)`';

/**
 * One resource by its names, the way `mesh(name)` finds one mesh: App Mesh's Describe calls as
 * queries. Answered through the request's loaders, so the lookups of one kind that a request
 * makes (aliases, a list of names) are one `describeBatch`; the tenant is the caller's, and
 * another tenant's resource is as absent as one that never existed.
 */
@Resolver()
@Authenticate('tenant')
export class ResourceLookupsResolver {
  @Query(() => VirtualNode, {
    nullable: true,
    description: `One virtual node of one of the caller's meshes (${notFoundNote}).`,
  })
  virtualNode(
    @Loaders() loaders: TenantLoaders,
    @Args('meshName') meshName: string,
    @Args('name') name: string,
  ): Promise<ResourceFields> {
    return lookup(loaders, 'virtualNode', meshName, name);
  }

  @Query(() => VirtualService, {
    nullable: true,
    description: `One virtual service of one of the caller's meshes (${notFoundNote}).`,
  })
  virtualService(
    @Loaders() loaders: TenantLoaders,
    @Args('meshName') meshName: string,
    @Args('name') name: string,
  ): Promise<ResourceFields> {
    return lookup(loaders, 'virtualService', meshName, name);
  }

  @Query(() => VirtualRouter, {
    nullable: true,
    description: `One virtual router of one of the caller's meshes (${notFoundNote}).`,
  })
  virtualRouter(
    @Loaders() loaders: TenantLoaders,
    @Args('meshName') meshName: string,
    @Args('name') name: string,
  ): Promise<ResourceFields> {
    return lookup(loaders, 'virtualRouter', meshName, name);
  }

  @Query(() => Route, {
    nullable: true,
    description: `One route of a virtual router (${notFoundNote}, or the router does not).`,
  })
  route(
    @Loaders() loaders: TenantLoaders,
    @Args('meshName') meshName: string,
    @Args('virtualRouterName') virtualRouterName: string,
    @Args('name') name: string,
  ): Promise<ResourceFields> {
    return lookup(loaders, 'route', meshName, name, nameArg('virtualRouterName', virtualRouterName));
  }

  @Query(() => VirtualGateway, {
    nullable: true,
    description: `One virtual gateway of one of the caller's meshes (${notFoundNote}).`,
  })
  virtualGateway(
    @Loaders() loaders: TenantLoaders,
    @Args('meshName') meshName: string,
    @Args('name') name: string,
  ): Promise<ResourceFields> {
    return lookup(loaders, 'virtualGateway', meshName, name);
  }

  @Query(() => GatewayRoute, {
    nullable: true,
    description: `One gateway route of a virtual gateway (${notFoundNote}, or the gateway does not).`,
  })
  gatewayRoute(
    @Loaders() loaders: TenantLoaders,
    @Args('meshName') meshName: string,
    @Args('virtualGatewayName') virtualGatewayName: string,
    @Args('name') name: string,
  ): Promise<ResourceFields> {
    return lookup(loaders, 'gatewayRoute', meshName, name, nameArg('virtualGatewayName', virtualGatewayName));
  }
}

async function lookup(
  loaders: TenantLoaders,
  kind: ResourceKind,
  meshName: string,
  name: string,
  parentName?: string,
): Promise<ResourceFields> {
  const target = {
    meshName: nameArg('meshName', meshName),
    name: nameArg('name', name),
    ...(parentName === undefined ? {} : { parentName }),
  };
  return resourceView(kind, await loaders.resource(kind, target));
}
