import { Info, Parent, ResolveField, Resolver } from '@nestjs/graphql';
import type { GraphQLResolveInfo } from 'graphql';
import type { TenantScope } from '../../common/tenancy/tenant-scope.js';
import { MeshResourcesService } from '../../meshes/resources/mesh-resources.service.js';
import { Authenticate, CurrentScope } from '../../tenants/auth/auth-policy.decorators.js';
import { Loaders } from '../loaders/loaders.decorator.js';
import type { TenantLoaders } from '../loaders/request-loaders.js';
import { Mesh, type ResourceFields } from '../meshes/resource.models.js';
import { selects } from './field-selection.js';
import { meshTopology } from './mesh-topology.js';
import { MeshTopology, TopologyNodeKind } from './topology.models.js';

/** The proxy kind a topology node's proxies run as, if it has any. */
const PROXY_KIND: Partial<Record<TopologyNodeKind, string>> = {
  [TopologyNodeKind.VIRTUAL_NODE]: 'virtualNode',
  [TopologyNodeKind.VIRTUAL_GATEWAY]: 'virtualGateway',
};

/**
 * `Mesh.topology`: the whole mesh from one consistent read (two queries, whatever its size), and,
 * when `nodes { proxies }` is asked for, the proxy counts from one read of the mesh's proxies,
 * counted here rather than by a field resolver per node (a 500-node topology has 1,200 nodes).
 */
@Resolver(() => Mesh)
@Authenticate('tenant')
export class MeshTopologyResolver {
  constructor(private readonly resources: MeshResourcesService) {}

  @ResolveField(() => MeshTopology, {
    description: 'The mesh as nodes and edges ready to draw, from one consistent read of the whole mesh.',
  })
  async topology(
    @CurrentScope() scope: TenantScope,
    @Loaders() loaders: TenantLoaders,
    @Parent() mesh: ResourceFields,
    @Info() info: GraphQLResolveInfo,
  ): Promise<MeshTopology> {
    const wantsProxies = selects(info, ['nodes', 'proxies']);
    const [{ resources }, proxies] = await Promise.all([
      this.resources.meshContents(scope, { meshName: mesh.meshName }),
      wantsProxies ? loaders.proxies(mesh.meshName) : [],
    ]);
    const topology = meshTopology(resources);
    if (!wantsProxies) return topology;
    const counts = new Map<string, number>();
    for (const p of proxies) counts.set(`${p.kind}/${p.name}`, (counts.get(`${p.kind}/${p.name}`) ?? 0) + 1);
    for (const node of topology.nodes) {
      const kind = PROXY_KIND[node.kind];
      node.proxies = kind === undefined ? null : (counts.get(`${kind}/${node.name}`) ?? 0);
    }
    return topology;
  }
}
