import { Controller, Delete, Get, HttpCode, Param, Query } from '@nestjs/common';
import { z } from 'zod';
import type { TenantScope } from '../../common/tenancy/tenant-scope.js';
import { parseInput } from '../../common/validation/parse-input.js';
import { Authenticate, CurrentScope } from '../../tenants/auth/auth-policy.decorators.js';
import { ProxyTokenService } from '../identity/proxy-tokens.service.js';

const listQuery = z.strictObject({
  kind: z.enum(['virtualNode', 'virtualGateway'], { error: 'must be virtualNode or virtualGateway' }).optional(),
  name: z
    .string({ error: 'must be a string' })
    .min(1, 'must not be empty')
    .max(255, 'must be at most 255 characters')
    .optional(),
});

/** A tenant's proxy tokens in one mesh (`/v1`): listed without their secrets, and revoked. */
@Controller('v1/meshes/:meshName/proxyTokens')
@Authenticate('tenant')
export class ProxyTokensController {
  constructor(private readonly tokens: ProxyTokenService) {}

  @Get()
  async list(@CurrentScope() scope: TenantScope, @Param('meshName') meshName: string, @Query() query: unknown) {
    const { kind, name } = parseInput(listQuery, query ?? {}, 'query');
    return { proxyTokens: await this.tokens.list(scope, meshName, kind, name) };
  }

  @Delete(':tokenId')
  @HttpCode(200)
  revoke(@CurrentScope() scope: TenantScope, @Param('meshName') meshName: string, @Param('tokenId') tokenId: string) {
    return this.tokens.revoke(scope, tokenId, meshName);
  }
}
