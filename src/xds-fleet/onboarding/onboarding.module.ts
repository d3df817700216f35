import { Module } from '@nestjs/common';
import { BootstrapController } from './bootstrap.controller.js';
import { OnboardingCoreModule } from './onboarding-core.module.js';
import { ProxyTokensController } from './proxy-tokens.controller.js';

/** The api role's side of onboarding proxies: bootstrap downloads and proxy-token management under /v1. */
@Module({
  imports: [OnboardingCoreModule],
  controllers: [BootstrapController, ProxyTokensController],
})
export class OnboardingModule {}
