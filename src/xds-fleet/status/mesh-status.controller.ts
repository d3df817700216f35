import { Controller, Get, Param } from '@nestjs/common';
import type { TenantScope } from '../../common/tenancy/tenant-scope.js';
import { AdminOnly, Authenticate, CurrentScope } from '../../tenants/auth/auth-policy.decorators.js';
import { TenantsService } from '../../tenants/tenants.service.js';
import { MeshStatusService } from './mesh-status.service.js';

/** `/v1`: a tenant's view of its proxies and of whether its changes reached them. */
@Controller('v1/meshes/:meshName')
@Authenticate('tenant')
export class MeshStatusController {
  constructor(private readonly status: MeshStatusService) {}

  @Get('proxies')
  async proxies(@CurrentScope() scope: TenantScope, @Param('meshName') meshName: string) {
    return { proxies: await this.status.proxies(scope, meshName) };
  }

  @Get('status')
  meshStatus(@CurrentScope() scope: TenantScope, @Param('meshName') meshName: string) {
    return this.status.status(scope, meshName);
  }
}

/** Operators: every connected proxy of one tenant, across meshes and shards. */
@Controller('admin/v1/tenants/:accountId/proxies')
@AdminOnly()
export class AdminProxiesController {
  constructor(
    private readonly status: MeshStatusService,
    private readonly tenants: TenantsService,
  ) {}

  @Get()
  async list(@Param('accountId') accountId: string) {
    return { proxies: await this.status.tenantProxies(await this.tenants.scopeOf(accountId)) };
  }
}
