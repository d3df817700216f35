import { Args, Field, InputType, Mutation, Resolver } from '@nestjs/graphql';
import type { TenantScope } from '../../common/tenancy/tenant-scope.js';
import { ResourceTagsService } from '../../meshes/resources/resource-tags.service.js';
import type { Tag } from '../../meshes/resources/tags.js';
import { Authenticate, CurrentScope } from '../../tenants/auth/auth-policy.decorators.js';
import { specInputType, specObjectType } from '../specs/spec-types.js';
import { appMeshInput } from './app-mesh-input.js';

@InputType({ description: "App Mesh's TagResource: adds tags to a resource, or overwrites the values of its keys." })
class TagResourceInput {
  @Field({ description: 'The ARN of the mesh or mesh resource.' })
  resourceArn!: string;

  @Field(() => [specInputType('TagRef')])
  tags!: Tag[];
}

@InputType({ description: "App Mesh's UntagResource: removes tags by key (keys the resource lacks are no error)." })
class UntagResourceInput {
  @Field({ description: 'The ARN of the mesh or mesh resource.' })
  resourceArn!: string;

  @Field(() => [String])
  tagKeys!: string[];
}

/**
 * Tags by ARN, through the same service as REST's TagResource and UntagResource (the same
 * validation, per-plan tag quota, and NOT_FOUND alike for another account's ARN and for none).
 * Tags are not part of the compiled configuration: they bump neither version nor generation.
 */
@Resolver()
@Authenticate('tenant')
export class TagMutationsResolver {
  constructor(private readonly tags: ResourceTagsService) {}

  @Mutation(() => [specObjectType('TagRef')], { description: 'Tags a resource; answers all of its tags after.' })
  tagResource(
    @CurrentScope() scope: TenantScope,
    @Args('input', { type: () => TagResourceInput }) input: TagResourceInput,
  ): Promise<Tag[]> {
    const valid = appMeshInput('TagResource', { ...input }) as { resourceArn: string; tags: Tag[] };
    return this.tags.tag(scope, valid);
  }

  @Mutation(() => [specObjectType('TagRef')], { description: 'Untags a resource; answers the tags it keeps.' })
  untagResource(
    @CurrentScope() scope: TenantScope,
    @Args('input', { type: () => UntagResourceInput }) input: UntagResourceInput,
  ): Promise<Tag[]> {
    const valid = appMeshInput('UntagResource', { ...input }) as { resourceArn: string; tagKeys: string[] };
    return this.tags.untag(scope, valid);
  }
}
