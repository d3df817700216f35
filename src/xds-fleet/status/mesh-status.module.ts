import { Module } from '@nestjs/common';
import { MeshStoreFactory } from '../../meshes/resources/mesh-store.factory.js';
import { TenantsModule } from '../../tenants/tenants.module.js';
import { CompiledStore } from '../cache/compiled-store.js';
import { SessionRegistry } from '../sessions/session-registry.js';
import { AdminProxiesController, MeshStatusController } from './mesh-status.controller.js';
import { MeshStatusService } from './mesh-status.service.js';

/** The api role's window on the xDS fleet: connected proxies and propagation status. */
@Module({
  imports: [TenantsModule],
  controllers: [MeshStatusController, AdminProxiesController],
  providers: [MeshStatusService, MeshStoreFactory, CompiledStore, SessionRegistry],
})
export class MeshStatusModule {}
