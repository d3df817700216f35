import { Injectable } from '@nestjs/common';
import type { TenantScope } from '../../common/tenancy/tenant-scope.js';
import type { Mesh, ProxyKind, ProxyToken, TenantStatus } from '../../generated/prisma/client.js';
import { PrismaService } from '../../platform/prisma/prisma.service.js';
import { LAST_USED_RESOLUTION_MS } from '../../tenants/credentials/last-used-stamps.js';

/** What verifying a proxy token needs of it, its mesh and its tenant. */
export interface ProxyTokenVerification {
  readonly id: string;
  readonly tokenHash: string;
  readonly tenantId: string;
  readonly meshId: string;
  readonly kind: ProxyKind;
  readonly name: string;
  readonly mesh: {
    readonly name: string;
    readonly tenantId: string;
    readonly tenant: { readonly id: string; readonly status: TenantStatus; readonly accountId: string };
  };
}

export interface ProxyTokenStanding {
  readonly id: string;
  readonly tenantId: string;
  readonly mesh: {
    readonly tenantId: string;
    readonly tenant: { readonly status: TenantStatus; readonly accountId: string };
  };
}

/** Proxy tokens. Every method a tenant can reach takes its scope first. */
@Injectable()
export class ProxyTokensRepository {
  constructor(private readonly prisma: PrismaService) {}

  insert(
    scope: TenantScope,
    data: { meshId: string; kind: ProxyKind; name: string; tokenHash: string },
  ): Promise<ProxyToken> {
    return this.prisma.proxyToken.create({ data: { ...data, tenantId: scope.tenantId } });
  }

  list(scope: TenantScope, meshId: string, filter: { kind?: ProxyKind; name?: string }): Promise<ProxyToken[]> {
    return this.prisma.proxyToken.findMany({
      where: {
        tenantId: scope.tenantId,
        meshId,
        ...(filter.kind === undefined ? {} : { kind: filter.kind }),
        ...(filter.name === undefined ? {} : { name: filter.name }),
      },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    });
  }

  /** The tokens of many proxies (a mesh, kind and name each) in one statement, oldest first. */
  listOwned(
    scope: TenantScope,
    owners: readonly { meshId: string; kind: ProxyKind; name: string }[],
  ): Promise<ProxyToken[]> {
    if (owners.length === 0) return Promise.resolve([]);
    return this.prisma.proxyToken.findMany({
      where: { tenantId: scope.tenantId, OR: owners.map((o) => ({ meshId: o.meshId, kind: o.kind, name: o.name })) },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    });
  }

  find(scope: TenantScope, id: string): Promise<(ProxyToken & { mesh: Mesh }) | null> {
    return this.prisma.proxyToken.findFirst({ where: { tenantId: scope.tenantId, id }, include: { mesh: true } });
  }

  /** Deletes the token; `false` when it was already gone (a concurrent revocation). */
  async delete(scope: TenantScope, id: string): Promise<boolean> {
    const { count } = await this.prisma.proxyToken.deleteMany({ where: { tenantId: scope.tenantId, id } });
    return count > 0;
  }

  // --- Verification. It runs before any tenant is known: the token itself is what identifies
  // --- the tenant, so these are the only unscoped proxy-token queries.

  /**
   * The tokens with these hashes (those that exist), with their mesh and tenant: one statement
   * (a join, not Prisma's query per relation) for a batch of new streams.
   */
  async findForVerification(tokenHashes: readonly string[]): Promise<ProxyTokenVerification[]> {
    if (tokenHashes.length === 0) return [];
    const rows = await this.prisma.$queryRaw<
      {
        id: string;
        token_hash: string;
        tenant_id: string;
        mesh_id: string;
        kind: ProxyKind;
        name: string;
        mesh_name: string;
        mesh_tenant_id: string;
        tenant_status: TenantStatus;
        account_id: string;
      }[]
    >`
      SELECT t.id, t.token_hash, t.tenant_id, t.mesh_id, t.kind::text AS kind, t.name,
             m.name AS mesh_name, m.tenant_id AS mesh_tenant_id,
             n.status::text AS tenant_status, n.account_id
      FROM proxy_tokens t
      JOIN meshes m ON m.id = t.mesh_id
      JOIN tenants n ON n.id = m.tenant_id
      WHERE t.token_hash = ANY(${[...tokenHashes]}::text[])`;
    return rows.map((r) => ({
      id: r.id,
      tokenHash: r.token_hash,
      tenantId: r.tenant_id,
      meshId: r.mesh_id,
      kind: r.kind,
      name: r.name,
      mesh: {
        name: r.mesh_name,
        tenantId: r.mesh_tenant_id,
        tenant: { id: r.mesh_tenant_id, status: r.tenant_status, accountId: r.account_id },
      },
    }));
  }

  /** Of these token ids, the tokens still stored, with their owner's status (open streams are checked with it). */
  findStanding(ids: readonly string[]): Promise<ProxyTokenStanding[]> {
    return this.prisma.proxyToken.findMany({
      where: { id: { in: [...ids] } },
      select: {
        id: true,
        tenantId: true,
        mesh: { select: { tenantId: true, tenant: { select: { status: true, accountId: true } } } },
      },
    });
  }

  /**
   * Stamps these tokens used at `now`, in one statement, skipping those stamped within the
   * resolution (by this process or another replica).
   */
  async touch(ids: readonly string[], now: Date): Promise<void> {
    if (ids.length === 0) return;
    const cutoff = new Date(now.getTime() - LAST_USED_RESOLUTION_MS);
    await this.prisma.$executeRaw`
      UPDATE proxy_tokens SET last_used_at = ${now}
      WHERE id = ANY(${[...ids]}::uuid[]) AND (last_used_at IS NULL OR last_used_at < ${cutoff})`;
  }
}
