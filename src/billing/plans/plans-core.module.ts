import { Global, Module } from '@nestjs/common';
import { BillingClock } from './billing-clock.js';
import { PlanChangeBus } from './plan-change-bus.js';
import { PlansRepository } from './plans.repository.js';
import { PlansService } from './plans.service.js';

/**
 * Plans and quotas without a transport, for every role: the API (quotas, rate limit, tenant
 * creation), the xds role (connected proxies) and the worker (invoices), and the operator CLI.
 * Global, so the domain modules that enforce quotas get PlansService without importing billing.
 */
@Global()
@Module({
  providers: [PlansRepository, PlanChangeBus, BillingClock, PlansService],
  exports: [PlansService, BillingClock],
})
export class PlansCoreModule {}
