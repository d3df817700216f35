import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { AdminOnly } from '../auth/auth-policy.decorators.js';
import { CredentialsService } from '../credentials/credentials.service.js';
import { TenantsService } from '../tenants.service.js';

/** Operator API: tenant lifecycle and credentials of any tenant. */
@Controller('admin/v1/tenants')
@AdminOnly()
export class TenantsAdminController {
  constructor(
    private readonly tenants: TenantsService,
    private readonly credentials: CredentialsService,
  ) {}

  @Post()
  @HttpCode(201)
  create(@Body() body: unknown) {
    return this.tenants.create(body);
  }

  @Get()
  list(@Query() query: unknown) {
    return this.tenants.list(query, 'query');
  }

  @Get(':accountId')
  get(@Param('accountId') accountId: string) {
    return this.tenants.get(accountId);
  }

  @Post(':accountId/suspend')
  @HttpCode(200)
  suspend(@Param('accountId') accountId: string) {
    return this.tenants.suspend(accountId);
  }

  @Post(':accountId/resume')
  @HttpCode(200)
  resume(@Param('accountId') accountId: string) {
    return this.tenants.resume(accountId);
  }

  @Delete(':accountId')
  @HttpCode(204)
  async delete(@Param('accountId') accountId: string): Promise<void> {
    await this.tenants.delete(accountId);
  }

  @Post(':accountId/access-keys')
  @HttpCode(201)
  async createAccessKey(@Param('accountId') accountId: string, @Body() body: unknown) {
    return this.credentials.createAccessKey(await this.tenants.scopeOf(accountId), body);
  }

  @Get(':accountId/access-keys')
  async listAccessKeys(@Param('accountId') accountId: string) {
    return { accessKeys: await this.credentials.listAccessKeys(await this.tenants.scopeOf(accountId)) };
  }

  @Delete(':accountId/access-keys/:accessKeyId')
  @HttpCode(200)
  async revokeAccessKey(@Param('accountId') accountId: string, @Param('accessKeyId') accessKeyId: string) {
    return this.credentials.revokeAccessKey(await this.tenants.scopeOf(accountId), accessKeyId);
  }

  @Post(':accountId/api-tokens')
  @HttpCode(201)
  async createApiToken(@Param('accountId') accountId: string, @Body() body: unknown) {
    return this.credentials.createApiToken(await this.tenants.scopeOf(accountId), body);
  }

  @Get(':accountId/api-tokens')
  async listApiTokens(@Param('accountId') accountId: string) {
    return { apiTokens: await this.credentials.listApiTokens(await this.tenants.scopeOf(accountId)) };
  }

  @Delete(':accountId/api-tokens/:tokenId')
  @HttpCode(200)
  async revokeApiToken(@Param('accountId') accountId: string, @Param('tokenId') tokenId: string) {
    return this.credentials.revokeApiToken(await this.tenants.scopeOf(accountId), tokenId);
  }
}
