import { Args, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import type { TenantScope } from '../../common/tenancy/tenant-scope.js';
import type { ResourceKind } from '../../generated/prisma/client.js';
import { MeshResourcesService } from '../../meshes/resources/mesh-resources.service.js';
import { Authenticate, CurrentScope } from '../../tenants/auth/auth-policy.decorators.js';
import { ConnectionArgs, listPage, type Connection } from '../pagination/connection.js';
import { JsonScalar } from '../scalars/json.scalar.js';
import { MeshPropagation } from './mesh-propagation.models.js';
import { propagationView } from './propagation-view.js';
import { ConnectedProxy } from './proxy.models.js';
import { nameArg } from './name-args.js';
import { ListFilterArgs, listFilter } from './list-filter.args.js';
import { specObjectType } from '../specs/spec-types.js';
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
  constructor(private readonly resources: MeshResourcesService) {}

  @Query(() => MeshConnection, { description: "The caller's meshes, by name." })
  meshes(
    @CurrentScope() scope: TenantScope,
    @Args() page: ConnectionArgs,
    @Args() filter: ListFilterArgs,
  ): Promise<Connection<ResourceFields>> {
    const wanted = listFilter(filter);
    return listPage(page, (p) => this.resources.listMeshData(scope, { ...p, ...wanted }), meshView);
  }

  @Query(() => Mesh, {
    nullable: true,
    description: "One of the caller's meshes (a NOT_FOUND error when it has none of that name).",
  })
  async mesh(@CurrentScope() scope: TenantScope, @Args('name') name: string): Promise<ResourceFields> {
    return meshView(await this.resources.describeMesh(scope, { meshName: nameArg('name', name) }));
  }

  @ResolveField('spec', () => specObjectType('MeshSpec'), { description: "The mesh's App Mesh MeshSpec." })
  spec(@CurrentScope() scope: TenantScope, @Parent() mesh: ResourceFields): Promise<unknown> {
    return this.loadSpec(scope, mesh);
  }

  @ResolveField('specJson', () => JsonScalar, {
    description: 'The same MeshSpec as one JSON value, as the REST API shows it (for scripts).',
  })
  specJson(@CurrentScope() scope: TenantScope, @Parent() mesh: ResourceFields): Promise<unknown> {
    return this.loadSpec(scope, mesh);
  }

  private async loadSpec(scope: TenantScope, mesh: ResourceFields): Promise<unknown> {
    if (mesh.loadedSpec !== undefined) return mesh.loadedSpec;
    return (await this.resources.describeMesh(scope, { meshName: mesh.meshName })).spec;
  }

  @ResolveField(() => MeshPropagation, {
    description: "Whether the mesh's changes reached its proxies (mesh `status` is App Mesh's lifecycle status).",
  })
  async propagation(@Loaders() loaders: TenantLoaders, @Parent() mesh: ResourceFields): Promise<MeshPropagation> {
    return propagationView(await loaders.status(mesh.meshName));
  }

  @ResolveField(() => [ConnectedProxy], { description: "The proxies connected to the mesh's xDS servers now." })
  async proxies(@Loaders() loaders: TenantLoaders, @Parent() mesh: ResourceFields): Promise<ConnectedProxy[]> {
    return [...(await loaders.proxies(mesh.meshName))] as ConnectedProxy[];
  }

  @ResolveField(() => VirtualNodeConnection)
  virtualNodes(
    @Loaders() loaders: TenantLoaders,
    @Parent() mesh: ResourceFields,
    @Args() page: ConnectionArgs,
    @Args() filter: ListFilterArgs,
  ) {
    return this.children(loaders, mesh, 'virtualNode', page, filter);
  }

  @ResolveField(() => VirtualServiceConnection)
  virtualServices(
    @Loaders() loaders: TenantLoaders,
    @Parent() mesh: ResourceFields,
    @Args() page: ConnectionArgs,
    @Args() filter: ListFilterArgs,
  ) {
    return this.children(loaders, mesh, 'virtualService', page, filter);
  }

  @ResolveField(() => VirtualRouterConnection)
  virtualRouters(
    @Loaders() loaders: TenantLoaders,
    @Parent() mesh: ResourceFields,
    @Args() page: ConnectionArgs,
    @Args() filter: ListFilterArgs,
  ) {
    return this.children(loaders, mesh, 'virtualRouter', page, filter);
  }

  @ResolveField(() => VirtualGatewayConnection)
  virtualGateways(
    @Loaders() loaders: TenantLoaders,
    @Parent() mesh: ResourceFields,
    @Args() page: ConnectionArgs,
    @Args() filter: ListFilterArgs,
  ) {
    return this.children(loaders, mesh, 'virtualGateway', page, filter);
  }

  private children(
    loaders: TenantLoaders,
    mesh: ResourceFields,
    kind: ResourceKind,
    page: ConnectionArgs,
    filter: ListFilterArgs,
  ): Promise<Connection<ResourceFields>> {
    const wanted = listFilter(filter);
    return listPage(
      page,
      (p) => loaders.page(kind, { meshName: mesh.meshName, ...p, ...wanted }),
      (ref) => resourceView(kind, ref),
    );
  }
}
