import { Args, Mutation, Resolver } from '@nestjs/graphql';
import type { TenantScope } from '../../common/tenancy/tenant-scope.js';
import type { Spec } from '../../meshes/resources/kind-rules.js';
import { MeshResourcesService } from '../../meshes/resources/mesh-resources.service.js';
import type { Tag } from '../../meshes/resources/tags.js';
import { Authenticate, CurrentScope } from '../../tenants/auth/auth-policy.decorators.js';
import { appMeshInput } from './app-mesh-input.js';
import { expectedVersion } from './expected-version.js';
import { appMeshInputType } from './mutation.inputs.js';
import { Mesh, type ResourceFields } from './resource.models.js';
import { meshView } from './resource-view.js';

const CreateMeshInput = appMeshInputType('CreateMeshInput', {
  names: ['meshName'],
  spec: { shape: 'MeshSpec', required: false },
  tags: true,
  clientToken: true,
});
const UpdateMeshInput = appMeshInputType('UpdateMeshInput', {
  names: ['meshName'],
  spec: { shape: 'MeshSpec', required: false },
  clientToken: true,
  expectedVersion: true,
});
const DeleteMeshInput = appMeshInputType('DeleteMeshInput', { names: ['meshName'], expectedVersion: true });

type MeshInput = { meshName: string; spec?: Spec; tags?: Tag[]; clientToken?: string };

/**
 * Mesh writes. Each input passes the App Mesh model's validation of the same operation, then the
 * same service call as REST, so quotas, clientToken idempotency and errors are one set of rules.
 */
@Resolver()
@Authenticate('tenant')
export class MeshMutationsResolver {
  constructor(private readonly resources: MeshResourcesService) {}

  @Mutation(() => Mesh)
  async createMesh(
    @CurrentScope() scope: TenantScope,
    @Args('input', { type: () => CreateMeshInput }) input: Record<string, unknown>,
  ): Promise<ResourceFields> {
    const valid = appMeshInput('CreateMesh', input) as MeshInput;
    return meshView(await this.resources.createMesh(scope, valid));
  }

  @Mutation(() => Mesh, { description: 'Without a spec, leaves it as it is; with one, replaces it.' })
  async updateMesh(
    @CurrentScope() scope: TenantScope,
    @Args('input', { type: () => UpdateMeshInput }) input: Record<string, unknown>,
  ): Promise<ResourceFields> {
    const valid = appMeshInput('UpdateMesh', input) as MeshInput;
    return meshView(await this.resources.updateMesh(scope, { ...valid, ...expectedVersion(input) }));
  }

  @Mutation(() => Mesh, { description: 'Deletes an empty mesh; answers it with status DELETED.' })
  async deleteMesh(
    @CurrentScope() scope: TenantScope,
    @Args('input', { type: () => DeleteMeshInput }) input: Record<string, unknown>,
  ): Promise<ResourceFields> {
    const valid = appMeshInput('DeleteMesh', input) as MeshInput;
    return meshView(await this.resources.deleteMesh(scope, { meshName: valid.meshName, ...expectedVersion(input) }));
  }
}
