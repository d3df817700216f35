import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import type { TenantScope } from '../../common/tenancy/tenant-scope.js';
import { Ec2SyncSourcesService } from '../../registry/ec2/ec2-sync-sources.service.js';
import type { Ec2SyncSourceView } from '../../registry/ec2/ec2-sync-source.views.js';
import { Authenticate, CurrentScope } from '../../tenants/auth/auth-policy.decorators.js';
import { CreateEc2SyncSourceInput, Ec2SyncSource, UpdateEc2SyncSourceInput } from './ec2-sync.models.js';

/**
 * The members a client gave, as plain data for the service's validation (the REST body's rules):
 * a null is "not given", except `endpoint: null`, which removes the override.
 */
function given(input: object | undefined, keepNull: readonly string[] = []): Record<string, unknown> {
  const plain = (v: unknown): unknown =>
    Array.isArray(v) ? v.map(plain) : v !== null && typeof v === 'object' ? given(v) : v;
  return Object.fromEntries(
    Object.entries(input ?? {})
      .filter(([k, v]) => v !== undefined && (v !== null || keepNull.includes(k)))
      .map(([k, v]) => [k, plain(v)]),
  );
}

/** EC2 sync sources over GraphQL: the same service and rules as /v1/ec2-sync-sources. */
@Resolver(() => Ec2SyncSource)
@Authenticate('tenant')
export class Ec2SyncSourcesResolver {
  constructor(private readonly sources: Ec2SyncSourcesService) {}

  @Query(() => [Ec2SyncSource], { description: "The caller's EC2 sync sources, by name." })
  ec2SyncSources(@CurrentScope() scope: TenantScope): Promise<Ec2SyncSourceView[]> {
    return this.sources.list(scope);
  }

  @Query(() => Ec2SyncSource, { description: "One EC2 sync source; another tenant's is NOT_FOUND." })
  ec2SyncSource(
    @CurrentScope() scope: TenantScope,
    @Args('id', { type: () => ID }) id: string,
  ): Promise<Ec2SyncSourceView> {
    return this.sources.get(scope, id);
  }

  @Mutation(() => Ec2SyncSource, { description: 'Creates a source and schedules it (its first run starts at once).' })
  createEc2SyncSource(
    @CurrentScope() scope: TenantScope,
    @Args('input', { type: () => CreateEc2SyncSourceInput }) input: CreateEc2SyncSourceInput,
  ): Promise<Ec2SyncSourceView> {
    return this.sources.create(scope, given(input));
  }

  @Mutation(() => Ec2SyncSource, { description: 'Changes a source; its status starts over and a run is queued.' })
  updateEc2SyncSource(
    @CurrentScope() scope: TenantScope,
    @Args('id', { type: () => ID }) id: string,
    @Args('input', { type: () => UpdateEc2SyncSourceInput }) input: UpdateEc2SyncSourceInput,
  ): Promise<Ec2SyncSourceView> {
    return this.sources.update(scope, id, given(input, ['endpoint']));
  }

  @Mutation(() => ID, { description: 'Deletes a source and the registry instances it wrote; returns its id.' })
  async deleteEc2SyncSource(
    @CurrentScope() scope: TenantScope,
    @Args('id', { type: () => ID }) id: string,
  ): Promise<string> {
    return (await this.sources.delete(scope, id)).id;
  }

  @Mutation(() => Ec2SyncSource, { description: 'Queues a run now (one pending per source).' })
  syncEc2SyncSource(
    @CurrentScope() scope: TenantScope,
    @Args('id', { type: () => ID }) id: string,
  ): Promise<Ec2SyncSourceView> {
    return this.sources.syncNow(scope, id);
  }
}
