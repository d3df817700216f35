import { Injectable } from '@nestjs/common';
import type { TenantScope } from '../../common/tenancy/tenant-scope.js';
import type { AccessKey, ApiToken, Tenant } from '../../generated/prisma/client.js';
import { PrismaService } from '../../platform/prisma/prisma.service.js';
import { LAST_USED_RESOLUTION_MS } from './last-used-stamps.js';

/** Access keys and API tokens. Every method a tenant can reach takes its scope first. */
@Injectable()
export class CredentialsRepository {
  constructor(private readonly prisma: PrismaService) {}

  insertAccessKey(
    scope: TenantScope,
    data: {
      accessKeyId: string;
      secretCiphertext: Uint8Array<ArrayBuffer>;
      masterKeyId: string;
      description: string | null;
    },
  ): Promise<AccessKey> {
    return this.prisma.accessKey.create({ data: { ...data, tenantId: scope.tenantId } });
  }

  listAccessKeys(scope: TenantScope): Promise<AccessKey[]> {
    return this.prisma.accessKey.findMany({ where: { tenantId: scope.tenantId }, orderBy: { createdAt: 'asc' } });
  }

  findAccessKey(scope: TenantScope, accessKeyId: string): Promise<AccessKey | null> {
    return this.prisma.accessKey.findFirst({ where: { tenantId: scope.tenantId, accessKeyId } });
  }

  revokeAccessKey(scope: TenantScope, id: string, at: Date): Promise<AccessKey> {
    return this.prisma.accessKey.update({ where: { id, tenantId: scope.tenantId }, data: { revokedAt: at } });
  }

  insertApiToken(scope: TenantScope, data: { name: string; prefix: string; tokenHash: string }): Promise<ApiToken> {
    return this.prisma.apiToken.create({ data: { ...data, tenantId: scope.tenantId } });
  }

  listApiTokens(scope: TenantScope): Promise<ApiToken[]> {
    return this.prisma.apiToken.findMany({ where: { tenantId: scope.tenantId }, orderBy: { createdAt: 'asc' } });
  }

  findApiToken(scope: TenantScope, id: string): Promise<ApiToken | null> {
    return this.prisma.apiToken.findFirst({ where: { tenantId: scope.tenantId, id } });
  }

  revokeApiToken(scope: TenantScope, id: string, at: Date): Promise<ApiToken> {
    return this.prisma.apiToken.update({ where: { id, tenantId: scope.tenantId }, data: { revokedAt: at } });
  }

  // --- Authentication lookups. They run before any tenant is known: the credential itself is
  // --- what identifies the tenant, so they are the only unscoped credential queries.

  findAccessKeyForAuthentication(accessKeyId: string): Promise<(AccessKey & { tenant: Tenant }) | null> {
    return this.prisma.accessKey.findUnique({ where: { accessKeyId }, include: { tenant: true } });
  }

  findApiTokenForAuthentication(tokenHash: string): Promise<(ApiToken & { tenant: Tenant }) | null> {
    return this.prisma.apiToken.findUnique({ where: { tokenHash }, include: { tenant: true } });
  }

  async touchAccessKey(id: string, now: Date): Promise<void> {
    await this.prisma.accessKey.updateMany({
      where: {
        id,
        OR: [{ lastUsedAt: null }, { lastUsedAt: { lt: new Date(now.getTime() - LAST_USED_RESOLUTION_MS) } }],
      },
      data: { lastUsedAt: now },
    });
  }

  async touchApiToken(id: string, now: Date): Promise<void> {
    await this.prisma.apiToken.updateMany({
      where: {
        id,
        OR: [{ lastUsedAt: null }, { lastUsedAt: { lt: new Date(now.getTime() - LAST_USED_RESOLUTION_MS) } }],
      },
      data: { lastUsedAt: now },
    });
  }
}
