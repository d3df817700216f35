import { Injectable } from '@nestjs/common';
import { PrismaService } from '../../platform/prisma/prisma.service.js';

/** Resources held, sampled: meshes and every kind inside them, per tenant. */
@Injectable()
export class ResourceSamplesRepository {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * CROSS-TENANT BY DESIGN: one sample of every tenant at once (two GROUP BYs, grouped by
   * tenant first), counted in PostgreSQL, never loaded. Each (tenant, hour, kind) keeps the
   * largest count sampled in the hour, so sampling again is harmless. Returns the rows written.
   */
  async sampleAcrossAllTenants(hour: number): Promise<number> {
    return this.prisma.$executeRaw`
      INSERT INTO metering_resource_samples (tenant_id, hour, kind, count)
      SELECT s.tenant_id, ${new Date(hour).toISOString()}::timestamptz, s.kind, s.n
      FROM (SELECT tenant_id, 'mesh' AS kind, count(*)::int AS n FROM meshes GROUP BY tenant_id
            UNION ALL
            SELECT tenant_id, kind::text, count(*)::int FROM mesh_resources GROUP BY tenant_id, kind) s
      ON CONFLICT (tenant_id, hour, kind)
      DO UPDATE SET count = GREATEST(metering_resource_samples.count, EXCLUDED.count)`;
  }
}
