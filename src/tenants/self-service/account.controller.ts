import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import type { TenantScope } from '../../common/tenancy/tenant-scope.js';
import { Authenticate, CurrentScope, CurrentTenant } from '../auth/auth-policy.decorators.js';
import { CredentialsService, type AuthenticatedTenant } from '../credentials/credentials.service.js';
import { tenantView } from '../tenant.views.js';

/**
 * A tenant managing its own account and credentials (`/v1`), with an API token or SigV4.
 * Everything here is scoped by the caller's credentials; no path names another account.
 */
@Controller('v1')
@Authenticate('tenant')
export class AccountController {
  constructor(private readonly credentials: CredentialsService) {}

  @Get('account')
  account(@CurrentTenant() caller: AuthenticatedTenant) {
    return tenantView(caller.tenant);
  }

  @Post('access-keys')
  @HttpCode(201)
  createAccessKey(@CurrentScope() scope: TenantScope, @Body() body: unknown) {
    return this.credentials.createAccessKey(scope, body);
  }

  @Get('access-keys')
  async listAccessKeys(@CurrentScope() scope: TenantScope) {
    return { accessKeys: await this.credentials.listAccessKeys(scope) };
  }

  @Delete('access-keys/:accessKeyId')
  @HttpCode(200)
  revokeAccessKey(@CurrentScope() scope: TenantScope, @Param('accessKeyId') accessKeyId: string) {
    return this.credentials.revokeAccessKey(scope, accessKeyId);
  }

  @Post('api-tokens')
  @HttpCode(201)
  createApiToken(@CurrentScope() scope: TenantScope, @Body() body: unknown) {
    return this.credentials.createApiToken(scope, body);
  }

  @Get('api-tokens')
  async listApiTokens(@CurrentScope() scope: TenantScope) {
    return { apiTokens: await this.credentials.listApiTokens(scope) };
  }

  @Delete('api-tokens/:tokenId')
  @HttpCode(200)
  revokeApiToken(@CurrentScope() scope: TenantScope, @Param('tokenId') tokenId: string) {
    return this.credentials.revokeApiToken(scope, tokenId);
  }
}
