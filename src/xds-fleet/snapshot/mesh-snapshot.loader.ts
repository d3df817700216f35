import { Inject, Injectable } from '@nestjs/common';
import { formatArn } from '../../common/ids/arn.js';
import type { TenantScope } from '../../common/tenancy/tenant-scope.js';
import { APP_CONFIG } from '../../config/config.module.js';
import type { AppConfig } from '../../config/config.schema.js';
import type { Mesh, MeshResource, ResourceKind } from '../../generated/prisma/client.js';
import type { MeshStore, ResourceKey } from '../../meshes/resources/mesh-store.js';
import { MeshStoreFactory } from '../../meshes/resources/mesh-store.factory.js';
import { NodeEndpoints } from '../endpoints/node-endpoints.js';
import type { MeshSnapshot, SnapshotResource } from './mesh-snapshot.js';

/**
 * Above this many change-log entries since the previous snapshot, the whole mesh is read again:
 * one query for everything beats looking up hundreds of keys.
 */
export const INCREMENTAL_LOAD_LIMIT = 256;

export interface LoadOptions {
  /** The mesh's id: a mesh of that name with another id (deleted and created again) reads as gone. */
  readonly meshId?: string;
  /**
   * A snapshot of the same mesh read earlier: only what the mesh's change log records since its
   * generation is read again, the rest is taken from it.
   */
  readonly previous?: MeshSnapshot;
}

type Router = MeshSnapshot['virtualRouters'][number];
type Gateway = MeshSnapshot['virtualGateways'][number];

/** Every resource of a snapshot by kind, parent and name: what the change log's keys address. */
type ResourceTable = Map<ResourceKind, Map<string, Map<string, SnapshotResource>>>;

/**
 * Reads one mesh and everything in it as a MeshSnapshot, in one consistent read, so the snapshot
 * is exactly the committed state at its generation (never half of a concurrent change).
 */
@Injectable()
export class MeshSnapshotLoader {
  constructor(
    private readonly stores: MeshStoreFactory,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly endpoints: NodeEndpoints,
  ) {}

  /**
   * `undefined` when the mesh does not exist (it was deleted). The endpoints are those of the
   * service registry and the connected proxies at the time of the call (NodeEndpoints), read
   * after the mesh, as the endpoints fast path reads them.
   */
  async load(scope: TenantScope, meshName: string, options: LoadOptions = {}): Promise<MeshSnapshot | undefined> {
    let meshId = '';
    const snapshot = await this.stores.consistentRead(scope, async (store) => {
      const mesh = await store.findMesh(meshName);
      if (!mesh || (options.meshId !== undefined && mesh.id !== options.meshId)) return undefined;
      meshId = mesh.id;
      const region = this.config.region;
      const view = (row: MeshResource): SnapshotResource => ({
        name: row.name,
        arn: formatArn(region, scope.accountId, mesh.name, {
          kind: row.kind,
          name: row.name,
          parentName: row.parentName,
        }),
        spec: row.spec,
        version: row.version,
      });
      const table =
        (await this.changedSince(store, mesh, options.previous, view)) ??
        tableOf((await store.allResources(mesh.id)).map((row) => [row, view(row)]));
      const of = (kind: ResourceKind, parentName = '') => sortedByName(table.get(kind)?.get(parentName));
      return {
        accountId: scope.accountId,
        region,
        meshName: mesh.name,
        meshArn: formatArn(region, scope.accountId, mesh.name),
        generation: mesh.generation.toString(),
        spec: mesh.spec,
        meshVersion: mesh.version,
        virtualNodes: of('virtualNode'),
        virtualServices: of('virtualService'),
        virtualRouters: of('virtualRouter').map((r): Router => ({ ...r, routes: of('route', r.name) })),
        virtualGateways: of('virtualGateway').map((g): Gateway => ({
          ...g,
          gatewayRoutes: of('gatewayRoute', g.name),
        })),
        endpoints: {},
      };
    });
    if (!snapshot) return undefined;
    const endpoints = await this.endpoints.read(
      { tenantId: scope.tenantId, meshId },
      snapshot.spec,
      snapshot.virtualNodes,
    );
    return { ...snapshot, endpoints };
  }

