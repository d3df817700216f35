import { Int, Parent, ResolveField, Resolver } from '@nestjs/graphql';
import type { TenantScope } from '../../common/tenancy/tenant-scope.js';
import { MeshResourcesService } from '../../meshes/resources/mesh-resources.service.js';
import { Authenticate, CurrentScope } from '../../tenants/auth/auth-policy.decorators.js';
import { Loaders } from '../loaders/loaders.decorator.js';
import type { TenantLoaders } from '../loaders/request-loaders.js';
import { Mesh, type ResourceFields } from '../meshes/resource.models.js';
import { meshTopology } from './mesh-topology.js';
import { MeshTopology, TopologyNode, TopologyNodeKind } from './topology.models.js';

/** `Mesh.topology`: the whole mesh from one consistent read (two queries, whatever its size). */
@Resolver(() => Mesh)
@Authenticate('tenant')
export class MeshTopologyResolver {
  constructor(private readonly resources: MeshResourcesService) {}

  @ResolveField(() => MeshTopology, {
    description: 'The mesh as nodes and edges ready to draw, from one consistent read of the whole mesh.',
  })
  async topology(@CurrentScope() scope: TenantScope, @Parent() mesh: ResourceFields): Promise<MeshTopology> {
    const { resources } = await this.resources.meshContents(scope, { meshName: mesh.meshName });
    return meshTopology(mesh.meshName, resources);
  }
}

/** How many proxies run as a topology's virtual node or gateway (the mesh's proxies are read once). */
@Resolver(() => TopologyNode)
@Authenticate('tenant')
export class TopologyNodeResolver {
  @ResolveField(() => Int, {
    nullable: true,
    description: 'Proxies connected now as this virtual node or virtual gateway; null for other kinds.',
  })
  async proxies(@Loaders() loaders: TenantLoaders, @Parent() node: TopologyNode): Promise<number | null> {
    const kind =
      node.kind === TopologyNodeKind.VIRTUAL_NODE
        ? 'virtualNode'
        : node.kind === TopologyNodeKind.VIRTUAL_GATEWAY
          ? 'virtualGateway'
          : undefined;
    if (!kind) return null;
    return (await loaders.proxies(node.meshName)).filter((p) => p.kind === kind && p.name === node.name).length;
  }
}
