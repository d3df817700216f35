import { Module } from '@nestjs/common';
import { MeshStoreFactory } from '../../meshes/resources/mesh-store.factory.js';
import { TenantsModule } from '../../tenants/tenants.module.js';
import { CompiledStore } from '../cache/compiled-store.js';
import { SessionRegistry } from '../sessions/session-registry.js';
import { AdminProxiesController, MeshStatusController } from './mesh-status.controller.js';
import { MeshStatusService } from './mesh-status.service.js';
import { ResourceTranslationModule } from './resource-translation.reader.js';

/**
 * The api role's window on the xDS fleet: connected proxies, propagation status, and (for the
 * App Mesh Describe operations) each resource's translation status.
 */
@Module({
  imports: [TenantsModule, ResourceTranslationModule],
  controllers: [MeshStatusController, AdminProxiesController],
  providers: [MeshStatusService, MeshStoreFactory, CompiledStore, SessionRegistry],
  // The GraphQL API's `Mesh.propagation` reads it too (src/graphql).
  exports: [MeshStatusService],
})
export class MeshStatusModule {}
