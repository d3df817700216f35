import { Module } from '@nestjs/common';
import { QueuesModule } from '../../platform/queues/queues.module.js';
import { REGISTRY_CHANGES } from '../../registry/registry-changes.js';
import { RegistryEndpointsReader } from '../../registry/registry-endpoints.reader.js';
import { CompiledStore } from '../cache/compiled-store.js';
import { SESSION_OBSERVER } from '../sessions/session-registry.js';
import { AssignmentStore } from './assignment-store.js';
import { EndpointMetrics } from './endpoint.metrics.js';
import { EndpointRegistry } from './endpoint-registry.js';
import { EndpointUpdater } from './endpoint-updater.js';
import { EndpointsQueue } from './endpoints-queue.js';
import { EndpointsSweepHandler, EndpointsUpdateHandler } from './endpoints.handlers.js';
import { NodeEndpoints } from './node-endpoints.js';
import { NodeSpecsReader } from './node-specs.reader.js';
import { ProxyEndpoints } from './proxy-endpoints.js';
import { RegistryChanges } from './registry-changes.listener.js';

/**
 * The live endpoints: connected proxies' in Redis, and the service registry's, for whoever reads
 * them (the snapshot loader, the fast path) or writes them.
 */
@Module({
  providers: [EndpointRegistry, RegistryEndpointsReader, NodeEndpoints],
  exports: [EndpointRegistry, NodeEndpoints],
})
export class EndpointRegistryModule {}

/**
 * The REGISTRY_CHANGES listener (RegistryChanges) for the registry's writers: the API's
 * registry module and the worker's EC2 sync. It marks the affected nodes and enqueues updates.
 */
@Module({
  imports: [EndpointRegistryModule, QueuesModule],
  providers: [EndpointsQueue, RegistryChanges, { provide: REGISTRY_CHANGES, useExisting: RegistryChanges }],
  exports: [REGISTRY_CHANGES, RegistryChanges],
})
export class RegistryChangesModule {}

/**
 * The endpoint source of the xds role: the session registry tells it about sessions (it is the
 * SESSION_OBSERVER), it records their endpoints and enqueues `endpoints` updates.
 */
@Module({
  imports: [EndpointRegistryModule, QueuesModule],
  providers: [EndpointsQueue, ProxyEndpoints, { provide: SESSION_OBSERVER, useExisting: ProxyEndpoints }],
  exports: [SESSION_OBSERVER],
})
export class EndpointSourceModule {}

/**
 * The worker role's side: the `endpoints` queue's handlers (the fast path and the sweep). Needs
 * the global ReconcileQueueModule (a fast path that cannot apply falls back to a compile).
 */
@Module({
  imports: [EndpointRegistryModule, RegistryChangesModule, QueuesModule],
  providers: [
    EndpointsQueue,
    EndpointUpdater,
    NodeSpecsReader,
    AssignmentStore,
    CompiledStore,
    EndpointMetrics,
    EndpointsUpdateHandler,
    EndpointsSweepHandler,
  ],
})
export class EndpointsWorkerModule {}
