import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { AdminOnly } from '../../tenants/auth/auth-policy.decorators.js';
import { DEFAULT_PLAN, TenantsService } from '../../tenants/tenants.service.js';
import { OPERATOR } from '../invoices/invoices-admin.controller.js';
import { PlansService } from './plans.service.js';

/** Operator API: the plan catalogue (custom plans) and tenants' plan changes. */
@Controller('admin/v1')
@AdminOnly()
export class PlansAdminController {
  constructor(
    private readonly plans: PlansService,
    private readonly tenants: TenantsService,
  ) {}

  @Get('plans')
  async list() {
    return { defaultPlan: DEFAULT_PLAN, plans: await this.plans.list() };
  }

  @Get('plans/:name')
  get(@Param('name') name: string) {
    return this.plans.get(name);
  }

  @Post('plans')
  @HttpCode(201)
  create(@Body() body: unknown) {
    return this.plans.create(body);
  }

  @Patch('plans/:name')
  update(@Param('name') name: string, @Body() body: unknown) {
    return this.plans.update(name, body);
  }

  @Delete('plans/:name')
  @HttpCode(204)
  async remove(@Param('name') name: string): Promise<void> {
    await this.plans.remove(name);
  }

  /** The plan in force and the history, scheduled changes included. */
  @Get('tenants/:accountId/plan')
  async history(@Param('accountId') accountId: string) {
    const scope = await this.tenants.scopeOf(accountId);
    const { plan } = await this.plans.inForce(scope.tenantId);
    return { plan: plan.name, history: await this.plans.history(scope.tenantId) };
  }

  /** Moves the tenant to another plan from the next hour (or a later `effectiveFrom`). */
  @Post('tenants/:accountId/plan')
  @HttpCode(201)
  async change(@Param('accountId') accountId: string, @Body() body: unknown) {
    const scope = await this.tenants.scopeOf(accountId);
    return this.plans.changeTenantPlan(scope.tenantId, body, OPERATOR);
  }
}
