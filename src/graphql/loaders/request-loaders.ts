import { Injectable } from '@nestjs/common';
import DataLoader from 'dataloader';
import type { TenantScope } from '../../common/tenancy/tenant-scope.js';
import type { ResourceKind } from '../../generated/prisma/client.js';
import {
  MeshResourcesService,
  type MeshTarget,
  type Page,
  type PageRequest,
  type ResourceTarget,
} from '../../meshes/resources/mesh-resources.service.js';
import type { ListFilter } from '../../meshes/resources/mesh-store.js';
import type { ResourceData } from '../../meshes/resources/resource-views.js';
import type { ProxyKind } from '../../xds-fleet/identity/proxy-identity.js';
import { ProxyTokenService } from '../../xds-fleet/identity/proxy-tokens.service.js';
import type { ProxyTokenView } from '../../xds-fleet/identity/proxy-token.view.js';
import { MeshStatusService, type MeshStatus, type ProxyView } from '../../xds-fleet/status/mesh-status.service.js';

/** A virtual node or gateway, as the owner of proxy tokens. */
export interface ProxyOwner {
  readonly meshName: string;
  readonly kind: ProxyKind;
  readonly name: string;
}

/** One page of the children of one parent, maybe filtered: what a nested connection asks for. */
export type ChildPageKey = MeshTarget & { readonly parentName?: string } & PageRequest & ListFilter;

/**
 * The batched reads of ONE GraphQL request (against N+1): every nested connection of a kind that
 * the request resolves in one tick is one `listDataBatch` (one query for all its pages, whatever
 * the number of parents), and every single lookup of a kind one `describeBatch`; a mesh's connected proxies and its propagation status are read once
 * however many fields ask, and for all the meshes of a page with one SQL statement (the fleet's
 * Redis records are then read per mesh, concurrently); the proxy tokens of every virtual node or
 * gateway resolved in one tick are one statement (and one for their meshes). Bound to one tenant: built from the request's authenticated scope, never shared between
 * requests, so nothing cached outlives the request or crosses tenants.
 */
export class TenantLoaders {
  private readonly pages = new Map<ResourceKind, DataLoader<ChildPageKey, Page<ResourceData>, string>>();
  private readonly described = new Map<ResourceKind, DataLoader<ResourceTarget, ResourceData, string>>();
  private readonly proxiesByMesh: DataLoader<string, readonly ProxyView[]>;
  private readonly statusByMesh: DataLoader<string, MeshStatus>;
  private readonly tokensByProxy: DataLoader<ProxyOwner, ProxyTokenView[], string>;

  constructor(
    readonly scope: TenantScope,
    private readonly resources: MeshResourcesService,
    status: MeshStatusService,
    tokens: ProxyTokenService,
  ) {
    // DataLoader rejects the `load` of a key whose answer is an Error: that mesh's own error.
    this.proxiesByMesh = new DataLoader((meshNames) => status.proxiesBatch(scope, meshNames));
    this.statusByMesh = new DataLoader((meshNames) => status.statusBatch(scope, meshNames));
    this.tokensByProxy = new DataLoader((owners) => tokens.listBatch(scope, owners), {
      cacheKeyFn: (o) => JSON.stringify([o.meshName, o.kind, o.name]),
    });
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

  /** One resource of `kind`, as a describe reads it; every lookup of the kind in one tick is one batch. */
  resource(kind: ResourceKind, target: ResourceTarget): Promise<ResourceData> {
    let loader = this.described.get(kind);
    if (!loader) {
      // DataLoader rejects the `load` of a key whose answer is an Error: that lookup's NotFound.
      loader = new DataLoader<ResourceTarget, ResourceData, string>(
        (targets) => this.resources.describeBatch(this.scope, kind, targets),
        { cacheKeyFn: (t) => JSON.stringify([t.meshName, t.meshOwner ?? null, t.parentName ?? '', t.name]) },
      );
      this.described.set(kind, loader);
    }
    return loader.load(target);
  }

  /** The proxies connected to one mesh now (read once per request). */
  proxies(meshName: string): Promise<readonly ProxyView[]> {
    return this.proxiesByMesh.load(meshName);
  }

  /** What the fleet made of one mesh's changes (read once per request). */
  status(meshName: string): Promise<MeshStatus> {
    return this.statusByMesh.load(meshName);
  }

  /** The proxy tokens of one virtual node or gateway, oldest first. */
  proxyTokens(owner: ProxyOwner): Promise<ProxyTokenView[]> {
    return this.tokensByProxy.load(owner);
  }
}

/** The loaders of one request: created empty per request, one TenantLoaders per tenant it serves (one). */
export class RequestLoaders {
  private readonly byTenant = new Map<string, TenantLoaders>();

  constructor(
    private readonly resources: MeshResourcesService,
    private readonly status: MeshStatusService,
    private readonly tokens: ProxyTokenService,
  ) {}

  of(scope: TenantScope): TenantLoaders {
    let loaders = this.byTenant.get(scope.tenantId);
    if (!loaders) {
      loaders = new TenantLoaders(scope, this.resources, this.status, this.tokens);
      this.byTenant.set(scope.tenantId, loaders);
    }
    return loaders;
  }
}

/** Makes each GraphQL request's loaders (the driver's `context` factory calls it once per request). */
@Injectable()
export class RequestLoadersFactory {
  constructor(
    private readonly resources: MeshResourcesService,
    private readonly status: MeshStatusService,
    private readonly tokens: ProxyTokenService,
  ) {}

  create(): RequestLoaders {
    return new RequestLoaders(this.resources, this.status, this.tokens);
  }
}

/** What the GraphQL context carries besides the driver's `req`. */
export interface GraphqlRequestContext {
  readonly loaders: RequestLoaders;
}
