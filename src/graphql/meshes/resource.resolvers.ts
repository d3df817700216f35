import { Inject, type Type } from '@nestjs/common';
import { Args, Parent, ResolveField, Resolver } from '@nestjs/graphql';
import type { TenantScope } from '../../common/tenancy/tenant-scope.js';
import type { ResourceKind } from '../../generated/prisma/client.js';
import { MeshResourcesService } from '../../meshes/resources/mesh-resources.service.js';
import { Authenticate, CurrentScope } from '../../tenants/auth/auth-policy.decorators.js';
import { ConnectionArgs, listPage, type Connection } from '../pagination/connection.js';
import { JsonScalar } from '../scalars/json.scalar.js';
import {
  GatewayRoute,
  GatewayRouteConnection,
  Route,
  RouteConnection,
  VirtualGateway,
  VirtualNode,
  VirtualRouter,
  VirtualService,
  type ResourceFields,
} from './resource.models.js';
import { Loaders } from '../loaders/loaders.decorator.js';
import type { TenantLoaders } from '../loaders/request-loaders.js';
import { ConnectedProxy } from './proxy.models.js';
import { resourceView } from './resource-view.js';
import { KIND_RULES } from '../../meshes/resources/kind-registry.js';
import { specObjectType } from '../specs/spec-types.js';
import { ListFilterArgs, listFilter } from './list-filter.args.js';

/**
 * The `spec` (typed) and `specJson` fields of one kind of resource. Connections list with the
 * service's `listData`, whose one query returns the specs too, and mutations return them: a
 * describe runs only for a view that came without its spec.
 */
function SpecResolver(type: Type<ResourceFields>, kind: ResourceKind): Type<unknown> {
  const shape = `${KIND_RULES[kind].apiName}Spec`;
  @Resolver(() => type)
  @Authenticate('tenant')
  class KindSpecResolver {
    constructor(@Inject(MeshResourcesService) readonly meshes: MeshResourcesService) {}

    @ResolveField('spec', () => specObjectType(shape), { description: `The ${type.name}'s App Mesh ${shape}.` })
    spec(@CurrentScope() scope: TenantScope, @Parent() resource: ResourceFields): Promise<unknown> {
      return this.load(scope, resource);
    }

    @ResolveField('specJson', () => JsonScalar, {
      description: `The same ${shape} as one JSON value, as the REST API shows it (for scripts).`,
    })
    specJson(@CurrentScope() scope: TenantScope, @Parent() resource: ResourceFields): Promise<unknown> {
      return this.load(scope, resource);
    }

    private async load(scope: TenantScope, resource: ResourceFields): Promise<unknown> {
      if (resource.loadedSpec !== undefined) return resource.loadedSpec;
      const data = await this.meshes.describe(scope, kind, {
        meshName: resource.meshName,
        name: resource.name,
        ...(resource.parentName === '' ? {} : { parentName: resource.parentName }),
      });
      return data.spec;
    }
  }
  // Distinct names, so that Nest's logs and errors say which kind's resolver they mean.
  Object.defineProperty(KindSpecResolver, 'name', { value: `${type.name}SpecResolver` });
  return KindSpecResolver;
}

/** The proxies running as one virtual node or virtual gateway. */
function ProxiesResolver(type: Type<ResourceFields>, kind: 'virtualNode' | 'virtualGateway'): Type<unknown> {
  @Resolver(() => type)
  @Authenticate('tenant')
  class KindProxiesResolver {
    @ResolveField(() => [ConnectedProxy], { description: `The proxies connected now as this ${type.name}.` })
    async proxies(@Loaders() loaders: TenantLoaders, @Parent() resource: ResourceFields): Promise<ConnectedProxy[]> {
      const all = await loaders.proxies(resource.meshName);
      return all.filter((p) => p.kind === kind && p.name === resource.name) as ConnectedProxy[];
    }
  }
  Object.defineProperty(KindProxiesResolver, 'name', { value: `${type.name}ProxiesResolver` });
  return KindProxiesResolver;
}

export const PROXIES_RESOLVERS: readonly Type<unknown>[] = [
  ProxiesResolver(VirtualNode, 'virtualNode'),
  ProxiesResolver(VirtualGateway, 'virtualGateway'),
];

/** One `spec` resolver per kind. */
export const SPEC_RESOLVERS: readonly Type<unknown>[] = [
  SpecResolver(VirtualNode, 'virtualNode'),
  SpecResolver(VirtualService, 'virtualService'),
  SpecResolver(VirtualRouter, 'virtualRouter'),
  SpecResolver(Route, 'route'),
  SpecResolver(VirtualGateway, 'virtualGateway'),
  SpecResolver(GatewayRoute, 'gatewayRoute'),
];

@Resolver(() => VirtualRouter)
@Authenticate('tenant')
export class VirtualRouterResolver {
  @ResolveField(() => RouteConnection, { description: "The router's routes, by name." })
  routes(
    @Loaders() loaders: TenantLoaders,
    @Parent() router: ResourceFields,
    @Args() page: ConnectionArgs,
    @Args() filter: ListFilterArgs,
  ): Promise<Connection<ResourceFields>> {
    const wanted = listFilter(filter);
    return listPage(
      page,
      (p) => loaders.page('route', { meshName: router.meshName, parentName: router.name, ...p, ...wanted }),
      (ref) => resourceView('route', ref),
    );
  }
}

@Resolver(() => VirtualGateway)
@Authenticate('tenant')
export class VirtualGatewayResolver {
  @ResolveField(() => GatewayRouteConnection, { description: "The gateway's gateway routes, by name." })
  gatewayRoutes(
    @Loaders() loaders: TenantLoaders,
    @Parent() gateway: ResourceFields,
    @Args() page: ConnectionArgs,
    @Args() filter: ListFilterArgs,
  ): Promise<Connection<ResourceFields>> {
    const wanted = listFilter(filter);
    return listPage(
      page,
      (p) => loaders.page('gatewayRoute', { meshName: gateway.meshName, parentName: gateway.name, ...p, ...wanted }),
      (ref) => resourceView('gatewayRoute', ref),
    );
  }
}
