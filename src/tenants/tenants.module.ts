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
  providers: [TenantRateLimiter, { provide: APP_GUARD, useClass: AuthGuard }],
  exports: [TenantsCoreModule],
})
export class TenantsModule {}
