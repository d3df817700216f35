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
  readonly [tenantScopeBrand]: true;
}

export function tenantScopeOf(tenant: { readonly id: string; readonly accountId: string }): TenantScope {
  return Object.freeze({ tenantId: tenant.id, accountId: tenant.accountId }) as TenantScope;
}
