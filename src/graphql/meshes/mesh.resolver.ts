import { Args, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import type { TenantScope } from '../../common/tenancy/tenant-scope.js';
import type { ResourceKind } from '../../generated/prisma/client.js';
import { MeshResourcesService } from '../../meshes/resources/mesh-resources.service.js';
import { MeshStatusService } from '../../xds-fleet/status/mesh-status.service.js';
import { Authenticate, CurrentScope } from '../../tenants/auth/auth-policy.decorators.js';
import { ConnectionArgs, listPage, type Connection } from '../pagination/connection.js';
import { JsonScalar } from '../scalars/json.scalar.js';
import { MeshPropagation } from './mesh-propagation.models.js';
import { propagationView } from './propagation-view.js';
import { ConnectedProxy } from './proxy.models.js';
import { nameArg } from './name-args.js';
import { Loaders } from '../loaders/loaders.decorator.js';
import type { TenantLoaders } from '../loaders/request-loaders.js';
import {
  Mesh,
  MeshConnection,
  VirtualGatewayConnection,
  VirtualNodeConnection,
  VirtualRouterConnection,
  VirtualServiceConnection,
  type ResourceFields,
} from './resource.models.js';
import { meshView, resourceView } from './resource-view.js';

/**
 * Meshes and the top-level resources inside them, read through the same MeshResourcesService as
 * the App Mesh REST API. The tenant is always the authenticated caller's (`@CurrentScope()`):
 * no argument names a tenant or an account.
 */
@Resolver(() => Mesh)
@Authenticate('tenant')
export class MeshResolver {
  constructor(
    private readonly resources: MeshResourcesService,
    private readonly status: MeshStatusService,
  ) {}

  @Query(() => MeshConnection, { description: "The caller's meshes, by name." })
  meshes(
    @CurrentScope() scope: TenantScope,
    @Args() page: ConnectionArgs,
    @Args('namePrefix', { type: () => String, nullable: true, description: 'Only meshes whose name starts so.' })
    namePrefix?: string | null,
  ): Promise<Connection<ResourceFields>> {
    const prefix =
      namePrefix === null || namePrefix === undefined ? undefined : nameArg('namePrefix', namePrefix, true);
    return listPage(
      page,
      (p) => this.resources.listMeshData(scope, { ...p, ...(prefix ? { namePrefix: prefix } : {}) }),
      meshView,
    );
  }

  @Query(() => Mesh, {
    nullable: true,
    description: "One of the caller's meshes (a NOT_FOUND error when it has none of that name).",
  })
  async mesh(@CurrentScope() scope: TenantScope, @Args('name') name: string): Promise<ResourceFields> {
    return meshView(await this.resources.describeMesh(scope, { meshName: nameArg('name', name) }));
  }

  @ResolveField('spec', () => JsonScalar, { description: "The mesh's App Mesh MeshSpec, as JSON." })
  async spec(@CurrentScope() scope: TenantScope, @Parent() mesh: ResourceFields): Promise<unknown> {
    if (mesh.loadedSpec !== undefined) return mesh.loadedSpec;
    return (await this.resources.describeMesh(scope, { meshName: mesh.meshName })).spec;
  }

  @ResolveField(() => MeshPropagation, {
    description: "Whether the mesh's changes reached its proxies (mesh `status` is App Mesh's lifecycle status).",
  })
  async propagation(@CurrentScope() scope: TenantScope, @Parent() mesh: ResourceFields): Promise<MeshPropagation> {
    return propagationView(await this.status.status(scope, mesh.meshName));
  }

  @ResolveField(() => [ConnectedProxy], { description: "The proxies connected to the mesh's xDS servers now." })
  async proxies(@Loaders() loaders: TenantLoaders, @Parent() mesh: ResourceFields): Promise<ConnectedProxy[]> {
    return [...(await loaders.proxies(mesh.meshName))] as ConnectedProxy[];
  }

  @ResolveField(() => VirtualNodeConnection)
  virtualNodes(@Loaders() loaders: TenantLoaders, @Parent() mesh: ResourceFields, @Args() page: ConnectionArgs) {
    return this.children(loaders, mesh, 'virtualNode', page);
  }

  @ResolveField(() => VirtualServiceConnection)
  virtualServices(@Loaders() loaders: TenantLoaders, @Parent() mesh: ResourceFields, @Args() page: ConnectionArgs) {
    return this.children(loaders, mesh, 'virtualService', page);
  }

  @ResolveField(() => VirtualRouterConnection)
  virtualRouters(@Loaders() loaders: TenantLoaders, @Parent() mesh: ResourceFields, @Args() page: ConnectionArgs) {
    return this.children(loaders, mesh, 'virtualRouter', page);
  }

  @ResolveField(() => VirtualGatewayConnection)
  virtualGateways(@Loaders() loaders: TenantLoaders, @Parent() mesh: ResourceFields, @Args() page: ConnectionArgs) {
    return this.children(loaders, mesh, 'virtualGateway', page);
  }

  private children(
    loaders: TenantLoaders,
    mesh: ResourceFields,
    kind: ResourceKind,
    page: ConnectionArgs,
  ): Promise<Connection<ResourceFields>> {
    return listPage(
      page,
      (p) => loaders.page(kind, { meshName: mesh.meshName, ...p }),
      (ref) => resourceView(kind, ref),
    );
  }
}
