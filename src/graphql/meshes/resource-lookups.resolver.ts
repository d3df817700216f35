import type { Type } from '@nestjs/common';
import { Args, ArgsType, Field, Query, Resolver } from '@nestjs/graphql';
import type { ResourceKind } from '../../generated/prisma/client.js';
import { KIND_RULES } from '../../meshes/resources/kind-registry.js';
import { Authenticate } from '../../tenants/auth/auth-policy.decorators.js';
import { Loaders } from '../loaders/loaders.decorator.js';
import type { TenantLoaders } from '../loaders/request-loaders.js';
import { nameArg } from './name-args.js';
import { KIND_TYPES, type ResourceFields } from './resource.models.js';
import { resourceView } from './resource-view.js';

/**
 * `<kind>(meshName, [virtualRouterName | virtualGatewayName,] name)`: one resource by its names,
 * the way `mesh(name)` finds one mesh (App Mesh's Describe calls as queries). Answered through
 * the request's loaders, so the lookups of one kind that a request makes (aliases) are one
 * `describeBatch`. The tenant is the caller's; another tenant's resource is as absent as one that
 * never existed: `null` with a NOT_FOUND error.
 */
function KindLookupResolver(kind: ResourceKind, type: Type<ResourceFields>): Type<unknown> {
  const rules = KIND_RULES[kind];
  const parentMember = rules.parent?.nameMember;
  const query = `${rules.apiName[0]!.toLowerCase()}${rules.apiName.slice(1)}`;

  const LookupArgs = class {};
  Object.defineProperty(LookupArgs, 'name', { value: `${rules.apiName}LookupArgs` });
  for (const member of ['meshName', ...(parentMember ? [parentMember] : []), 'name'])
    Field(() => String)(LookupArgs.prototype, member);
  ArgsType()(LookupArgs);

  @Resolver()
  @Authenticate('tenant')
  class KindLookup {
    @Query(() => type, {
      name: query,
      nullable: true,
      description: `One ${rules.apiName} by its names (a NOT_FOUND error when it${
        rules.parent ? `, its ${rules.parent.kind}` : ''
      } or its mesh does not exist, as with \`mesh(name)\`).`,
    })
    async lookup(
      @Loaders() loaders: TenantLoaders,
      @Args({ type: () => LookupArgs }) args: Record<string, string>,
    ): Promise<ResourceFields> {
      const target = {
        meshName: nameArg('meshName', args['meshName']!),
        ...(parentMember ? { parentName: nameArg(parentMember, args[parentMember]!) } : {}),
        name: nameArg('name', args['name']!),
      };
      return resourceView(kind, await loaders.resource(kind, target));
    }
  }
  Object.defineProperty(KindLookup, 'name', { value: `${rules.apiName}LookupResolver` });
  return KindLookup;
}

/** A single lookup for every kind inside a mesh. */
export const RESOURCE_LOOKUP_RESOLVERS: readonly Type<unknown>[] = KIND_TYPES.map(([kind, type]) =>
  KindLookupResolver(kind, type),
);
