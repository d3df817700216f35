import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import type { TenantScope } from '../../common/tenancy/tenant-scope.js';
import { Authenticate, CurrentScope } from '../../tenants/auth/auth-policy.decorators.js';
import { Ec2SyncSourcesService } from './ec2-sync-sources.service.js';

/**
 * A tenant's EC2 sync sources (`/v1/ec2-sync-sources`, docs/ec2-sync.md). Scoped by the caller's
 * credentials: another tenant's source is NotFound, whatever its id.
 */
@Controller('v1/ec2-sync-sources')
@Authenticate('tenant')
export class Ec2SyncSourcesController {
  constructor(private readonly sources: Ec2SyncSourcesService) {}

  @Post()
  @HttpCode(201)
  create(@CurrentScope() scope: TenantScope, @Body() body: unknown) {
    return this.sources.create(scope, body);
  }

  @Get()
  async list(@CurrentScope() scope: TenantScope) {
    return { ec2SyncSources: await this.sources.list(scope) };
  }

  @Get(':id')
  get(@CurrentScope() scope: TenantScope, @Param('id') id: string) {
    return this.sources.get(scope, id);
  }

  @Patch(':id')
  update(@CurrentScope() scope: TenantScope, @Param('id') id: string, @Body() body: unknown) {
    return this.sources.update(scope, id, body);
  }

  @Delete(':id')
  @HttpCode(200)
  delete(@CurrentScope() scope: TenantScope, @Param('id') id: string) {
    return this.sources.delete(scope, id);
  }

  /** Queues a run now; the answer is the source as it stands (its status changes when the run ends). */
  @Post(':id/sync')
  @HttpCode(202)
  sync(@CurrentScope() scope: TenantScope, @Param('id') id: string) {
    return this.sources.syncNow(scope, id);
  }
}
