import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { TenantsAdminController } from './admin/tenants-admin.controller.js';
import { AuthGuard } from './auth/auth.guard.js';
import { TenantRateLimiter } from './rate-limit/tenant-rate-limiter.js';
import { AccountController } from './self-service/account.controller.js';
import { TenantsCoreModule } from './tenants-core.module.js';

/** The HTTP side of tenants: operator and self-service APIs, and the global auth guard. */
@Module({
  imports: [TenantsCoreModule],
  controllers: [TenantsAdminController, AccountController],
  // AuthGuard is exported so that the /graphql route authenticates with the very same guard, and
  // the rate limiter so that GraphQL subscriptions count against the same budget.
  providers: [TenantRateLimiter, AuthGuard, { provide: APP_GUARD, useExisting: AuthGuard }],
  exports: [TenantsCoreModule, AuthGuard, TenantRateLimiter],
})
export class TenantsModule {}
