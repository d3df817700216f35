import { Inject, type Type } from '@nestjs/common';
import { Args, Mutation, Resolver } from '@nestjs/graphql';
import type { TenantScope } from '../../common/tenancy/tenant-scope.js';
import type { ResourceKind } from '../../generated/prisma/client.js';
import type { OperationName } from '../../meshes/api-model/app-mesh-model.js';
import { KIND_RULES } from '../../meshes/resources/kind-registry.js';
import type { Spec } from '../../meshes/resources/kind-rules.js';
import { MeshResourcesService, type ResourceTarget } from '../../meshes/resources/mesh-resources.service.js';
import type { Tag } from '../../meshes/resources/tags.js';
import { Authenticate, CurrentScope } from '../../tenants/auth/auth-policy.decorators.js';
import { appMeshInput } from './app-mesh-input.js';
import { expectedVersion } from './expected-version.js';
import { appMeshInputType } from './mutation.inputs.js';
import { KIND_TYPES, type ResourceFields } from './resource.models.js';
import { resourceView } from './resource-view.js';

/**
 * `create<Kind>`, `update<Kind>` and `delete<Kind>` for one kind inside a mesh. Each input passes
 * the App Mesh model's validation of the same operation (`CreateVirtualNode`, ...), then the same
 * service call as REST: one set of rules (references, quotas, clientToken, errors), two transports.
 */
function KindMutationsResolver(kind: ResourceKind, type: Type<ResourceFields>): Type<unknown> {
  const rules = KIND_RULES[kind];
  const api = rules.apiName;
  const names = ['meshName', ...(rules.parent ? [rules.parent.nameMember] : []), rules.nameMember];
  const spec = { shape: `${api}Spec`, required: true };
  const CreateInput = appMeshInputType(`Create${api}Input`, { names, spec, tags: true, clientToken: true });
  const UpdateInput = appMeshInputType(`Update${api}Input`, { names, spec, clientToken: true, expectedVersion: true });
  const DeleteInput = appMeshInputType(`Delete${api}Input`, { names, expectedVersion: true });
  const operation = (verb: 'Create' | 'Update' | 'Delete') => `${verb}${api}` as OperationName;

  /** The service's target from a validated input: App Mesh's `<kind>Name` is the service's `name`. */
  const target = (
    valid: Record<string, unknown>,
  ): ResourceTarget & { spec: Spec; tags?: Tag[]; clientToken?: string } => {
    const { [rules.nameMember]: name, ...rest } = valid;
    const parentName = rules.parent ? valid[rules.parent.nameMember] : undefined;
    return {
      ...(rest as { meshName: string; spec: Spec; tags?: Tag[]; clientToken?: string }),
      name: String(name),
      ...(typeof parentName === 'string' ? { parentName } : {}),
    };
  };

  @Resolver()
  @Authenticate('tenant')
  class KindMutations {
    constructor(@Inject(MeshResourcesService) private readonly resources: MeshResourcesService) {}

    @Mutation(() => type, { name: `create${api}` })
    async create(
      @CurrentScope() scope: TenantScope,
      @Args('input', { type: () => CreateInput }) input: Record<string, unknown>,
    ): Promise<ResourceFields> {
      const valid = appMeshInput(operation('Create'), input);
      return resourceView(kind, await this.resources.create(scope, kind, target(valid)));
    }

    @Mutation(() => type, { name: `update${api}`, description: `Replaces the ${api}'s spec.` })
    async update(
      @CurrentScope() scope: TenantScope,
      @Args('input', { type: () => UpdateInput }) input: Record<string, unknown>,
    ): Promise<ResourceFields> {
      const valid = appMeshInput(operation('Update'), input);
      return resourceView(
        kind,
        await this.resources.update(scope, kind, { ...target(valid), ...expectedVersion(input) }),
      );
    }

    @Mutation(() => type, {
      name: `delete${api}`,
      description: `Deletes a ${api} nothing references; answers it with status DELETED.`,
    })
    async delete(
      @CurrentScope() scope: TenantScope,
      @Args('input', { type: () => DeleteInput }) input: Record<string, unknown>,
    ): Promise<ResourceFields> {
      const valid = appMeshInput(operation('Delete'), input);
      return resourceView(
        kind,
        await this.resources.delete(scope, kind, { ...target(valid), ...expectedVersion(input) }),
      );
    }
  }
  Object.defineProperty(KindMutations, 'name', { value: `${api}MutationsResolver` });
  return KindMutations;
}

/** Writes for every kind inside a mesh. */
export const KIND_MUTATION_RESOLVERS: readonly Type<unknown>[] = KIND_TYPES.map(([kind, type]) =>
  KindMutationsResolver(kind, type),
);
