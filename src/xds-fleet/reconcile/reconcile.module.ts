import { Global, Module } from '@nestjs/common';
import { MESH_CHANGE_LISTENER } from '../../meshes/resources/mesh-change-listener.js';
import { QueuesModule, QueueWorkersModule } from '../../platform/queues/queues.module.js';
import { CompilerModule } from '../compiler/compiler.module.js';
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
  providers: [ReconcileQueue, { provide: MESH_CHANGE_LISTENER, useExisting: ReconcileQueue }],
  exports: [ReconcileQueue, MESH_CHANGE_LISTENER],
})
export class ReconcileQueueModule {}

/** The worker role's reconciler: the `reconcile` and `sweep` job handlers and the queue consumers. */
@Module({
  imports: [ReconcileQueueModule, CompilerModule, QueueWorkersModule],
  providers: [ReconcileJobHandler, ReconcileSweepHandler, ReconcileSweepRepository],
})
export class ReconcileWorkerModule {}
