import { Injectable } from '@nestjs/common';
import type { TenantScope } from '../common/tenancy/tenant-scope.js';
import { Prisma, type AccessKey, type ApiToken, type Tenant, type TenantStatus } from '../generated/prisma/client.js';
import { PrismaService } from '../platform/prisma/prisma.service.js';

/**
 * Tenants are the one platform-level table: operators list and manage them across tenants,
 * so these methods take no scope. Everything a tenant owns is reached through a TenantScope.
 */
@Injectable()
export class TenantsRepository {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * Creates a tenant together with its first access key and API token, atomically: a tenant
   * never exists without a way to use it. Reports a taken name or account id instead of throwing.
   */
  async insertWithCredentials(
    data: { accountId: string; name: string; plan: string },
    accessKey: {
      accessKeyId: string;
      secretCiphertext: Uint8Array<ArrayBuffer>;
      masterKeyId: string;
      description: string;
    },
    apiToken: { name: string; prefix: string; tokenHash: string },
  ): Promise<(Tenant & { accessKeys: AccessKey[]; apiTokens: ApiToken[] }) | 'name-taken' | 'account-id-taken'> {
    try {
      return await this.prisma.tenant.create({
        data: { ...data, accessKeys: { create: accessKey }, apiTokens: { create: apiToken } },
        include: { accessKeys: true, apiTokens: true },
      });
    } catch (err) {
      if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002') {
        const target = JSON.stringify(err.meta ?? {});
        return target.includes('account_id') || target.includes('accountId') ? 'account-id-taken' : 'name-taken';
      }
      throw err;
    }
  }

  findByAccountId(accountId: string): Promise<Tenant | null> {
    return this.prisma.tenant.findUnique({ where: { accountId } });
  }

  findByName(name: string): Promise<Tenant | null> {
    return this.prisma.tenant.findUnique({ where: { name } });
  }

  /** Keyset pagination on account id: stable under concurrent inserts, no gaps or repeats. */
  list(limit: number, afterAccountId: string | undefined): Promise<Tenant[]> {
    return this.prisma.tenant.findMany({
      where: afterAccountId === undefined ? {} : { accountId: { gt: afterAccountId } },
      orderBy: { accountId: 'asc' },
      take: limit,
    });
  }

  setStatus(scope: TenantScope, status: TenantStatus): Promise<Tenant> {
    return this.prisma.tenant.update({ where: { id: scope.tenantId }, data: { status } });
  }

  async delete(scope: TenantScope): Promise<void> {
    await this.prisma.tenant.delete({ where: { id: scope.tenantId } });
  }
}
