declare const tenantScopeBrand: unique symbol;

/**
 * Proof that the caller acts for one tenant. Only authentication (guards) and operator code
 * create it, through `tenantScopeOf`; every repository method takes it as its first argument,
 * so a query without a tenant does not compile.
 */
export interface TenantScope {
  readonly tenantId: string;
  /** 12-digit account id, as it appears in ARNs. */
  readonly accountId: string;
  /** The tenant's plan when it authenticated: its quotas apply to this request. */
  readonly plan: string;
  readonly [tenantScopeBrand]: true;
}

export function tenantScopeOf(tenant: {
  readonly id: string;
  readonly accountId: string;
  readonly plan: string;
}): TenantScope {
  return Object.freeze({ tenantId: tenant.id, accountId: tenant.accountId, plan: tenant.plan }) as TenantScope;
}
