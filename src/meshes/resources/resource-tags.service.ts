import { Inject, Injectable } from '@nestjs/common';
import { notFound } from '../../common/errors/domain-error.js';
import { parseArn } from '../../common/ids/arn.js';
import { decodePageToken, encodePageToken } from '../../common/pagination/page-token.js';
import type { TenantScope } from '../../common/tenancy/tenant-scope.js';
import { APP_CONFIG } from '../../config/config.module.js';
import type { AppConfig } from '../../config/config.schema.js';
import type { ResourceKind } from '../../generated/prisma/client.js';
import { asJson } from './idempotency.js';
import { TAGS_PER_REQUEST } from '../../billing/plans/plan-quotas.js';
import { PlansService } from '../../billing/plans/plans.service.js';
import type { MeshStore } from './mesh-store.js';
import { MeshStoreFactory } from './mesh-store.factory.js';
import { mergeTags, removeTags, validateTags, type Tag } from './tags.js';

const TAG_KINDS = new Set<string>([
  'virtualNode',
  'virtualService',
  'virtualRouter',
  'route',
  'virtualGateway',
  'gatewayRoute',
]);

/**
 * Tags by ARN. An ARN of another account, another region, or a resource that does not exist all
 * answer NotFound alike: a tenant cannot learn whether someone else's resource exists.
 */
@Injectable()
export class ResourceTagsService {
  constructor(
    private readonly stores: MeshStoreFactory,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly plans: PlansService,
  ) {}

  async list(
    scope: TenantScope,
    input: { resourceArn: string; limit?: number; nextToken?: string },
  ): Promise<{ tags: Tag[]; nextToken?: string }> {
    const { tags } = await this.locate(this.stores.reader(scope), input.resourceArn);
    const sorted = [...tags].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    const after =
      input.nextToken === undefined ? undefined : decodePageToken(input.nextToken, `tags:${input.resourceArn}`);
    const rest = after === undefined ? sorted : sorted.filter((t) => t.key > after);
    const limit = input.limit ?? 50;
    const page = rest.slice(0, limit);
    const last = page.at(-1);
    return rest.length > limit && last
      ? { tags: page, nextToken: encodePageToken(`tags:${input.resourceArn}`, last.key) }
      : { tags: page };
  }

  /** Adds or overwrites tags; answers the resource's tags after the change. */
  async tag(scope: TenantScope, input: { resourceArn: string; tags: Tag[] }): Promise<Tag[]> {
    const { quotas } = await this.plans.inForce(scope.tenantId);
    return this.stores.transaction(scope, async (store) => {
      const found = await this.locate(store, input.resourceArn);
      const next = validateTags(
        mergeTags(found.tags, validateTags(input.tags, TAGS_PER_REQUEST)),
        quotas.tagsPerResource,
      );
      await found.save(next);
      return next;
    });
  }

  /** Removes tags by key (absent keys are no error); answers the resource's tags after the change. */
  untag(scope: TenantScope, input: { resourceArn: string; tagKeys: string[] }): Promise<Tag[]> {
    return this.stores.transaction(scope, async (store) => {
      const found = await this.locate(store, input.resourceArn);
      const next = removeTags(found.tags, input.tagKeys);
      await found.save(next);
      return next;
    });
  }

  private async locate(
    store: MeshStore,
    arn: string,
  ): Promise<{ tags: Tag[]; save: (tags: Tag[]) => Promise<unknown> }> {
    const parts = parseArn(arn);
    const missing = () => notFound(`Resource ${arn} does not exist in account ${store.scope.accountId}.`);
    if (!parts || parts.accountId !== store.scope.accountId || parts.region !== this.config.region) throw missing();
    const mesh = await store.findMesh(parts.meshName);
    if (!mesh) throw missing();
    if (parts.kind === undefined) {
      return { tags: mesh.tags as unknown as Tag[], save: (tags) => store.setMeshTags(mesh, asJson(tags)) };
    }
    if (!TAG_KINDS.has(parts.kind)) throw missing();
    const row = await store.findResource(mesh.id, {
      kind: parts.kind as ResourceKind,
      parentName: parts.parentName ?? '',
      name: parts.name ?? '',
    });
    if (!row) throw missing();
    return { tags: row.tags as unknown as Tag[], save: (tags) => store.setResourceTags(row, asJson(tags)) };
  }
}
