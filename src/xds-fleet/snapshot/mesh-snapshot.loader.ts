import { Inject, Injectable } from '@nestjs/common';
import { formatArn } from '../../common/ids/arn.js';
import type { TenantScope } from '../../common/tenancy/tenant-scope.js';
import { APP_CONFIG } from '../../config/config.module.js';
import type { AppConfig } from '../../config/config.schema.js';
import type { MeshResource } from '../../generated/prisma/client.js';
import { MeshStoreFactory } from '../../meshes/resources/mesh-store.factory.js';
import type { MeshSnapshot, SnapshotResource } from './mesh-snapshot.js';

/**
 * Reads one mesh and everything in it as a MeshSnapshot, in one consistent read, so the snapshot
 * is exactly the committed state at its generation (never half of a concurrent change).
 */
@Injectable()
export class MeshSnapshotLoader {
  constructor(
    private readonly stores: MeshStoreFactory,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** `undefined` when the mesh does not exist (it was deleted). */
  load(scope: TenantScope, meshName: string): Promise<MeshSnapshot | undefined> {
    return this.stores.consistentRead(scope, async (store) => {
      const mesh = await store.findMesh(meshName);
      if (!mesh) return undefined;
      const rows = await store.allResources(mesh.id);
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
      const of = (kind: MeshResource['kind']) => rows.filter((r) => r.kind === kind);
      const childrenOf = (kind: MeshResource['kind'], parentName: string) =>
        of(kind)
          .filter((r) => r.parentName === parentName)
          .map(view);
      return {
        accountId: scope.accountId,
        region,
        meshName: mesh.name,
        meshArn: formatArn(region, scope.accountId, mesh.name),
        generation: mesh.generation.toString(),
        spec: mesh.spec,
        meshVersion: mesh.version,
        virtualNodes: of('virtualNode').map(view),
        virtualServices: of('virtualService').map(view),
        virtualRouters: of('virtualRouter').map((r) => ({ ...view(r), routes: childrenOf('route', r.name) })),
        virtualGateways: of('virtualGateway').map((g) => ({
          ...view(g),
          gatewayRoutes: childrenOf('gatewayRoute', g.name),
        })),
        endpoints: {},
      };
    });
  }
}