  /**
   * The previous snapshot's resources with what changed since its generation read again, or
   * `undefined` when a full read is due (no previous snapshot, another mesh, a generation not
   * after it, more changes than INCREMENTAL_LOAD_LIMIT, or a change log that does not account for
   * every generation since: every committed change writes at least one row at its generation, so
   * a generation without rows means the log was pruned past it).
   */
  private async changedSince(
    store: MeshStore,
    mesh: Mesh,
    previous: MeshSnapshot | undefined,
    view: (row: MeshResource) => SnapshotResource,
  ): Promise<ResourceTable | undefined> {
    if (!previous || previous.meshName !== mesh.name || previous.accountId !== store.scope.accountId) return undefined;
    const since = BigInt(previous.generation);
    if (since > mesh.generation) return undefined;
    const changes = await store.changesAfter(mesh.id, since, INCREMENTAL_LOAD_LIMIT);
    if (changes.length > INCREMENTAL_LOAD_LIMIT) return undefined;
    const generations = new Set(changes.map((c) => c.generation));
    if (BigInt(generations.size) !== mesh.generation - since) return undefined;
    const keys = new Map<string, ResourceKey>();
    for (const c of changes) {
      if (c.kind === 'mesh') continue; // the mesh row itself is always read
      keys.set(`${c.kind}\u0000${c.parentName}\u0000${c.name}`, {
        kind: c.kind as ResourceKind,
        parentName: c.parentName,
        name: c.name,
      });
    }
    const table = tableOfSnapshot(previous);
    for (const key of keys.values()) table.get(key.kind)?.get(key.parentName)?.delete(key.name);
    for (const row of await store.resourcesByKeys(mesh.id, [...keys.values()])) put(table, row, view(row));
    return table;
  }
}

function put(table: ResourceTable, key: { kind: ResourceKind; parentName: string; name: string }, r: SnapshotResource) {
  let byParent = table.get(key.kind);
  if (!byParent) table.set(key.kind, (byParent = new Map()));
  let byName = byParent.get(key.parentName);
  if (!byName) byParent.set(key.parentName, (byName = new Map()));
  byName.set(key.name, r);
}

function tableOf(rows: readonly (readonly [MeshResource, SnapshotResource])[]): ResourceTable {
  const table: ResourceTable = new Map();
  for (const [row, resource] of rows) put(table, row, resource);
  return table;
}

/** A snapshot's resources as a table (routes and gateway routes without their parents' arrays). */
function tableOfSnapshot(s: MeshSnapshot): ResourceTable {
  const table: ResourceTable = new Map();
  const add = (kind: ResourceKind, list: readonly SnapshotResource[], parentName = '') => {
    for (const r of list) put(table, { kind, parentName, name: r.name }, strip(r));
  };
  add('virtualNode', s.virtualNodes);
  add('virtualService', s.virtualServices);
  add('virtualRouter', s.virtualRouters);
  add('virtualGateway', s.virtualGateways);
  for (const r of s.virtualRouters) add('route', r.routes, r.name);
  for (const g of s.virtualGateways) add('gatewayRoute', g.gatewayRoutes, g.name);
  return table;
}

/** A resource without the child arrays a router or gateway carries in a snapshot. */
function strip(r: SnapshotResource): SnapshotResource {
  return { name: r.name, arn: r.arn, spec: r.spec, ...(r.version === undefined ? {} : { version: r.version }) };
}

/** By name, in code-point order: the same order however the table was assembled. */
function sortedByName(byName: ReadonlyMap<string, SnapshotResource> | undefined): SnapshotResource[] {
  return [...(byName?.values() ?? [])].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
