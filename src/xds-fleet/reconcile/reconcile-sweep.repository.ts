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

  /** The mesh's committed generation (a decimal string), or `undefined` when it no longer exists. */
  async generationOf(tenantId: string, meshId: string): Promise<string | undefined> {
    const mesh = await this.prisma.mesh.findFirst({
      where: { id: meshId, tenantId },
      select: { generation: true },
    });
    return mesh?.generation.toString();
  }

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

  /**
   * CROSS-TENANT BY DESIGN, like the query above: deletes change-log rows committed before
   * `cutoff`, at most `batch` per statement (short statements, short locks; the committed_at index
   * finds them), until none is left; returns how many.
   */
  async pruneChangeLogAcrossAllTenants(cutoff: Date, batch: number): Promise<number> {
    let pruned = 0;
    for (;;) {
      const deleted = await this.prisma.$executeRaw`
        DELETE FROM mesh_changes WHERE id IN (
          SELECT id FROM mesh_changes WHERE committed_at < ${cutoff} ORDER BY committed_at LIMIT ${batch})`;
      pruned += deleted;
      if (deleted < batch) return pruned;
    }
  }

  /**
   * CROSS-TENANT BY DESIGN, like the query above: of these (tenant, mesh) pairs (read from the
   * compiled data in Redis), the ones whose tenant exists in this database but whose mesh no longer
   * exists in it. A pair whose mesh id exists under another tenant counts as gone for this one. A
   * pair whose tenant is not in this database is not this installation's (another one may share
   * the Redis database) and is never returned. Ids in, ids out.
   */
  async listMissingMeshesAcrossAllTenants(meshes: readonly MeshIds[]): Promise<MeshIds[]> {
    const wellFormed = meshes.filter((m) => UUID.test(m.tenantId) && UUID.test(m.meshId));
    if (wellFormed.length === 0) return [];
    const [tenants, rows] = await Promise.all([
      this.prisma.tenant.findMany({
        where: { id: { in: [...new Set(wellFormed.map((m) => m.tenantId))] } },
        select: { id: true },
      }),
      this.prisma.mesh.findMany({
        where: { id: { in: wellFormed.map((m) => m.meshId) } },
        select: { id: true, tenantId: true },
      }),
    ]);
    const ours = new Set(tenants.map((t) => t.id));
    const existing = new Set(rows.map((r) => `${r.tenantId}/${r.id}`));
    return wellFormed.filter((m) => ours.has(m.tenantId) && !existing.has(`${m.tenantId}/${m.meshId}`));
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
