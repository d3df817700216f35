import { Module } from '@nestjs/common';
import { CompiledStore } from './cache/compiled-store.js';
import { EndpointSourceModule } from './endpoints/endpoints.module.js';
import { FleetEventPublisher } from './events/fleet-event-publisher.js';
import { XdsIdentityModule } from './identity/xds-identity.module.js';
import { ReconcileQueueModule } from './reconcile/reconcile.module.js';
import { RevocationsModule } from '../tenants/revocation/revocations.module.js';
import { AdsService } from './server/ads.service.js';
import { ProxyAuthority } from './server/proxy-authority.js';
import { XdsGrpcServer } from './server/xds-grpc-server.service.js';
import { XdsShard } from './server/xds-shard.service.js';
import { XdsMetrics } from './server/xds.metrics.js';
import { ProxyEndpoints } from './endpoints/proxy-endpoints.js';
import {
  SESSION_METER,
  SESSION_OBSERVER,
  SessionObservers,
  SessionRegistry,
  type SessionObserver,
} from './sessions/session-registry.js';

/**
 * The xds role: one shard of the xDS fleet. It authenticates proxies (identity), ends their
 * streams when their credentials are revoked (revocation notices), reads compiled meshes from
 * Redis, serves ADS, and asks for a compile (reconcile queue) when a proxy needs one that is missing.
 */
@Module({
  imports: [XdsIdentityModule, RevocationsModule, ReconcileQueueModule, EndpointSourceModule],
  providers: [
    XdsGrpcServer,
    AdsService,
    ProxyAuthority,
    XdsShard,
    XdsMetrics,
    SessionRegistry,
    CompiledStore,
    FleetEventPublisher,
    // The registry tells the endpoint source, then the session meter when the process meters
    // (src/billing/metering provides SESSION_METER globally).
    {
      provide: SESSION_OBSERVER,
      useFactory: (endpoints: ProxyEndpoints, meter?: SessionObserver) =>
        new SessionObservers(meter ? [endpoints, meter] : [endpoints]),
      inject: [ProxyEndpoints, { token: SESSION_METER, optional: true }],
    },
  ],
  exports: [XdsGrpcServer, XdsShard],
})
export class XdsFleetModule {}
