import { Global, Module } from '@nestjs/common';
import { MESH_CHANGE_LISTENER } from '../../meshes/resources/mesh-change-listener.js';
import { QueuesModule, QueueWorkersModule } from '../../platform/queues/queues.module.js';
import { CompiledStore } from '../cache/compiled-store.js';
import { CompilerModule } from '../compiler/compiler.module.js';
import { EndpointsWorkerModule } from '../endpoints/endpoints.module.js';
import { FleetEventPublisher } from '../events/fleet-event-publisher.js';
import { MeshChangeAnnouncer } from '../events/mesh-change-announcer.js';
import { ReconcileBackoff } from './reconcile-backoff.js';
import { ReconcileJobHandler, ReconcileSweepHandler } from './reconcile.handlers.js';
import { ReconcileQueue } from './reconcile-queue.js';
import { ReconcileSweepRepository } from './reconcile-sweep.repository.js';

/**
 * The producer of reconcile jobs, for every role that changes meshes (api) or enqueues them
 * (worker's sweep). Global, so the resource model gets its MeshChangeListener without importing
 * the xDS fleet.
 */
@Global()
@Module({
  imports: [QueuesModule],
  providers: [
    ReconcileQueue,
    FleetEventPublisher,
    MeshChangeAnnouncer,
    { provide: MESH_CHANGE_LISTENER, useExisting: MeshChangeAnnouncer },
  ],
  exports: [ReconcileQueue, MESH_CHANGE_LISTENER],
})
export class ReconcileQueueModule {}

/**
 * The worker role's reconciler: the `reconcile` and `sweep` job handlers and the queue consumers,
 * with the `endpoints` queue's handlers (the fast path for endpoint changes), which the consumers
 * require as well.
 */
@Module({
  imports: [ReconcileQueueModule, QueuesModule, CompilerModule, EndpointsWorkerModule, QueueWorkersModule],
  // CompiledStore: the sweep finds compiled meshes itself (compiled data of deleted meshes).
  providers: [ReconcileJobHandler, ReconcileSweepHandler, ReconcileSweepRepository, ReconcileBackoff, CompiledStore],
})
export class ReconcileWorkerModule {}
