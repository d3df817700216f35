import { Module } from '@nestjs/common';
import { EndpointRegistryModule, RegistryChangesModule } from '../xds-fleet/endpoints/endpoints.module.js';
import { ProxyInstances } from './proxy-instances.js';
import { RegistryController } from './rest/registry.controller.js';
import { RegistryService } from './registry.service.js';

/**
 * The api role's service registry (ADR 0021): namespaces, services and instances under
 * `/v1/registry` (and GraphQL, which imports RegistryService). Instance writes reach the EDS fast
 * path through REGISTRY_CHANGES.
 */
@Module({
  imports: [RegistryChangesModule, EndpointRegistryModule],
  controllers: [RegistryController],
  providers: [RegistryService, ProxyInstances],
  exports: [RegistryService],
})
export class RegistryModule {}
