import { Module } from '@nestjs/common';
import { TenantsCoreModule } from '../tenants/tenants-core.module.js';
import { InvoiceCloseHandler } from './invoices/invoice-close.handler.js';
import { InvoicesAdminController } from './invoices/invoices-admin.controller.js';
import { InvoicesController } from './invoices/invoices.controller.js';
import { InvoicesRepository } from './invoices/invoices.repository.js';
import { InvoicesService } from './invoices/invoices.service.js';
import { PlansAdminController } from './plans/plans-admin.controller.js';
import { UsageAdminController } from './usage/usage-admin.controller.js';
import { UsageController } from './usage/usage.controller.js';
import { UsageRepository } from './usage/usage.repository.js';
import { UsageService } from './usage/usage.service.js';

/** Usage reports and invoices without a transport: shared by REST and GraphQL. */
@Module({
  providers: [UsageRepository, UsageService, InvoicesRepository, InvoicesService],
  exports: [UsageService, InvoicesService],
})
export class BillingCoreModule {}

/**
 * The api role's billing surface: the tenant's usage and invoices (`/v1`) and the operator's
 * plans, plan changes, usage, credits and month closing (`/admin/v1`). Plans themselves come from
 * the global PlansCoreModule; metering has its own module.
 */
@Module({
  imports: [BillingCoreModule, TenantsCoreModule],
  controllers: [
    UsageController,
    InvoicesController,
    UsageAdminController,
    InvoicesAdminController,
    PlansAdminController,
  ],
})
export class BillingModule {}

/** The worker role's scheduled close of invoices (its consumer runs with the worker's other queues). */
@Module({
  imports: [BillingCoreModule],
  providers: [InvoiceCloseHandler],
})
export class BillingWorkerModule {}
