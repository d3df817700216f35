import { createHash, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable, Logger, Optional, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { AuthError } from '../../common/errors/auth-error.js';
import { APP_CONFIG } from '../../config/config.module.js';
import type { AppConfig } from '../../config/config.schema.js';
import { IS_PUBLIC } from '../../platform/http/public.decorator.js';
import type { RequestWithRawBody } from '../../platform/http/request-body.js';
import { AUTH_SCHEME } from '../../platform/http/rest-error.filter.js';
import { assertTenantActive, CredentialsService } from '../credentials/credentials.service.js';
import {
  AUTH_POLICY,
  requestOf,
  TENANT_CONTEXT,
  type AuthPolicy,
  type RequestWithTenant,
} from './auth-policy.decorators.js';
import { TenantRateLimiter } from '../rate-limit/tenant-rate-limiter.js';
import { API_USAGE_LISTENER, CLASSED_BY_HANDLER, restRequestClass, type ApiUsageListener } from './api-usage.js';
import { parseAuthorization, verifySigV4 } from './sigv4-verifier.js';

type Request = FastifyRequest & RequestWithTenant & RequestWithRawBody & { [AUTH_SCHEME]?: 'sigv4' | 'bearer' };

/** The SigV4 service name the App Mesh SDKs sign for. */
export const SIGNING_SERVICE = 'appmesh';

/** The one global guard: enforces each route's declared auth policy. */
@Injectable()
export class AuthGuard implements CanActivate {
  private readonly log = new Logger(AuthGuard.name);
  private readonly adminTokenHash: Buffer;

  constructor(
    private readonly reflector: Reflector,
    private readonly credentials: CredentialsService,
    private readonly rateLimiter: TenantRateLimiter,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Optional() @Inject(API_USAGE_LISTENER) private readonly usage?: ApiUsageListener,
  ) {
    this.adminTokenHash = sha256(config.adminToken);
  }

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const targets = [ctx.getHandler(), ctx.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const policy = this.reflector.getAllAndOverride<AuthPolicy | undefined>(AUTH_POLICY, targets);
    if (ctx.getType<string>() === 'graphql') return this.graphqlResolver(ctx, policy);
    const request = ctx.switchToHttp().getRequest<Request>();
    const header = request.headers.authorization;
    switch (policy) {
      case 'admin':
        request[AUTH_SCHEME] = 'bearer';
        this.checkAdmin(header);
        return true;
      case 'sigv4':
      case 'bearer':
      case 'tenant': {
        const useSigV4 = policy === 'sigv4' || (policy === 'tenant' && header?.startsWith('AWS4-HMAC-SHA256') === true);
        request[AUTH_SCHEME] = useSigV4 ? 'sigv4' : 'bearer';
        const caller = useSigV4
          ? await this.sigv4(request)
          : await this.credentials.authenticateApiToken(bearerToken(header));
        // Only authenticated callers count against a tenant's budget.
        await this.rateLimiter.consume(caller.tenant);
        request[TENANT_CONTEXT] = caller;
        if (!this.reflector.getAllAndOverride<boolean>(CLASSED_BY_HANDLER, targets))
          this.usage?.counted(caller.tenant.id, restRequestClass(request.method));
        return true;
      }
      case undefined:
        this.log.error(`route ${request.method} ${request.routeOptions.url} declares no auth policy; refusing it`);
        throw new AuthError('MISSING_CREDENTIALS', 'This route is not available.');
    }
  }

  /**
   * A GraphQL resolver. The /graphql route ran this guard once, as for a route, before its
   * document was even decoded (src/graphql/http/graphql-gate.ts): a resolver only checks that
   * proof, so a query of several fields is authenticated, and rate-limited, once.
   */
  private graphqlResolver(ctx: ExecutionContext, policy: AuthPolicy | undefined): boolean {
    const authenticated = requestOf<Request>(ctx)?.[TENANT_CONTEXT] !== undefined;
    if ((policy === 'tenant' || policy === 'bearer') && authenticated) return true;
    this.log.error(`GraphQL ${ctx.getClass().name}.${ctx.getHandler().name} has no tenant authentication; refusing it`);
    throw new AuthError('MISSING_CREDENTIALS', 'This operation is not available.');
  }

  private async sigv4(request: Request) {
    const auth = parseAuthorization(request.headers.authorization);
    const found = await this.credentials.secretForAccessKey(auth.accessKeyId);
    await verifySigV4(
      {
        method: request.method,
        rawUrl: request.raw.url ?? request.url,
        headers: request.headers,
        // Every body is kept as the bytes received, whatever its Content-Type (request-body.ts),
        // and decoded only once this check has passed.
        body: request.rawBody,
      },
      auth,
      found.secretAccessKey,
      {
        region: this.config.region,
        service: SIGNING_SERVICE,
        maxSkewSeconds: this.config.sigv4MaxSkewSeconds,
        now: new Date(),
      },
    );
    assertTenantActive(found.tenant);
    this.credentials.recordAccessKeyUse(found.keyRowId);
    return { scope: found.scope, tenant: found.tenant };
  }

  private checkAdmin(header: string | undefined): void {
    const given = sha256(bearerToken(header));
    if (!timingSafeEqual(given, this.adminTokenHash)) {
      throw new AuthError('UNKNOWN_CREDENTIALS', 'The operator token is not valid.');
    }
  }
}

function bearerToken(header: string | undefined): string {
  if (header === undefined || header === '') {
    throw new AuthError('MISSING_CREDENTIALS', 'Missing credentials: send Authorization: Bearer <token>.');
  }
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match?.[1])
    throw new AuthError('MALFORMED_CREDENTIALS', 'The Authorization header must be of the form: Bearer <token>.');
  return match[1];
}

function sha256(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
