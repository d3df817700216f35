import { Module } from '@nestjs/common';
import { XdsIdentityModule } from '../identity/xds-identity.module.js';
import { BootstrapService } from './bootstrap.service.js';

/** Bootstraps and proxy tokens without any transport: used by the API and by the operator CLI. */
@Module({
  imports: [XdsIdentityModule],
  providers: [BootstrapService],
  exports: [BootstrapService, XdsIdentityModule],
})
export class OnboardingCoreModule {}
