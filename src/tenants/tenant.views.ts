import type { AccessKey, ApiToken, Tenant } from '../generated/prisma/client.js';

/** The public shapes of tenants and credentials, shared by REST, GraphQL and the CLI. Never secrets. */
export interface TenantView {
  readonly accountId: string;
  readonly name: string;
  readonly plan: string;
  readonly status: 'active' | 'suspended';
  readonly createdAt: string;
}

export interface AccessKeyView {
  readonly accessKeyId: string;
  readonly description: string | null;
  readonly status: 'active' | 'revoked';
  readonly createdAt: string;
  readonly lastUsedAt: string | null;
  readonly revokedAt: string | null;
}

export interface ApiTokenView {
  readonly id: string;
  readonly name: string;
  /** The token's first characters, to tell tokens apart. */
  readonly prefix: string;
  readonly status: 'active' | 'revoked';
  readonly createdAt: string;
  readonly lastUsedAt: string | null;
  readonly revokedAt: string | null;
}

const iso = (d: Date | null) => (d === null ? null : d.toISOString());

export function tenantView(t: Tenant): TenantView {
  return { accountId: t.accountId, name: t.name, plan: t.plan, status: t.status, createdAt: t.createdAt.toISOString() };
}

export function accessKeyView(k: AccessKey): AccessKeyView {
  return {
    accessKeyId: k.accessKeyId,
    description: k.description,
    status: k.revokedAt === null ? 'active' : 'revoked',
    createdAt: k.createdAt.toISOString(),
    lastUsedAt: iso(k.lastUsedAt),
    revokedAt: iso(k.revokedAt),
  };
}

export function apiTokenView(t: ApiToken): ApiTokenView {
  return {
    id: t.id,
    name: t.name,
    prefix: t.prefix,
    status: t.revokedAt === null ? 'active' : 'revoked',
    createdAt: t.createdAt.toISOString(),
    lastUsedAt: iso(t.lastUsedAt),
    revokedAt: iso(t.revokedAt),
  };
}
