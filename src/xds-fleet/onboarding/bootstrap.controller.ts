import { Controller, Get, Header, Param, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { TenantScope } from '../../common/tenancy/tenant-scope.js';
import { Authenticate, CurrentScope } from '../../tenants/auth/auth-policy.decorators.js';
import type { ProxyKind } from '../identity/proxy-identity.js';
import { BootstrapService } from './bootstrap.service.js';

/** Response header naming the proxy token inside a bootstrap (its id, never the secret). */
export const PROXY_TOKEN_ID_HEADER = 'x-meshplane-proxy-token-id';

/**
 * Ready-to-run bootstraps (`/v1`, API token or SigV4): the body is the file to start Envoy (YAML)
 * or a proxyless gRPC client (`format=grpc`, JSON) with. Each request issues a new proxy token,
 * so responses are never cached. Paths follow the App Mesh API's resource paths.
 */
@Controller('v1/meshes/:meshName')
@Authenticate('tenant')
export class BootstrapController {
  constructor(private readonly bootstraps: BootstrapService) {}

  @Get('virtualNodes/:name/bootstrap')
  @Header('cache-control', 'no-store')
  virtualNode(
    @CurrentScope() scope: TenantScope,
    @Param('meshName') meshName: string,
    @Param('name') name: string,
    @Query() query: unknown,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    return this.send(scope, reply, { meshName, kind: 'virtualNode', name }, query);
  }

  @Get('virtualGateways/:name/bootstrap')
  @Header('cache-control', 'no-store')
  virtualGateway(
    @CurrentScope() scope: TenantScope,
    @Param('meshName') meshName: string,
    @Param('name') name: string,
    @Query() query: unknown,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    return this.send(scope, reply, { meshName, kind: 'virtualGateway', name }, query);
  }

  private async send(
    scope: TenantScope,
    reply: FastifyReply,
    resource: { meshName: string; kind: ProxyKind; name: string },
    query: unknown,
  ): Promise<string> {
    const bootstrap = await this.bootstraps.generate(scope, resource, query);
    void reply.header('content-type', `${bootstrap.contentType}; charset=utf-8`);
    void reply.header(PROXY_TOKEN_ID_HEADER, bootstrap.tokenId);
    return bootstrap.body;
  }
}
