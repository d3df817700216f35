import { Module } from '@nestjs/common';
import { TenantsModule } from '../../tenants/tenants.module.js';
import { RevocationsModule } from '../../tenants/revocation/revocations.module.js';
import { FleetEventsModule } from '../../xds-fleet/events/fleet-events.module.js';
import { MeshStatusModule } from '../../xds-fleet/status/mesh-status.module.js';
import { FleetSubscriptions } from './fleet-subscriptions.js';
import { PropagationWatches } from './propagation-watches.js';
import { WsConnections } from './ws-connections.js';

/** GraphQL subscriptions (ADR 0019): the websockets' authentication and the fleet events behind the fields. */
@Module({
  imports: [TenantsModule, RevocationsModule, FleetEventsModule, MeshStatusModule],
  providers: [WsConnections, FleetSubscriptions, PropagationWatches],
  exports: [WsConnections, FleetSubscriptions],
})
export class GraphqlSubscriptionsModule {}
