import { createParamDecorator, SetMetadata, type ExecutionContext } from '@nestjs/common';
import type { TenantScope } from '../../common/tenancy/tenant-scope.js';
import type { AuthenticatedTenant } from '../credentials/credentials.service.js';

export const AUTH_POLICY = 'meshplane:auth-policy';

/**
 * How a route authenticates. Every route declares one (or is @Public()); the global guard
 * refuses routes that declare none, so a forgotten decorator fails closed.
 * - `sigv4`: AWS Signature V4 with a tenant access key (the App Mesh API).
 * - `bearer`: a tenant API token (`Authorization: Bearer mpt_...`), for /v1 and GraphQL.
 * - `tenant`: either of the two.
 * - `admin`: the platform operator token.
 */
export type AuthPolicy = 'sigv4' | 'bearer' | 'tenant' | 'admin';

export const Authenticate = (policy: AuthPolicy) => SetMetadata(AUTH_POLICY, policy);
export const AdminOnly = () => Authenticate('admin');

/** Where the guard leaves the authenticated tenant on the request. */
export const TENANT_CONTEXT = Symbol('tenantContext');
export type RequestWithTenant = { [TENANT_CONTEXT]?: AuthenticatedTenant };

/**
 * The HTTP request behind an execution context: the handler's request for a route, the request
 * of the operation for a GraphQL resolver (its context's `req`, which the GraphQL driver sets).
 */
export function requestOf<R>(ctx: ExecutionContext): R | undefined {
  if (ctx.getType<string>() === 'graphql') return ctx.getArgByIndex<{ req?: R } | undefined>(2)?.req;
  return ctx.switchToHttp().getRequest<R>();
}

function fromRequest(ctx: ExecutionContext): AuthenticatedTenant {
  const found = requestOf<RequestWithTenant>(ctx)?.[TENANT_CONTEXT];
  if (!found) throw new Error('no authenticated tenant on this request: the route lacks a tenant auth policy');
  return found;
}

/** The caller's tenant scope, taken from authentication, never from request input. */
export const CurrentScope = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): TenantScope => fromRequest(ctx).scope,
);
export const CurrentTenant = createParamDecorator((_: unknown, ctx: ExecutionContext): AuthenticatedTenant =>
  fromRequest(ctx),
);
