import { Inject, type Type } from '@nestjs/common';
import { Args, ID, Mutation, Parent, ResolveField, Resolver } from '@nestjs/graphql';
import type { TenantScope } from '../../common/tenancy/tenant-scope.js';
import { Authenticate, CurrentScope } from '../../tenants/auth/auth-policy.decorators.js';
import type { ProxyKind } from '../../xds-fleet/identity/proxy-identity.js';
import { ProxyTokenService } from '../../xds-fleet/identity/proxy-tokens.service.js';
import { Loaders } from '../loaders/loaders.decorator.js';
import type { TenantLoaders } from '../loaders/request-loaders.js';
import type { ProxyTokenView } from '../../xds-fleet/identity/proxy-token.view.js';
import { BootstrapService, type GeneratedBootstrap } from '../../xds-fleet/onboarding/bootstrap.service.js';
import { nameArg } from '../meshes/name-args.js';
import { VirtualGateway, VirtualNode, type ResourceFields } from '../meshes/resource.models.js';
import {
  Bootstrap,
  BootstrapFormat,
  ProxyToken,
  VirtualGatewayBootstrapInput,
  VirtualNodeBootstrapInput,
} from './onboarding.models.js';

/**
 * The options as the REST query carries them, for the one validation both transports share:
 * undefined members are left out (absent, not "given as nothing") and `tls` is the query's text.
 */
function bootstrapQuery(options: Record<string, unknown>): Record<string, unknown> {
  const query: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) {
    if (value === undefined || value === null) continue;
    query[key] = key === 'tls' ? String(value) : value;
  }
  return query;
}

function bootstrapView(generated: GeneratedBootstrap): Bootstrap {
  return {
    format: generated.format === 'grpc' ? BootstrapFormat.GRPC : BootstrapFormat.ENVOY,
    contentType: generated.contentType,
    body: generated.body,
    tokenId: generated.tokenId,
  };
}

/**
 * Bootstraps are mutations, not fields of VirtualNode: every one issues a new proxy token (a write
 * that must not be repeated by a retry, a cache or a prefetching client), as the REST download does.
 */
@Resolver()
@Authenticate('tenant')
export class OnboardingMutationsResolver {
  constructor(
    private readonly bootstraps: BootstrapService,
    private readonly tokens: ProxyTokenService,
  ) {}

  @Mutation(() => Bootstrap, {
    description:
      'A bootstrap for a proxy of a virtual node, with a new proxy token (GET …/virtualNodes/{name}/bootstrap).',
  })
  async issueVirtualNodeBootstrap(
    @CurrentScope() scope: TenantScope,
    @Args('input', { type: () => VirtualNodeBootstrapInput }) input: VirtualNodeBootstrapInput,
  ): Promise<Bootstrap> {
    const { meshName, virtualNodeName, ...options } = input;
    const resource = {
      meshName: nameArg('input.meshName', meshName),
      kind: 'virtualNode' as const,
      name: nameArg('input.virtualNodeName', virtualNodeName),
    };
    return bootstrapView(await this.bootstraps.generate(scope, resource, bootstrapQuery(options), 'input'));
  }

  @Mutation(() => Bootstrap, {
    description:
      'A bootstrap for a proxy of a virtual gateway, with a new proxy token (GET …/virtualGateways/{name}/bootstrap).',
  })
  async issueVirtualGatewayBootstrap(
    @CurrentScope() scope: TenantScope,
    @Args('input', { type: () => VirtualGatewayBootstrapInput }) input: VirtualGatewayBootstrapInput,
  ): Promise<Bootstrap> {
    const { meshName, virtualGatewayName, ...options } = input;
    const resource = {
      meshName: nameArg('input.meshName', meshName),
      kind: 'virtualGateway' as const,
      name: nameArg('input.virtualGatewayName', virtualGatewayName),
    };
    return bootstrapView(await this.bootstraps.generate(scope, resource, bootstrapQuery(options), 'input'));
  }

  @Mutation(() => ProxyToken, {
    description:
      "Revokes a proxy token: every stream presenting it ends, on every xds shard, and no new one opens. Another tenant's token is NOT_FOUND.",
  })
  revokeProxyToken(
    @CurrentScope() scope: TenantScope,
    @Args('id', { type: () => ID }) id: string,
  ): Promise<ProxyTokenView> {
    return this.tokens.revoke(scope, id);
  }
}

/** The proxy tokens of one virtual node or gateway, oldest first, never their secrets. */
function ProxyTokensResolver(type: Type<ResourceFields>, kind: ProxyKind): Type<unknown> {
  @Resolver(() => type)
  @Authenticate('tenant')
  class KindProxyTokensResolver {
    @ResolveField(() => [ProxyToken], { description: `The proxy tokens issued for this ${type.name}, oldest first.` })
    proxyTokens(@Loaders() loaders: TenantLoaders, @Parent() resource: ResourceFields): Promise<ProxyTokenView[]> {
      return loaders.proxyTokens({ meshName: resource.meshName, kind, name: resource.name });
    }
  }
  Object.defineProperty(KindProxyTokensResolver, 'name', { value: `${type.name}ProxyTokensResolver` });
  return KindProxyTokensResolver;
}

export const ONBOARDING_RESOLVERS: readonly Type<unknown>[] = [
  OnboardingMutationsResolver,
  ProxyTokensResolver(VirtualNode, 'virtualNode'),
  ProxyTokensResolver(VirtualGateway, 'virtualGateway'),
];
