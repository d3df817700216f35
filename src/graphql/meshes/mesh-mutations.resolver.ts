import { Args, Mutation, Resolver } from '@nestjs/graphql';
import type { TenantScope } from '../../common/tenancy/tenant-scope.js';
import type { Spec } from '../../meshes/resources/kind-rules.js';
import { MeshResourcesService } from '../../meshes/resources/mesh-resources.service.js';
import type { Tag } from '../../meshes/resources/tags.js';
import { Authenticate, CurrentScope } from '../../tenants/auth/auth-policy.decorators.js';
import { appMeshInput } from './app-mesh-input.js';
import { CreateMeshInput, CreateVirtualNodeInput, UpdateVirtualNodeInput } from './mutation.inputs.js';
import { Mesh, VirtualNode, type ResourceFields } from './resource.models.js';
import { meshView, resourceView } from './resource-view.js';

type Validated = { meshName: string; spec: Spec; tags?: Tag[]; clientToken?: string } & Record<string, unknown>;

/**
 * The first writes of the GraphQL API: meshes, and one kind (virtual nodes) end to end. Each
 * input passes the App Mesh model's validation of the same operation, then the same service call
 * as REST, so quotas, references, clientToken idempotency and errors are one set of rules.
 */
@Resolver()
@Authenticate('tenant')
export class MeshMutationsResolver {
  constructor(private readonly resources: MeshResourcesService) {}

  @Mutation(() => Mesh)
  async createMesh(@CurrentScope() scope: TenantScope, @Args('input') input: CreateMeshInput): Promise<ResourceFields> {
    const valid = appMeshInput('CreateMesh', {}, { ...input }) as Validated;
    return meshView(await this.resources.createMesh(scope, valid));
  }

  @Mutation(() => Mesh, { description: 'Deletes an empty mesh; answers it with status DELETED.' })
  async deleteMesh(@CurrentScope() scope: TenantScope, @Args('meshName') meshName: string): Promise<ResourceFields> {
    const valid = appMeshInput('DeleteMesh', { meshName }, {}) as Validated;
    return meshView(await this.resources.deleteMesh(scope, { meshName: valid.meshName }));
  }

  @Mutation(() => VirtualNode)
  async createVirtualNode(
    @CurrentScope() scope: TenantScope,
    @Args('input') input: CreateVirtualNodeInput,
  ): Promise<ResourceFields> {
    const { meshName, ...body } = input;
    const valid = appMeshInput('CreateVirtualNode', { meshName }, body) as Validated;
    const created = await this.resources.create(scope, 'virtualNode', {
      ...valid,
      name: String(valid.virtualNodeName),
    });
    return resourceView('virtualNode', created);
  }

  @Mutation(() => VirtualNode)
  async updateVirtualNode(
    @CurrentScope() scope: TenantScope,
    @Args('input') input: UpdateVirtualNodeInput,
  ): Promise<ResourceFields> {
    const { meshName, virtualNodeName, ...body } = input;
    const valid = appMeshInput('UpdateVirtualNode', { meshName, virtualNodeName }, body) as Validated;
    const updated = await this.resources.update(scope, 'virtualNode', {
      ...valid,
      name: String(valid.virtualNodeName),
    });
    return resourceView('virtualNode', updated);
  }

  @Mutation(() => VirtualNode, {
    description: 'Deletes a virtual node nothing references; answers it with status DELETED.',
  })
  async deleteVirtualNode(
    @CurrentScope() scope: TenantScope,
    @Args('meshName') meshName: string,
    @Args('virtualNodeName') virtualNodeName: string,
  ): Promise<ResourceFields> {
    const valid = appMeshInput('DeleteVirtualNode', { meshName, virtualNodeName }, {}) as Validated;
    const deleted = await this.resources.delete(scope, 'virtualNode', {
      meshName: valid.meshName,
      name: String(valid.virtualNodeName),
    });
    return resourceView('virtualNode', deleted);
  }
}
