import { Controller, Get, Query } from '@nestjs/common';
import { AdminOnly } from '../../tenants/auth/auth-policy.decorators.js';
import { TenantsService } from '../../tenants/tenants.service.js';
import { UsageService } from './usage.service.js';

/** Operator API: every tenant's usage (`?accountId=` for one). */
@Controller('admin/v1/usage')
@AdminOnly()
export class UsageAdminController {
  constructor(
    private readonly usage: UsageService,
    private readonly tenants: TenantsService,
  ) {}

  @Get()
  get(@Query() query: unknown) {
    return this.usage.forOperator(query, async (accountId) => (await this.tenants.scopeOf(accountId)).tenantId);
  }
}
