import { Module } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';
import { CredentialsRepository } from './credentials/credentials.repository.js';
import { CredentialsService } from './credentials/credentials.service.js';
import { SecretBox } from './credentials/secret-box.js';
import { RevocationsModule } from './revocation/revocations.module.js';
import { TenantsRepository } from './tenants.repository.js';
import { TenantsService } from './tenants.service.js';

/** Tenants and credentials without any transport: used by the API and by the operator CLI. */
@Module({
  imports: [RevocationsModule],
  providers: [
    TenantsRepository,
    TenantsService,
    CredentialsRepository,
    CredentialsService,
    { provide: SecretBox, inject: [APP_CONFIG], useFactory: (config: AppConfig) => new SecretBox(config.masterKey) },
  ],
  exports: [TenantsService, CredentialsService],
})
export class TenantsCoreModule {}
