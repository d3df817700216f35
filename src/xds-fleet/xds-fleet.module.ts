import { Module } from '@nestjs/common';
import { CompiledStore } from './cache/compiled-store.js';
import { EndpointSourceModule } from './endpoints/endpoints.module.js';
import { XdsIdentityModule } from './identity/xds-identity.module.js';
import { ReconcileQueueModule } from './reconcile/reconcile.module.js';
import { AdsService } from './server/ads.service.js';
import { XdsGrpcServer } from './server/xds-grpc-server.service.js';
import { XdsShard } from './server/xds-shard.service.js';
import { XdsMetrics } from './server/xds.metrics.js';
import { SessionRegistry } from './sessions/session-registry.js';

/**
 * The xds role: one shard of the xDS fleet. It authenticates proxies (identity), reads compiled
 * meshes from Redis, serves ADS, and asks for a compile (reconcile queue) when a proxy needs one
 * that is missing.
 */
@Module({
  imports: [XdsIdentityModule, ReconcileQueueModule, EndpointSourceModule],
  providers: [XdsGrpcServer, AdsService, XdsShard, XdsMetrics, SessionRegistry, CompiledStore],
  exports: [XdsGrpcServer, XdsShard],
})
export class XdsFleetModule {}
