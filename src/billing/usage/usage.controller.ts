import { Controller, Get, Query } from '@nestjs/common';
import type { TenantScope } from '../../common/tenancy/tenant-scope.js';
import { Authenticate, CurrentScope } from '../../tenants/auth/auth-policy.decorators.js';
import { UsageService } from './usage.service.js';

/** A tenant's own metered usage (`/v1`): `?from&to&granularity=hour|day|month`. */
@Controller('v1/usage')
@Authenticate('tenant')
export class UsageController {
  constructor(private readonly usage: UsageService) {}

  @Get()
  get(@CurrentScope() scope: TenantScope, @Query() query: unknown) {
    return this.usage.forTenant(scope, query);
  }
}
