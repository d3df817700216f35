import { Module } from '@nestjs/common';
import { MeshStoreFactory } from '../../meshes/resources/mesh-store.factory.js';
import { CompiledStore } from '../cache/compiled-store.js';
import { EndpointRegistryModule } from '../endpoints/endpoints.module.js';
import { FleetEventPublisher } from '../events/fleet-event-publisher.js';
import { MeshSnapshotLoader } from '../snapshot/mesh-snapshot.loader.js';
import { CompilerMetrics } from './compiler.metrics.js';
import { MeshCompiler } from './mesh-compiler.js';
import { MeshTranslator, ResourceEncoder } from './mesh-translator.js';

/**
 * Compiling meshes into published xDS snapshots: what the worker's reconcile jobs run. It reads
 * meshes through the same tenant-bound MeshStore as the API, without the API's controllers.
 */
@Module({
  imports: [EndpointRegistryModule],
  providers: [
    MeshCompiler,
    MeshTranslator,
    ResourceEncoder,
    MeshSnapshotLoader,
    MeshStoreFactory,
    CompiledStore,
    CompilerMetrics,
    FleetEventPublisher,
  ],
  exports: [MeshCompiler, CompiledStore],
})
export class CompilerModule {}
