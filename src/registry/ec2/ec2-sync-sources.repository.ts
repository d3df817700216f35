import { Injectable } from '@nestjs/common';
import type { TenantScope } from '../../common/tenancy/tenant-scope.js';
import { Prisma, type Ec2SyncSource } from '../../generated/prisma/client.js';
import { PrismaService } from '../../platform/prisma/prisma.service.js';
import { touchServices } from './registry-service-stamp.js';
import type { ServiceNames } from './ec2-sync-source.views.js';

/** The columns a tenant sets on a source (everything else is the worker's status). */
export interface Ec2SyncSourceData {
  readonly name: string;
  readonly region: string;
  readonly endpoint: string | null;
  readonly tagFilters: Prisma.InputJsonValue;
  readonly serviceId: string;
  readonly attributeTags: Prisma.InputJsonValue;
  readonly port: number;
  readonly intervalSeconds: number;
  readonly accessKeyId: string | null;
  readonly secretCiphertext: Uint8Array<ArrayBuffer> | null;
  readonly masterKeyId: string | null;
  readonly roleArn: string | null;
}

/** A source removed with its instances: the services whose instances changed. */
export interface DeletedSource {
  readonly serviceIds: readonly string[];
}

const isUniqueViolation = (err: unknown) => err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002';

/** EC2 sync sources as their tenant manages them. Every method takes the tenant's scope first. */
@Injectable()
export class Ec2SyncSourcesRepository {
  constructor(private readonly prisma: PrismaService) {}

  async findService(scope: TenantScope, namespaceName: string, serviceName: string): Promise<string | null> {
    const found = await this.prisma.registryService.findFirst({
      where: {
        tenantId: scope.tenantId,
        name: serviceName,
        namespace: { tenantId: scope.tenantId, name: namespaceName },
      },
      select: { id: true },
    });
    return found?.id ?? null;
  }

  async serviceNames(scope: TenantScope, serviceIds: readonly string[]): Promise<Map<string, ServiceNames>> {
    const rows = await this.prisma.registryService.findMany({
      where: { tenantId: scope.tenantId, id: { in: [...new Set(serviceIds)] } },
      select: { id: true, name: true, namespace: { select: { name: true } } },
    });
    return new Map(rows.map((r) => [r.id, { namespaceName: r.namespace.name, serviceName: r.name }]));
  }

  /**
   * Inserts a source unless the tenant already has `quota(plan)` of them. The tenant row is locked
   * first, so two concurrent creates cannot both pass the count.
   */
  async insert(
    scope: TenantScope,
    id: string,
    data: Ec2SyncSourceData,
    quota: (plan: string) => number,
  ): Promise<Ec2SyncSource | 'exists' | { readonly limit: number }> {
    try {
      return await this.prisma.$transaction(async (tx) => {
        const rows = await tx.$queryRaw<{ plan: string }[]>`
          SELECT plan FROM tenants WHERE id = ${scope.tenantId}::uuid FOR UPDATE`;
        const limit = quota(rows[0]?.plan ?? '');
        if ((await tx.ec2SyncSource.count({ where: { tenantId: scope.tenantId } })) >= limit) return { limit };
        return tx.ec2SyncSource.create({ data: { ...data, id, tenantId: scope.tenantId } });
      });
    } catch (err) {
      if (isUniqueViolation(err)) return 'exists';
      throw err;
    }
  }

  list(scope: TenantScope): Promise<Ec2SyncSource[]> {
    return this.prisma.ec2SyncSource.findMany({
      where: { tenantId: scope.tenantId },
      orderBy: [{ name: 'asc' }],
    });
  }

  find(scope: TenantScope, id: string): Promise<Ec2SyncSource | null> {
    return this.prisma.ec2SyncSource.findFirst({ where: { tenantId: scope.tenantId, id } });
  }

  /**
   * Applies a tenant's change. The status starts over (PENDING, no backoff): what failed may
   * have been what was just changed, and the next run says.
   */
  async update(
    scope: TenantScope,
    id: string,
    data: Partial<Ec2SyncSourceData>,
  ): Promise<Ec2SyncSource | null | 'exists'> {
    try {
      const updated = await this.prisma.ec2SyncSource.updateManyAndReturn({
        where: { tenantId: scope.tenantId, id },
        data: { ...data, status: 'PENDING', consecutiveFailures: 0, backoffUntil: null, updatedAt: new Date() },
      });
      return updated[0] ?? null;
    } catch (err) {
      if (isUniqueViolation(err)) return 'exists';
      throw err;
    }
  }

  /**
   * Deletes a source and every instance it wrote, in one transaction. The source row is locked
   * first: a sync applying at the same time either committed before (its instances are deleted
   * here) or finds the source gone and writes nothing.
   */
  delete(scope: TenantScope, id: string): Promise<DeletedSource | null> {
    return this.prisma.$transaction(async (tx) => {
      const locked = await tx.$queryRaw<{ id: string }[]>`
        SELECT id FROM ec2_sync_sources WHERE id = ${id}::uuid AND tenant_id = ${scope.tenantId}::uuid FOR UPDATE`;
      if (locked.length === 0) return null;
      const services = await tx.registryInstance.findMany({
        where: { tenantId: scope.tenantId, source: 'ec2', sourceId: id },
        distinct: ['serviceId'],
        select: { serviceId: true },
      });
      await tx.registryInstance.deleteMany({ where: { tenantId: scope.tenantId, source: 'ec2', sourceId: id } });
      await touchServices(
        tx,
        scope.tenantId,
        services.map((s) => s.serviceId),
      );
      await tx.ec2SyncSource.delete({ where: { id } });
      return { serviceIds: services.map((s) => s.serviceId) };
    });
  }
}
