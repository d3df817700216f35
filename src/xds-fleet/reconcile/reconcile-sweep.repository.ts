import { Injectable } from '@nestjs/common';
import { PrismaService } from '../../platform/prisma/prisma.service.js';

export interface MeshIds {
  readonly tenantId: string;
  readonly meshId: string;
}

/** The reconciler's one query of its own. */
@Injectable()
export class ReconcileSweepRepository {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * CROSS-TENANT BY DESIGN: the sweep is a system job that serves every tenant, so this reads the
   * meshes table without a TenantScope. It returns ids only (never names, specs or tags), which
   * go straight back into reconcile jobs. Meshes whose generation is ahead of their compiled
   * generation, by mesh id, `limit` at a time after `afterMeshId`.
   */
  async listMeshIdsBehindAcrossAllTenants(limit: number, afterMeshId?: string): Promise<MeshIds[]> {
    const rows = await this.prisma.mesh.findMany({
      where: {
        generation: { gt: this.prisma.mesh.fields.compiledGeneration },
        ...(afterMeshId === undefined ? {} : { id: { gt: afterMeshId } }),
      },
      select: { id: true, tenantId: true },
      orderBy: { id: 'asc' },
      take: limit,
    });
    return rows.map((r) => ({ tenantId: r.tenantId, meshId: r.id }));
  }
}
