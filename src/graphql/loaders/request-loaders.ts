import { Injectable } from '@nestjs/common';
import DataLoader from 'dataloader';
import type { TenantScope } from '../../common/tenancy/tenant-scope.js';
import type { ResourceKind } from '../../generated/prisma/client.js';
import {
  MeshResourcesService,
  type MeshTarget,
  type Page,
  type PageRequest,
} from '../../meshes/resources/mesh-resources.service.js';
import type { ListFilter } from '../../meshes/resources/mesh-store.js';
import type { ResourceData } from '../../meshes/resources/resource-views.js';
import { MeshStatusService, type ProxyView } from '../../xds-fleet/status/mesh-status.service.js';

/** One page of the children of one parent, maybe filtered: what a nested connection asks for. */
export type ChildPageKey = MeshTarget & { readonly parentName?: string } & PageRequest & ListFilter;

/**
 * The batched reads of ONE GraphQL request (against N+1): every nested connection of a kind that
 * the request resolves in one tick is one `listDataBatch` (one query for all its pages, whatever
 * the number of parents), and a mesh's connected proxies are read once however many virtual nodes
 * ask. Bound to one tenant: built from the request's authenticated scope, never shared between
 * requests, so nothing cached outlives the request or crosses tenants.
 */
export class TenantLoaders {
  private readonly pages = new Map<ResourceKind, DataLoader<ChildPageKey, Page<ResourceData>, string>>();
  private readonly proxiesByMesh: DataLoader<string, readonly ProxyView[]>;

  constructor(
    readonly scope: TenantScope,
    private readonly resources: MeshResourcesService,
    status: MeshStatusService,
  ) {
    // Per distinct mesh: the registry is read per mesh (one mesh lookup and one Redis read each).
    this.proxiesByMesh = new DataLoader((meshNames) =>
      Promise.all(meshNames.map((m) => status.proxies(scope, m).catch((err: Error) => err))),
    );
  }

  /** One page of `kind` under one parent (a mesh, or a router or gateway named by `parentName`). */
  page(kind: ResourceKind, key: ChildPageKey): Promise<Page<ResourceData>> {
    let loader = this.pages.get(kind);
    if (!loader) {
      // DataLoader rejects the `load` of a key whose answer is an Error: that page's own error.
      loader = new DataLoader<ChildPageKey, Page<ResourceData>, string>(
        (keys) => this.resources.listDataBatch(this.scope, kind, keys),
        {
          cacheKeyFn: (k) =>
            JSON.stringify([
              k.meshName,
              k.meshOwner ?? null,
              k.parentName ?? '',
              k.limit,
              k.nextToken,
              k.namePrefix ?? null,
              k.tag ?? null,
            ]),
        },
      );
      this.pages.set(kind, loader);
    }
    return loader.load(key);
  }

  /** The proxies connected to one mesh now (read once per request). */
  proxies(meshName: string): Promise<readonly ProxyView[]> {
    return this.proxiesByMesh.load(meshName);
  }
}

/** The loaders of one request: created empty per request, one TenantLoaders per tenant it serves (one). */
export class RequestLoaders {
  private readonly byTenant = new Map<string, TenantLoaders>();

  constructor(
    private readonly resources: MeshResourcesService,
    private readonly status: MeshStatusService,
  ) {}

  of(scope: TenantScope): TenantLoaders {
    let loaders = this.byTenant.get(scope.tenantId);
    if (!loaders) this.byTenant.set(scope.tenantId, (loaders = new TenantLoaders(scope, this.resources, this.status)));
    return loaders;
  }
}

/** Makes each GraphQL request's loaders (the driver's `context` factory calls it once per request). */
@Injectable()
export class RequestLoadersFactory {
  constructor(
    private readonly resources: MeshResourcesService,
    private readonly status: MeshStatusService,
  ) {}

  create(): RequestLoaders {
    return new RequestLoaders(this.resources, this.status);
  }
}

/** What the GraphQL context carries besides the driver's `req`. */
export interface GraphqlRequestContext {
  readonly loaders: RequestLoaders;
}
