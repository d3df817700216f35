import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { GqlExecutionContext } from '@nestjs/graphql';
import { requestOf, TENANT_CONTEXT, type RequestWithTenant } from '../../tenants/auth/auth-policy.decorators.js';
import type { GraphqlRequestContext, TenantLoaders } from './request-loaders.js';

/**
 * The request's batched loaders, bound to the authenticated caller's tenant (the same scope as
 * `@CurrentScope()`): a resolver cannot ask them for another tenant's rows.
 */
export const Loaders = createParamDecorator((_: unknown, ctx: ExecutionContext): TenantLoaders => {
  const context = GqlExecutionContext.create(ctx).getContext<Partial<GraphqlRequestContext>>();
  if (!context.loaders) throw new Error('no loaders in the GraphQL context: the driver lacks its context factory');
  const tenant = requestOf<RequestWithTenant>(ctx)?.[TENANT_CONTEXT];
  if (!tenant) throw new Error('no authenticated tenant on this request: the resolver lacks a tenant auth policy');
  return context.loaders.of(tenant.scope);
});
