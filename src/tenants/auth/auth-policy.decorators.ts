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

function fromRequest(ctx: ExecutionContext): AuthenticatedTenant {
  const found = ctx.switchToHttp().getRequest<RequestWithTenant>()[TENANT_CONTEXT];
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
