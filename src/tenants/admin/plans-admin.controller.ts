import { Controller, Get } from '@nestjs/common';
import { AdminOnly } from '../auth/auth-policy.decorators.js';
import { DEFAULT_PLAN, PLANS } from '../plans.js';

/** Operator API: the plans a tenant can be on, with their quotas (what the console's admin view lists). */
@Controller('admin/v1/plans')
@AdminOnly()
export class PlansAdminController {
  @Get()
  list() {
    return {
      defaultPlan: DEFAULT_PLAN,
      plans: Object.entries(PLANS).map(([name, quotas]) => ({ name, quotas })),
    };
  }
}
