import { Module } from '@nestjs/common';
import { QueuesModule } from '../../platform/queues/queues.module.js';
import { CompiledStore } from '../cache/compiled-store.js';
import { AssignmentStore } from './assignment-store.js';
import { EndpointMetrics } from './endpoint.metrics.js';
import { EndpointRegistry } from './endpoint-registry.js';
import { EndpointUpdater } from './endpoint-updater.js';
import { EndpointsQueue } from './endpoints-queue.js';
import { EndpointsSweepHandler, EndpointsUpdateHandler } from './endpoints.handlers.js';
import { ProxyEndpoints } from './proxy-endpoints.js';

/** The live endpoints in Redis, for whoever reads them (the snapshot loader) or writes them. */
@Module({ providers: [EndpointRegistry], exports: [EndpointRegistry] })
export class EndpointRegistryModule {}

/**
 * The endpoint source of the xds role: the session registry tells it about sessions (it is the
 * first SESSION_OBSERVER, see XdsFleetModule), it records their endpoints and enqueues
 * `endpoints` updates.
 */
@Module({
  imports: [EndpointRegistryModule, QueuesModule],
  providers: [EndpointsQueue, ProxyEndpoints],
  exports: [ProxyEndpoints],
})
export class EndpointSourceModule {}

/**
 * The worker role's side: the `endpoints` queue's handlers (the fast path and the sweep). Needs
 * the global ReconcileQueueModule (a fast path that cannot apply falls back to a compile).
 */
@Module({
  imports: [EndpointRegistryModule, QueuesModule],
  providers: [
    EndpointsQueue,
    EndpointUpdater,
    AssignmentStore,
    CompiledStore,
    EndpointMetrics,
    EndpointsUpdateHandler,
    EndpointsSweepHandler,
  ],
})
export class EndpointsWorkerModule {}
